/**
 * Keygen's `rsa-pss-sha256` license and machine files (policies with
 * RSA_2048_PKCS1_PSS_SIGN_V2): keygen-api signs `license/` + enc with
 * OpenSSL's `sign_pss(SHA256, …, salt_length: :max, mgf1_hash: SHA256)`, so
 * licensekit verifies them as PS256-MAX, the maximum salt exactly. Files made
 * here with our own RSA key (make.ts): both encryptions, both kinds, every
 * backend; one changed byte is never valid; a salt-32 signature is refused.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { verifyLicense, verifyLicenseSync, type VerifyOptions } from '../../../src/index.node.ts';
import { verifyLicense as verifyKeygenEntry } from '../../../src/keygen.ts';
import { ALL_BACKENDS } from '../../backends/all-backends.ts';
import { licenseDocument, machineDocument, makeKeygenFile, testKeys } from './make.ts';

const keys = testKeys();
const LK = 'ABCDEF-123456-ABCDEF-123456-ABCDEF-V3';
const FP = 'c'.repeat(64);
const NOW = new Date('2024-07-01T00:00:00Z');
const base: VerifyOptions = { key: keys.rsa.publicPem, now: NOW, licenseKey: LK };

describe('Keygen rsa-pss-sha256 files', () => {
  test('license files, encrypted and base64, verify as PS256-MAX with their reason codes', async () => {
    for (const encrypt of [{ licenseKey: LK }, null]) {
      const good = await verifyLicense(makeKeygenFile(licenseDocument({ entitlements: ['PRO'] }), { encrypt, signature: 'rsa-pss-sha256' }), { ...base, requireFeatures: ['PRO'] });
      expect([good.valid, good.algorithm, good.reasons, good.format, good.keyBits]).toEqual([true, 'PS256-MAX', [], 'keygen', 2048]);
      const expired = await verifyLicense(makeKeygenFile(licenseDocument({ expiry: '2024-06-15T00:00:00.000Z' }), { encrypt, signature: 'rsa-pss-sha256' }), base);
      expect(expired.reasons).toEqual(['EXPIRED']);
    }
  });

  test('a machine file (key: license key + fingerprint) verifies and binds the machine', async () => {
    const file = makeKeygenFile(machineDocument(FP), { kind: 'machine', encrypt: { licenseKey: LK, fingerprint: FP }, signature: 'rsa-pss-sha256' });
    const verdict = await verifyLicense(file, { ...base, fingerprint: FP, machineCode: FP });
    expect([verdict.valid, verdict.algorithm, verdict.reasons]).toEqual([true, 'PS256-MAX', []]);
  });

  test('every backend gives the same verdict, and the licensekit/keygen entry (WebCrypto, pure JS) too', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: { licenseKey: LK }, signature: 'rsa-pss-sha256' });
    for (const backend of ALL_BACKENDS) {
      const verdict = await verifyLicense(file, { ...base, backend });
      expect([backend.name, verdict.valid, verdict.backend]).toEqual([backend.name, true, backend.name]);
    }
    expect(verifyLicenseSync(file, { ...base, backend: 'purejs' }).valid).toBe(true);
    expect((await verifyKeygenEntry(file, base)).valid).toBe(true);
    expect((await verifyKeygenEntry(file, { ...base, backend: 'purejs' })).valid).toBe(true);
  });

  test('a PSS signature with PS256\'s 32-byte salt is not Keygen\'s: SIGNATURE_INVALID on every backend', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: null, signature: 'rsa-pss-sha256', pssSalt: 32 });
    for (const backend of ALL_BACKENDS) expect([backend.name, (await verifyLicense(file, { ...base, backend })).reasons]).toEqual([backend.name, ['SIGNATURE_INVALID']]);
  });

  test('an rsa-sha256 signature relabelled rsa-pss-sha256 is SIGNATURE_INVALID; the Ed25519 key does not fit (ERR_KEY_UNSUPPORTED)', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: null, signature: 'rsa-sha256' });
    const lines = file.trim().split('\n');
    const doc = JSON.parse(Buffer.from(lines.slice(1, -1).join(''), 'base64').toString()) as Record<string, string>;
    const relabelled = `-----BEGIN LICENSE FILE-----\n${Buffer.from(JSON.stringify({ ...doc, alg: 'base64+rsa-pss-sha256' })).toString('base64')}\n-----END LICENSE FILE-----\n`;
    expect((await verifyLicense(relabelled, base)).reasons).toEqual(['SIGNATURE_INVALID']);
    const pss = makeKeygenFile(licenseDocument(), { encrypt: null, signature: 'rsa-pss-sha256' });
    await expect(verifyLicense(pss, { ...base, key: keys.ed25519.publicHex })).rejects.toMatchObject({ code: 'ERR_KEY_UNSUPPORTED' });
  });

  test('the "algorithms" allow-list names it: [\'PS256\'] refuses the file, [\'PS256-MAX\'] admits it', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: null, signature: 'rsa-pss-sha256' });
    await expect(verifyLicense(file, { ...base, algorithms: ['PS256'] })).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    expect((await verifyLicense(file, { ...base, algorithms: ['PS256-MAX'] })).valid).toBe(true);
  });

  const file = makeKeygenFile(licenseDocument({ entitlements: ['PRO'] }), { encrypt: { licenseKey: LK }, signature: 'rsa-pss-sha256' });
  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 60 })('any changed byte of the file is never valid (typed error or a verdict that is not valid)', async (at, delta) => {
    const bytes = Buffer.from(file);
    const i = at % bytes.length;
    bytes[i] = (bytes[i]! + delta) & 0xff;
    try {
      expect((await verifyLicense(new Uint8Array(bytes), base)).valid).toBe(false);
    } catch (error) {
      expect(error).toHaveProperty('code', expect.stringMatching(/^ERR_/));
    }
  });
});
