/**
 * Keygen's RSA signed license keys (RSA_2048_PKCS1_SIGN_V2 and
 * RSA_2048_PKCS1_PSS_SIGN_V2): `key/` + base64url dataset, `.`, base64url
 * signature over the text before the `.`, PKCS#1 v1.5 or PSS with the maximum
 * salt (keygen-api's generate_pkcs1_[pss_]signed_key!, version 2). The key does
 * not say its padding, so `algorithms` names it (RS256 or PS256-MAX); without
 * it the key is ERR_FORMAT_UNSUPPORTED with a message saying what to pass.
 * Keys made here with our own RSA key (make.ts), as keygen-api makes them.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { verifyLicense, verifyLicenseSync, type VerifyOptions } from '../../../src/index.node.ts';
import { verifyLicense as verifyKeygenEntry } from '../../../src/keygen.ts';
import { ALL_BACKENDS } from '../../backends/all-backends.ts';
import { makeRsaSignedKey, testKeys } from './make.ts';

const NOW = new Date('2024-07-01T00:00:00Z');
const DATASET = JSON.stringify({ license: { id: 'L-RSA', created: '2024-01-01T00:00:00.000Z', expiry: '2025-01-01T00:00:00.000Z' }, product: { id: 'P1' } });
const base = (algorithms: VerifyOptions['algorithms']): VerifyOptions => ({ key: testKeys().rsa.publicPem, now: NOW, algorithms });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `untyped ${String(error)}`;
  }
  return 'no error';
}

describe('Keygen RSA signed keys', () => {
  const pkcs1 = makeRsaSignedKey(DATASET, 'pkcs1');
  const pss = makeRsaSignedKey(DATASET, 'pss');

  test('RSA_2048_PKCS1_SIGN_V2 verifies as RS256, RSA_2048_PKCS1_PSS_SIGN_V2 as PS256-MAX; the dataset is the license', async () => {
    for (const [key, algorithm] of [[pkcs1, 'RS256'], [pss, 'PS256-MAX']] as const) {
      const verdict = await verifyLicense(key, base([algorithm]));
      expect([verdict.valid, verdict.algorithm, verdict.format, verdict.reasons]).toEqual([true, algorithm, 'keygen', []]);
      expect(verdict.license).toMatchObject({ id: 'L-RSA', product: 'P1', key });
      expect((await verifyLicense(key, { ...base([algorithm]), now: new Date('2025-06-01T00:00:00Z') })).reasons).toEqual(['EXPIRED']);
    }
  });

  test('the other padding is SIGNATURE_INVALID, and so is a PSS key with a 32-byte salt', async () => {
    expect((await verifyLicense(pkcs1, base(['PS256-MAX']))).reasons).toEqual(['SIGNATURE_INVALID']);
    expect((await verifyLicense(pss, base(['RS256']))).reasons).toEqual(['SIGNATURE_INVALID']);
    expect((await verifyLicense(makeRsaSignedKey(DATASET, 'pss', 32), base(['PS256-MAX']))).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  test('without "algorithms", or with both paddings allowed, it is ERR_FORMAT_UNSUPPORTED naming what to pass', () => {
    for (const algorithms of [undefined, ['RS256', 'PS256-MAX'] as const, ['EdDSA'] as const]) {
      const options = { key: testKeys().rsa.publicPem, now: NOW, ...(algorithms ? { algorithms: [...algorithms] } : {}) } as VerifyOptions;
      expect(codeOf(() => verifyLicenseSync(pss, options)), JSON.stringify(algorithms)).toBe('ERR_FORMAT_UNSUPPORTED');
      expect(() => verifyLicenseSync(pss, options)).toThrow(/RSA_2048_PKCS1_PSS_SIGN_V2/);
    }
  });

  test('every backend, and the licensekit/keygen entry, give the same verdicts', async () => {
    for (const backend of ALL_BACKENDS) {
      expect([backend.name, (await verifyLicense(pss, { ...base(['PS256-MAX']), backend })).valid]).toEqual([backend.name, true]);
      expect([backend.name, (await verifyLicense(pkcs1, { ...base(['RS256']), backend })).valid]).toEqual([backend.name, true]);
    }
    expect((await verifyKeygenEntry(pss, base(['PS256-MAX']))).valid).toBe(true);
  });

  test('an Ed25519-sized or odd-sized signature is not taken for RSA', () => {
    const [head] = pss.split('.');
    expect(codeOf(() => verifyLicenseSync(`${head}.${Buffer.alloc(100).toString('base64url')}`, base(['PS256-MAX'])))).toBe('ERR_FORMAT_UNSUPPORTED');
  });

  // The signature's trailing '=' padding is not signed, and white space after a key is tolerated: a last '=' turned
  // into white space (a tab, say) leaves the same key, which verifies, as review.test.ts's padding cases do. Every
  // other byte, of the signed text or of the signature's base64url, counts.
  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()], { numRuns: 60 })('any changed byte of the key but its padding is never valid', async (at, delta, usePss) => {
    const text = usePss ? pss : pkcs1;
    const key = Buffer.from(text);
    const i = at % text.replace(/=+$/, '').length;
    key[i] = (key[i]! + delta) & 0xff;
    try {
      expect((await verifyLicense(new Uint8Array(key), base([usePss ? 'PS256-MAX' : 'RS256']))).valid).toBe(false);
    } catch (error) {
      expect(error).toHaveProperty('code', expect.stringMatching(/^ERR_/));
    }
  });
});
