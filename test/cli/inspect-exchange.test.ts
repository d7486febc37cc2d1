/**
 * `licensekit inspect` through the real bin on the exchange's files: an
 * activation request and a deactivation receipt show their claims, a customer
 * bundle its header only (never decrypted), each said NOT VERIFIED; --json is
 * exact; a damaged request is exit 2 with its code; a license still inspects
 * as a license.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { createActivationRequest, deactivateLicense, respondToActivationRequest, type SignedExchangeFile } from '../../src/activation/index.node.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { sealCustomerBundle } from '../../src/customers/seal.ts';
import { fingerprintFromSnapshot, recordFingerprint, serializeFingerprint } from '../../src/fingerprint/index.ts';
import { MemoryLedger } from '../../src/ledger/memory.ts';
import { MemoryStore, openState } from '../../src/state/index.node.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-inspect-exchange-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const key = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const T = new Date('2026-06-01T00:00:00Z');
const p = (name: string) => join(tmp, name);

let request: SignedExchangeFile;
let receipt: SignedExchangeFile;
let fingerprint: string;
let bundleKid: string | null;

beforeAll(async () => {
  const privateJwk = JSON.parse(key('vendor-ed25519.private.jwk.json')) as Record<string, string>;
  const { snapshot } = JSON.parse(readFileSync(join(FIXTURES_DIR, 'fingerprints', 'linux-server.json'), 'utf8'));
  const fp = fingerprintFromSnapshot(snapshot, 'licensekit');
  fingerprint = serializeFingerprint(recordFingerprint(fp));
  const state = await openState({ program: 'licensekit', key: key('vendor-ed25519.public.pem'), store: new MemoryStore(), machineCode: fp.machineCode, clockEvidence: false });
  const ledger = new MemoryLedger();
  await ledger.addLicense({ licenseKey: KEY, productId: 1001, maxMachines: 1, customerId: null }, 0);
  request = await createActivationRequest({ state, licenseKey: KEY, productId: 1001, fingerprint, now: T });
  const response = await respondToActivationRequest(request.text, { privateJwk, ledger, now: T });
  await state.activate(response.text, { now: T });
  receipt = await deactivateLicense({ state, licenseKey: KEY, now: new Date(T.getTime() + 60_000) });
  const bundle = await sealCustomerBundle({ customer: { id: 'c1', name: 'Acme', secret: 'WPIGP-UPHHT-INUYJ-MSDTJ' }, licenses: [response.text], signingKey: privateJwk, backend: nodeBackend, now: T });
  bundleKid = bundle.kid;
  writeFileSync(p('request.txt'), request.text);
  writeFileSync(p('receipt.txt'), receipt.text);
  writeFileSync(p('bundle.txt'), bundle.text);
  writeFileSync(p('license.lic'), response.text);
}, 60_000);

describe('licensekit inspect on requests, receipts and customer bundles', () => {
  test('a request: its claims, NOT VERIFIED; --json exact', async () => {
    const json = await run('inspect', p('request.txt'), '--json');
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toEqual({
      file: p('request.txt'),
      kind: 'activation-request',
      verified: false,
      licenseKey: KEY,
      productId: '1001',
      deviceKeyId: request.deviceKeyId,
      deviceKeyIdMatchesKey: true,
      nonce: request.nonce,
      requestedAt: T.toISOString(),
      machineCode: expect.stringMatching(/^[0-9A-F]{64}$/),
      fingerprintPrefix: fingerprint.slice(0, 16),
      fingerprintLength: fingerprint.length,
    });
    const human = await run('inspect', p('request.txt'));
    expect(human.code, human.err).toBe(0);
    expect(human.out).toContain('activation request');
    expect(human.out).toContain('NOT VERIFIED');
    expect(human.out).toMatch(new RegExp(`nonce\\s+${request.nonce}`));
    expect(human.out).toContain(request.deviceKeyId);
  }, 30_000);

  test('a receipt: license key, device key id, id and time, NOT VERIFIED', async () => {
    const json = await run('inspect', p('receipt.txt'), '--json');
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toEqual({ file: p('receipt.txt'), kind: 'deactivation-receipt', verified: false, licenseKey: KEY, deviceKeyId: receipt.deviceKeyId, nonce: receipt.nonce, issuedAt: new Date(T.getTime() + 60_000).toISOString() });
    expect((await run('inspect', p('receipt.txt'))).out).toContain('NOT VERIFIED');
  }, 30_000);

  test('a customer bundle: its header only, never decrypted (no secret asked, no license shown)', async () => {
    const json = await run('inspect', p('bundle.txt'), '--json');
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ kind: 'customer-bundle', verified: false, encrypted: true, keyId: bundleKid, sealedAt: T.toISOString(), kdf: { name: 'scrypt', logN: 15, r: 8, p: 1 }, aead: 'XChaCha20-Poly1305' });
    expect(json.out).not.toContain(KEY);
    const human = await run('inspect', p('bundle.txt'));
    expect(human.code, human.err).toBe(0);
    expect(human.out).toContain('NOT DECRYPTED');
    expect(human.out).toMatch(/kdf\s+\{"name":"scrypt","logN":15,"r":8,"p":1\}/);
  }, 30_000);

  test('a damaged request is exit 2 with its code; a license still inspects as a license', async () => {
    writeFileSync(p('broken.txt'), '-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\nnot base64!\n-----END LICENSEKIT ACTIVATION REQUEST-----\n');
    const broken = await run('inspect', p('broken.txt'));
    expect(broken.code).toBe(2);
    expect(broken.err).toContain('[ERR_ACTIVATION_REQUEST_INVALID]');
    const license = await run('inspect', p('license.lic'), '--json');
    expect(license.code, license.err).toBe(0);
    expect(JSON.parse(license.out)).toMatchObject({ verified: false, format: 'native', license: { key: KEY } });
  }, 30_000);
});
