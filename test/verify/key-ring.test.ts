/**
 * Key rings through the public API (verifyLicenseSync, verifyLicense and
 * verifyLicenses) with the golden Cryptolens fixtures and the committed keys:
 * the key that verified is reported, a retired key fails with KEY_RETIRED
 * (after its date, not before, tolerance respected, beside other reasons),
 * keys that cannot fit are skipped, and a ring holding the signer anywhere
 * gives the single-key verdict.
 *
 * The named-kid path (ERR_KEY_UNKNOWN_KID) needs a license that names a kid:
 * Cryptolens licenses name none, so `candidateKeys` is tested directly for it
 * in test/keys/ring.test.ts until native (COSE) licenses, which carry a kid,
 * can be verified here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR, type FixtureExpectation } from '../../scripts/make-fixtures.ts';
import { nodeBackend, verifyLicense, verifyLicenses, verifyLicenseSync, type Verdict, type VerifyOptions } from '../../src/index.node.ts';
import { buildCryptolensPayload, signCryptolensPayload } from '../../src/issuer/cryptolens.ts';
import { importPublicKey } from '../../src/keys/import.ts';
import type { KeyRingInput } from '../../src/keys/ring.ts';
import { keyId } from '../../src/keys/thumbprint.ts';
import { encodeUtf8 } from '../../src/lib/bytes.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const manifest = JSON.parse(read('licenses', 'manifest.json')) as FixtureExpectation[];
const license = (name: string): string => read('licenses', name);

const VENDOR_XML = read('keys', 'vendor-rsa2048.public.xml');
const VENDOR_PEM = read('keys', 'vendor-rsa2048.public.pem');
const VENDOR_JWK = JSON.parse(read('keys', 'vendor-rsa2048.public.jwk.json')) as Record<string, string>;
const OTHER_XML = read('keys', 'other-rsa2048.public.xml');
const OTHER_PEM = read('keys', 'other-rsa2048.public.pem');
const OTHER_JWK = JSON.parse(read('keys', 'other-rsa2048.public.jwk.json')) as Record<string, string>;
const WEAK_XML = read('keys', 'weak-rsa1024.public.xml');
const ED_PEM = read('keys', 'ed25519.public.pem');
const VENDOR_ID = keyId(importPublicKey(VENDOR_XML));
const OTHER_ID = keyId(importPublicKey(OTHER_XML));

const NOW = new Date('2026-06-01T00:00:00Z');
const ON_A = { now: NOW, machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] } as const;
const VALID = license('valid.skm');
const EXPIRED = license('expired.skm');

/** A license like valid.skm, signed with the other vendor key. */
const OTHER_SIGNED = await signCryptolensPayload(
  encodeUtf8(
    JSON.stringify(
      buildCryptolensPayload(
        { productId: 1001, key: 'OTHER-OTHER-OTHER-OTHER', created: new Date('2026-01-01T00:00:00Z'), expires: new Date('2027-01-01T00:00:00Z'), features: [1], allowedMachines: ['MACHINE-A'] },
        new Date('2026-01-15T00:00:00Z'),
      ),
    ),
  ),
  { privateJwk: JSON.parse(read('keys', 'other-rsa2048.private.jwk.json')) as Record<string, string>, backend: nodeBackend },
);

type Api = 'sync' | 'async' | 'batch';
const APIS: Api[] = ['sync', 'async', 'batch'];

/** The verdict through one of the three entry points (the batch's item 0). */
async function verdictOf(api: Api, input: string, options: VerifyOptions): Promise<Verdict> {
  if (api === 'sync') return verifyLicenseSync(input, options);
  if (api === 'async') return verifyLicense(input, options);
  const [result] = await verifyLicenses([input], options);
  if (!result!.ok) throw Object.assign(new Error(result!.error.message), { code: result!.error.code });
  return result!.verdict;
}

/** The code the call rejects with, or "no error". */
async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as { code?: string }).code ?? `untyped ${(error as Error).name}`;
  }
  return 'no error';
}

