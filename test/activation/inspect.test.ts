/**
 * inspectExchangeFile: a request's and a receipt's claims and a customer
 * bundle's header, unverified (an edited request still shows, and says
 * verified: false), a bundle never decrypted (no secret is given and no
 * license appears); a license and arbitrary input are left to the license
 * inspector (null) or refused with typed errors, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createActivationRequest, deactivateLicense, respondToActivationRequest } from '../../src/activation/index.node.ts';
import { inspectExchangeFile } from '../../src/activation/inspect.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { sealCustomerBundle } from '../../src/customers/seal.ts';
import { MemoryLedger } from '../../src/ledger/memory.ts';
import { decodeBase64, encodeBase64, encodeUtf8 } from '../../src/lib/bytes.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import { VENDOR, at, machine, stateOn } from './support.ts';

const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const A = machine('linux-server');
const SECRET = '6dffda95-05cb-4754-bb49-c4a0be6ea647';

function flipLastByte(text: string): string {
  const lines = text.trimEnd().split('\n');
  const bytes = decodeBase64(lines.slice(1, -1).join('')) as Uint8Array;
  bytes[bytes.length - 1]! ^= 0x01;
  return `${lines[0]}\n${encodeBase64(bytes)}\n${lines.at(-1)}\n`;
}

async function exchange() {
  const ledger = new MemoryLedger();
  await ledger.addLicense({ licenseKey: KEY, productId: 1001, maxMachines: 1, customerId: null }, 0);
  const state = await stateOn(A);
  const request = await createActivationRequest({ state, licenseKey: KEY, productId: 1001, fingerprint: A.fingerprint, now: at(1) });
  const response = await respondToActivationRequest(request.text, { privateJwk: VENDOR.privateJwk, ledger, now: at(1) });
  await state.activate(response.text, { now: at(2) });
  const receipt = await deactivateLicense({ state, licenseKey: KEY, now: at(3) });
  return { request, response, receipt };
}

describe('inspectExchangeFile', () => {
  test('a request shows its claims, unverified; its raw bytes too; an edited one still shows (nothing is verified)', async () => {
    const { request } = await exchange();
    const expected = {
      kind: 'activation-request',
      verified: false,
      licenseKey: KEY,
      productId: '1001',
      deviceKeyId: request.deviceKeyId,
      deviceKeyIdMatchesKey: true,
      nonce: request.nonce,
      requestedAt: at(1).toISOString(),
      machineCode: A.machineCode,
      fingerprintPrefix: A.fingerprint.slice(0, 16),
      fingerprintLength: A.fingerprint.length,
    };
    expect(inspectExchangeFile(request.text)).toEqual(expected);
    expect(inspectExchangeFile(request.bytes)).toEqual(expected);
    expect(inspectExchangeFile(encodeUtf8(request.text))).toEqual(expected);
    expect(inspectExchangeFile(flipLastByte(request.text))).toEqual(expected); // the signature's last byte: same claims, never checked
  });

  test('a receipt shows its license key, device key id, id and time; a license is not one of these files (null)', async () => {
    const { receipt, response } = await exchange();
    expect(inspectExchangeFile(receipt.text)).toEqual({ kind: 'deactivation-receipt', verified: false, licenseKey: KEY, deviceKeyId: receipt.deviceKeyId, nonce: receipt.nonce, issuedAt: at(3).toISOString() });
    expect(inspectExchangeFile(receipt.bytes)).toMatchObject({ kind: 'deactivation-receipt', nonce: receipt.nonce });
    expect(inspectExchangeFile(response.text)).toBeNull();
    expect(inspectExchangeFile(response.bytes)).toBeNull();
  });

  test('a customer bundle shows its header (kid, sealed time, scrypt parameters, cipher) and nothing of what it encrypts', async () => {
    const { response } = await exchange();
    const sealed = await sealCustomerBundle({ customer: { id: 'c1', name: 'Acme', secret: SECRET }, licenses: [response.text], signingKey: VENDOR.privateJwk, backend: nodeBackend, now: at(4) });
    const seen = inspectExchangeFile(sealed.text);
    expect(seen).toEqual({
      kind: 'customer-bundle',
      verified: false,
      encrypted: true,
      keyId: sealed.kid,
      algorithm: 'EdDSA',
      sealedAt: at(4).toISOString(),
      version: 1,
      kdf: { name: 'scrypt', logN: 15, r: 8, p: 1 },
      aead: 'XChaCha20-Poly1305',
      saltBytes: 16,
      ciphertextBytes: expect.any(Number),
    });
    expect(inspectExchangeFile(sealed.bytes)).toEqual(seen);
    expect(JSON.stringify(seen)).not.toContain(KEY);
    expect(JSON.stringify(seen)).not.toContain('Acme');
  });

  test('armour that does not decode is a typed error of its kind', () => {
    expect(code(() => inspectExchangeFile('-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\n!!!\n-----END LICENSEKIT ACTIVATION REQUEST-----\n'))).toBe('ERR_ACTIVATION_REQUEST_INVALID');
    expect(code(() => inspectExchangeFile('-----BEGIN LICENSEKIT DEACTIVATION RECEIPT-----\nAAAA\n-----END LICENSEKIT DEACTIVATION RECEIPT-----\n'))).toBe('ERR_RECEIPT_INVALID');
    expect(code(() => inspectExchangeFile('-----BEGIN LICENSEKIT CUSTOMER BUNDLE-----\nAAAA\n-----END LICENSEKIT CUSTOMER BUNDLE-----\n'))).toMatch(/^ERR_(ENVELOPE|PAYLOAD)_INVALID$/);
  });

  test('arbitrary text or bytes, with or without an exchange armour line: null or a typed error, never anything else', () => {
    const armour = fc.constantFrom('', '-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\n', '-----BEGIN LICENSEKIT DEACTIVATION RECEIPT-----\n', '-----BEGIN LICENSEKIT CUSTOMER BUNDLE-----\n');
    fc.assert(
      fc.property(fc.oneof(fc.tuple(armour, fc.string()).map(([a, s]) => a + s), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.of(0xd2, ...b))), (input) => {
        const result = code(() => inspectExchangeFile(input));
        expect(result === 'null' || result.startsWith('ERR_')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

function code(run: () => unknown): string {
  try {
    const value = run();
    return value === null ? 'null' : 'value';
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}
