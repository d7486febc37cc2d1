/**
 * The claims the local state builds on: the licensee-secret policy (signed, so
 * a customer cannot downgrade it; a predefined secret only as its salted hash),
 * HWID binding and grace; and vendor messages (resets, revocation lists), which
 * verify like licenses but are never taken for one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../../scripts/make-fixtures.ts';
import { nodeBackend } from '../../../src/backends/node.ts';
import { verifySignedEnvelopeSync } from '../../../src/core/envelope.ts';
import { nativeAdapter } from '../../../src/formats/native/index.ts';
import { signResetMessage, signRevocationList } from '../../../src/formats/native/issue.ts';
import { readVendorMessage } from '../../../src/formats/native/messages.ts';
import { decodeClaims } from '../../../src/formats/native/read.ts';
import { isLicenseKitError, verifyLicenseSync, importPublicKey } from '../../../src/index.node.ts';
import { issueNativeLicense } from '../../../src/issuer/index.ts';
import { licenseeSecretHash, sameHash } from '../../../src/license/secret.ts';

const key = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const ED = { privateJwk: JSON.parse(key('vendor-ed25519.private.jwk.json')), publicPem: key('vendor-ed25519.public.pem') };
const NOW = new Date('2026-06-01T00:00:00Z');
const options = { privateJwk: ED.privateJwk, now: NOW, backend: nodeBackend };

function code(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}

describe('license policy claims', () => {
  test('predefined secret: only its salted hash is signed, and it is the hash licensekit computes for that license', async () => {
    const { text, bytes } = await issueNativeLicense({ product: 7, id: Uint8Array.of(9, 9), expires: null, licenseeSecret: { mode: 'predefined', secret: 'dongle-4711' }, bindHwid: true, graceDays: 14 }, options);
    expect(Buffer.from(bytes).includes(Buffer.from('dongle-4711'))).toBe(false);
    const license = verifyLicenseSync(text, { key: ED.publicPem, now: NOW }).license!;
    expect(license.licenseeSecret!.mode).toBe('predefined');
    expect(sameHash(license.licenseeSecret!.hash!, licenseeSecretHash(license.product, license.id, 'dongle-4711'))).toBe(true);
    expect(sameHash(license.licenseeSecret!.hash!, licenseeSecretHash(license.product, license.id, 'dongle-4712'))).toBe(false);
    expect([license.bindHwid, license.graceDays]).toEqual([true, 14]);
  });

  test('client and disabled modes carry no hash; a license without the claim has no policy', async () => {
    for (const mode of ['client', 'disabled'] as const) {
      const { text } = await issueNativeLicense({ product: 7, expires: null, licenseeSecret: { mode } }, options);
      expect(verifyLicenseSync(text, { key: ED.publicPem, now: NOW }).license!.licenseeSecret).toEqual({ mode, hash: null });
    }
    const { text } = await issueNativeLicense({ product: 7, expires: null }, options);
    expect(verifyLicenseSync(text, { key: ED.publicPem, now: NOW }).license).toMatchObject({ licenseeSecret: null, bindHwid: false, graceDays: null });
  });

  test.each([
    ['predefined without a secret', { mode: 'predefined' }],
    ['a secret outside predefined mode', { mode: 'client', secret: 's' }],
    ['an unknown mode', { mode: 'sometimes' }],
  ])('refuses to sign %s', async (_, licenseeSecret) => {
    await expect(issueNativeLicense({ product: 7, expires: null, licenseeSecret: licenseeSecret as never }, options)).rejects.toMatchObject({ code: 'ERR_OPTION_INVALID' });
  });

  test('the salted hash differs per license and per product for one secret', () => {
    const a = licenseeSecretHash('7', 'aa', 's');
    expect(sameHash(a, licenseeSecretHash('7', 'ab', 's'))).toBe(false);
    expect(sameHash(a, licenseeSecretHash('8', 'aa', 's'))).toBe(false);
    expect(a.length).toBe(32);
  });
});

describe('vendor messages', () => {
  const read = (input: Uint8Array) => {
    const envelope = nativeAdapter.parse(input);
    expect(verifySignedEnvelopeSync(envelope, importPublicKey(ED.publicPem), nodeBackend)).toBe(true);
    return readVendorMessage(decodeClaims(envelope.cose.payload));
  };

  test('a reset names its license and counter; a revocation list its sequence and entries', async () => {
    expect(read((await signResetMessage('AAAAA-BBBBB-CCCCC-DDDDD', 3, options)).bytes)).toEqual({ type: 'reset', licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD', counter: 3, issuedAt: NOW });
    expect(read((await signRevocationList(12, ['0909', 'EEEEE-FFFFF-GGGGG-HHHHH'], options)).bytes)).toEqual({ type: 'revocations', sequence: 12, issuedAt: NOW, revoked: ['0909', 'EEEEE-FFFFF-GGGGG-HHHHH'] });
  });

  test('a message is never a license, and a license is never a message', async () => {
    const { text } = await signRevocationList(1, [], options);
    expect(code(() => verifyLicenseSync(text, { key: ED.publicPem, now: NOW }))).toBe('ERR_PAYLOAD_INVALID');
    const license = await issueNativeLicense({ product: 7, expires: null }, options);
    expect(code(() => read(license.bytes))).toBe('ERR_PAYLOAD_INVALID');
  });

  test.each([
    ['a negative counter', () => signResetMessage('K', -1, options)],
    ['an empty license key', () => signResetMessage('', 1, options)],
    ['an empty revoked entry', () => signRevocationList(1, [''], options)],
  ])('refuses to sign %s', async (_, sign) => {
    await expect(sign()).rejects.toMatchObject({ code: 'ERR_OPTION_INVALID' });
  });
});