describe.each(APIS)('%s', (api) => {
  test('a ring [other, vendor] verifies a vendor license and says the vendor key did it', async () => {
    const v = await verdictOf(api, VALID, { ...ON_A, key: [OTHER_XML, VENDOR_XML] });
    expect(v.valid).toBe(true);
    expect(v.keyId).toBe(VENDOR_ID);
    expect(v.licenseKeyId).toBeNull();
    expect(v.reasons).toEqual([]);
  });

  test('the same ring verifies a license of the other key and says so', async () => {
    const v = await verdictOf(api, OTHER_SIGNED, { ...ON_A, key: [OTHER_XML, VENDOR_XML] });
    expect(v.valid).toBe(true);
    expect(v.keyId).toBe(OTHER_ID);
  });

  test('a ring holding only other keys: SIGNATURE_INVALID, no license, keyId null', async () => {
    const v = await verdictOf(api, VALID, { ...ON_A, key: [OTHER_XML, WEAK_XML, ED_PEM] });
    expect(v.valid).toBe(false);
    expect(v.reasons).toEqual(['SIGNATURE_INVALID']);
    expect(v.license).toBeNull();
    expect(v.keyId).toBeNull();
  });

  test('KEY_RETIRED once now is after notAfter; not at notAfter, not before', async () => {
    const at = (notAfter: Date | number): Promise<Verdict> => verdictOf(api, VALID, { ...ON_A, key: [OTHER_XML, { key: VENDOR_XML, notAfter }] });
    const after = await at(NOW.getTime() - 1);
    expect(after.valid).toBe(false);
    expect(after.reasons).toEqual(['KEY_RETIRED']);
    expect(after.keyId).toBe(VENDOR_ID);
    expect(after.license).not.toBeNull(); // the signature verified: the claims are trustworthy, the key is not any more
    expect(after.checks.find((c) => c.check === 'key')).toMatchObject({ ok: false, reason: 'KEY_RETIRED' });
    const exactly = await at(NOW);
    expect(exactly.valid).toBe(true);
    expect(exactly.checks.find((c) => c.check === 'key')).toMatchObject({ ok: true });
    const before = await at(new Date('2030-01-01T00:00:00Z'));
    expect(before.valid).toBe(true);
    expect(before.reasons).toEqual([]);
  });

  test('the clock tolerance gives a retired key that much longer, and no more', async () => {
    const opts = (notAfter: number): VerifyOptions => ({ ...ON_A, clockToleranceSeconds: 60, key: [{ key: VENDOR_XML, notAfter }] });
    expect((await verdictOf(api, VALID, opts(NOW.getTime() - 60_000))).reasons).toEqual([]);
    expect((await verdictOf(api, VALID, opts(NOW.getTime() - 60_001))).reasons).toEqual(['KEY_RETIRED']);
  });

  test('KEY_RETIRED is reported beside the license’s own reasons (EXPIRED)', async () => {
    const v = await verdictOf(api, EXPIRED, { ...ON_A, key: [{ key: VENDOR_XML, notAfter: 0 }] });
    expect(v.valid).toBe(false);
    expect([...v.reasons].sort()).toEqual(['EXPIRED', 'KEY_RETIRED']);
  });

  test('only the signer’s notAfter counts: a retired other key does not touch a vendor license', async () => {
    const v = await verdictOf(api, VALID, { ...ON_A, key: [{ key: OTHER_XML, notAfter: 0 }, VENDOR_XML] });
    expect(v.valid).toBe(true);
    expect(v.checks.some((c) => c.check === 'key')).toBe(false);
  });

  test('a JWK Set as text: a member’s exp (seconds) retires it', async () => {
    const set = (exp: number): string => JSON.stringify({ keys: [OTHER_JWK, { ...VENDOR_JWK, kid: 'vendor-2026', exp }] });
    const retired = await verdictOf(api, VALID, { ...ON_A, key: set(NOW.getTime() / 1000 - 1) });
    expect(retired.reasons).toEqual(['KEY_RETIRED']);
    expect(retired.keyId).toBe(VENDOR_ID);
    const current = await verdictOf(api, VALID, { ...ON_A, key: set(NOW.getTime() / 1000 + 86_400) });
    expect(current.valid).toBe(true);
    expect(current.keyId).toBe(VENDOR_ID); // the thumbprint, not the alias
  });

  test('an Ed25519 key in the ring is skipped for an RS256 license', async () => {
    const v = await verdictOf(api, VALID, { ...ON_A, key: [ED_PEM, VENDOR_PEM] });
    expect(v.valid).toBe(true);
    expect(v.algorithm).toBe('RS256');
    expect(v.keyId).toBe(VENDOR_ID);
  });

  test('a ring whose keys all fit no algorithm of the license: ERR_KEY_UNSUPPORTED', async () => {
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: [ED_PEM] }))).toBe('ERR_KEY_UNSUPPORTED');
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: [{ ...VENDOR_JWK, alg: 'PS256' }, ED_PEM] }))).toBe('ERR_KEY_UNSUPPORTED');
  });

  test('a retirement date at the edge of a Date still gives a verdict; one beyond it is refused up front, never a RangeError', async () => {
    const far = await verdictOf(api, VALID, { ...ON_A, key: [{ key: VENDOR_XML, notAfter: 8.64e15 }] });
    expect(far.valid).toBe(true);
    expect(far.checks.find((c) => c.check === 'key')?.detail).toContain('+275760-09-13T00:00:00.000Z');
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: [{ key: VENDOR_XML, notAfter: 1e300 }] }))).toBe('ERR_OPTION_INVALID');
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: JSON.stringify({ keys: [VENDOR_JWK] }).replace('"kty"', '"exp":1e300,"kty"') }))).toBe('ERR_KEY_INVALID');
  });

  test('a malformed ring is refused for the whole call with its code', async () => {
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: [] }))).toBe('ERR_OPTION_INVALID');
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: [VENDOR_XML, VENDOR_PEM] }))).toBe('ERR_KEY_INVALID');
    expect(await codeOf(() => verdictOf(api, VALID, { ...ON_A, key: { keys: [{ ...VENDOR_JWK, exp: 1e300 }] } }))).toBe('ERR_KEY_INVALID');
  });
});

test('the WebCrypto backend (async only) tries the candidates in turn as well', async () => {
  const v = await verifyLicense(VALID, { ...ON_A, backend: 'webcrypto', key: [OTHER_PEM, WEAK_XML, { key: VENDOR_JWK, notAfter: NOW.getTime() - 1 }] });
  expect(v.backend).toBe('webcrypto');
  expect(v.keyId).toBe(VENDOR_ID);
  expect(v.reasons).toEqual(['KEY_RETIRED']);
});

test('a batch mixing licenses of both keys reports each signer', async () => {
  const results = await verifyLicenses([VALID, OTHER_SIGNED, license('tampered-expires.skm'), VALID], { ...ON_A, key: [VENDOR_XML, { key: OTHER_XML, notAfter: 0 }] });
  expect(results.map((r) => (r.ok ? [r.verdict.keyId === VENDOR_ID ? 'vendor' : r.verdict.keyId === OTHER_ID ? 'other' : r.verdict.keyId, r.verdict.reasons] : r.error.code))).toEqual([
    ['vendor', []],
    ['other', ['KEY_RETIRED']],
    [null, ['SIGNATURE_INVALID']],
    ['vendor', []],
  ]);
});

describe('a ring holding the signer anywhere gives the single-key verdict', () => {
  /** Fixture licenses whose signer is one of the committed keys (tampered ones have none: their verdict is tested above). */
  const signed = manifest.filter((m) => m.file !== 'tampered-expires.skm').map((m) => ({
    file: m.file,
    text: license(m.file),
    signer: m.file === 'weak-1024.skm' ? WEAK_XML : VENDOR_XML,
    options: { ...(m.options as Record<string, unknown>), now: new Date(m.now) },
  }));
  /** Keys that are not the signer: the committed ones, generated RSA moduli (verify nothing), Ed25519 keys and PS256-bound JWKs. */
  const stranger = fc.oneof(
    fc.constantFrom<KeyRingInput>(OTHER_XML, OTHER_PEM, ED_PEM, { ...OTHER_JWK, alg: 'PS256' }),
    fc.uint8Array({ minLength: 256, maxLength: 256 }).map((n) => {
      const m = n.slice();
      m[0] = m[0]! | 0x80;
      m[255] = m[255]! | 1;
      return { kty: 'RSA', n: Buffer.from(m).toString('base64url'), e: 'AQAB' } as KeyRingInput;
    }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((x) => ({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(x).toString('base64url') }) as KeyRingInput),
  );
  /** Distinct strangers (a ring holds each key once), none of them the signer. */
  const strangers = fc.array(stranger, { maxLength: 5 }).map((keys) => {
    const seen = new Set<string>([VENDOR_ID, keyId(importPublicKey(WEAK_XML))]);
    return keys.filter((k) => {
      let id: string;
      try {
        id = keyId(importPublicKey(k as never));
      } catch {
        return false; // a generated Ed25519 point that import refuses
      }
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  });

  prop.prop([fc.constantFrom(...signed), strangers, fc.nat()], { numRuns: 60 })('verifyLicenseSync', (fixture, others, at) => {
    const position = at % (others.length + 1);
    const ring = [...others.slice(0, position), fixture.signer, ...others.slice(position)];
    const single = verifyLicenseSync(fixture.text, { ...fixture.options, key: fixture.signer } as VerifyOptions);
    expect(single.keyId).not.toBeNull();
    expect(verifyLicenseSync(fixture.text, { ...fixture.options, key: ring } as VerifyOptions)).toEqual(single);
  });

  prop.prop([fc.constantFrom(...signed), strangers, fc.nat()], { numRuns: 15 })('verifyLicense and verifyLicenses', async (fixture, others, at) => {
    const position = at % (others.length + 1);
    const ring = [...others.slice(0, position), fixture.signer, ...others.slice(position)];
    const single = verifyLicenseSync(fixture.text, { ...fixture.options, key: fixture.signer } as VerifyOptions);
    expect(await verifyLicense(fixture.text, { ...fixture.options, key: ring } as VerifyOptions)).toEqual(single);
    const [item] = await verifyLicenses([fixture.text], { ...fixture.options, key: ring } as VerifyOptions);
    expect(item).toEqual({ ok: true, verdict: single });
  });
});
