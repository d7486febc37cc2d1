/**
 * Key binding: which algorithms an imported key verifies. An RSA key written
 * as XML, PEM, DER or a JWK without "alg" fits RS256 and PS256 (so a vendor's
 * Cryptolens key can verify native PS256 licenses); a JWK's "alg" binds it to
 * that one algorithm; an Ed25519 key fits EdDSA. `checkKeyFits` (the core's
 * check) and every backend follow `keyFitsAlgorithm`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { checkKeyFits } from '../../src/core/envelope.ts';
import { verifyLicenseSync } from '../../src/index.node.ts';
import { importPublicKey } from '../../src/keys/import.ts';
import { keyFitsAlgorithm, type PublicKey } from '../../src/keys/public-key.ts';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from '../../src/lib/algorithms.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const key = (name: string): string => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const rsaJwk = JSON.parse(key('vendor-rsa2048.public.jwk.json')) as Record<string, string>;
const edPem = key('ed25519.public.pem');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `untyped ${(error as Error).name}`;
  }
  return 'no error';
}

function fits(k: PublicKey): SignatureAlgorithm[] {
  return SIGNATURE_ALGORITHMS.filter((a) => keyFitsAlgorithm(k, a));
}

/** An envelope as a format adapter makes it (built untyped, so it fits the interface as it grows). */
function envelope(algorithm: SignatureAlgorithm) {
  return { format: 'native', signedBytes: new Uint8Array(1), signature: new Uint8Array(1), algorithm, keyId: null };
}

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).alg;
  delete (Object.prototype as Record<string, unknown>).algorithms;
});

describe('which algorithms a key fits', () => {
  test.each([
    ['Cryptolens XML', key('vendor-rsa2048.public.xml')],
    ['PEM SPKI', key('vendor-rsa2048.public.pem')],
    ['PEM PKCS#1', key('vendor-rsa2048.public.pkcs1.pem')],
    ['DER bytes', Uint8Array.from(Buffer.from(key('vendor-rsa2048.public.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64'))],
    ['a JWK without "alg"', rsaJwk],
    ['a 1024-bit XML key', key('weak-rsa1024.public.xml')],
  ])('an RSA key as %s fits RS256, PS256, and RS1 and PS256-MAX (where a format prescribes them), RS256 first', (_name, input) => {
    const k = importPublicKey(input as never);
    expect(fits(k)).toEqual(['RS256', 'PS256', 'RS1', 'PS256-MAX']);
    expect([k.algorithm, k.algorithms]).toEqual(['RS256', ['RS256', 'PS256', 'RS1', 'PS256-MAX']]);
    expect(Object.isFrozen(k.algorithms)).toBe(true);
  });

  test.each([['RS256'], ['PS256'], ['RS1']] as const)('an RSA JWK with "alg": "%s" fits that algorithm only (RS1: the JWK name WebCrypto gives for RSASSA-PKCS1-v1_5 with SHA-1)', (alg) => {
    const k = importPublicKey({ ...rsaJwk, alg });
    expect(fits(k)).toEqual([alg]);
    expect([k.algorithm, k.algorithms]).toEqual([alg, [alg]]);
  });

  test('the binding is in "algorithms" only: the key material and its JWK (kty, n, e: what an RFC 7638 key id hashes) are the same', () => {
    const [plain, rs, ps] = [rsaJwk, { ...rsaJwk, alg: 'RS256' }, { ...rsaJwk, alg: 'PS256' }].map((j) => importPublicKey(j));
    expect([rs!.jwk, ps!.jwk]).toEqual([plain!.jwk, plain!.jwk]);
    expect(Object.keys(plain!.jwk).sort()).toEqual(['e', 'kty', 'n']);
    expect([rs!.bits, ps!.bits, rs!.rsa, ps!.rsa]).toEqual([plain!.bits, plain!.bits, plain!.rsa, plain!.rsa]);
  });

  test('an Ed25519 key fits EdDSA only', () => {
    expect(fits(importPublicKey(edPem))).toEqual(['EdDSA']);
  });

  test.each([
    ['an RSA JWK with "alg": "PS384"', { ...rsaJwk, alg: 'PS384' }],
    ['an RSA JWK with "alg": "ps256" (names are case-sensitive)', { ...rsaJwk, alg: 'ps256' }],
    ['an RSA JWK with "alg": "EdDSA"', { ...rsaJwk, alg: 'EdDSA' }],
    ['an RSA JWK with "alg": "PS256-MAX" (licensekit\'s name for Keygen\'s PSS, not a JOSE one)', { ...rsaJwk, alg: 'PS256-MAX' }],
    ['an Ed25519 JWK with "alg": "RS1"', { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', alg: 'RS1' }],
    ['an RSA JWK with a numeric "alg"', { ...rsaJwk, alg: -37 }],
    ['an Ed25519 JWK with "alg": "PS256"', { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', alg: 'PS256' }],
  ])('%s is refused with ERR_KEY_UNSUPPORTED', (_name, jwk) => {
    expect(codeOf(() => importPublicKey(jwk as never))).toBe('ERR_KEY_UNSUPPORTED');
  });

  test('an "alg" inherited from a polluted Object.prototype binds nothing', () => {
    (Object.prototype as Record<string, unknown>).alg = 'RS256';
    expect(fits(importPublicKey({ kty: rsaJwk.kty!, n: rsaJwk.n!, e: rsaJwk.e! }))).toEqual(['RS256', 'PS256', 'RS1', 'PS256-MAX']);
  });

  test('a key-shaped object without its own "algorithms" fits its one "algorithm", whatever Object.prototype says', () => {
    (Object.prototype as Record<string, unknown>).algorithms = ['RS256', 'PS256', 'EdDSA'];
    const lookAlike = { type: 'rsa', algorithm: 'RS256', bits: 2048, weak: false, jwk: {} } as unknown as PublicKey;
    expect(fits(lookAlike)).toEqual(['RS256']);
  });
});

describe('checkKeyFits (the core check) follows the binding', () => {
  const unbound = importPublicKey(key('vendor-rsa2048.public.xml'));
  const rsOnly = importPublicKey({ ...rsaJwk, alg: 'RS256' });
  const psOnly = importPublicKey({ ...rsaJwk, alg: 'PS256' });
  const rs1Only = importPublicKey({ ...rsaJwk, alg: 'RS1' });
  const ed = importPublicKey(edPem);

  test.each([
    ['RS256', 'unbound RSA', 'no error', unbound],
    ['PS256', 'unbound RSA', 'no error', unbound],
    ['EdDSA', 'unbound RSA', 'ERR_KEY_UNSUPPORTED', unbound],
    ['RS256', 'RS256-bound RSA', 'no error', rsOnly],
    ['PS256', 'RS256-bound RSA', 'ERR_KEY_UNSUPPORTED', rsOnly],
    ['RS256', 'PS256-bound RSA', 'ERR_KEY_UNSUPPORTED', psOnly],
    ['PS256', 'PS256-bound RSA', 'no error', psOnly],
    ['RS1', 'RS1-bound RSA', 'no error', rs1Only],
    ['RS256', 'RS1-bound RSA', 'ERR_KEY_UNSUPPORTED', rs1Only],
    ['PS256-MAX', 'unbound RSA', 'no error', unbound],
    ['PS256-MAX', 'PS256-bound RSA', 'ERR_KEY_UNSUPPORTED', psOnly],
    ['PS256', 'Ed25519', 'ERR_KEY_UNSUPPORTED', ed],
    ['EdDSA', 'Ed25519', 'no error', ed],
  ] as const)('a %s license under a key that is %s: %s', (algorithm, _name, code, k) => {
    expect(codeOf(() => checkKeyFits(envelope(algorithm), k))).toBe(code);
    expect(code === 'no error').toBe(keyFitsAlgorithm(k, algorithm));
  });

  test('the "algorithms" allow-list is checked first: PS256 passes when listed, ERR_ALGORITHM_NOT_ALLOWED when not', () => {
    expect(codeOf(() => checkKeyFits(envelope('PS256'), unbound, ['PS256']))).toBe('no error');
    expect(codeOf(() => checkKeyFits(envelope('PS256'), unbound, ['RS256']))).toBe('ERR_ALGORITHM_NOT_ALLOWED');
    expect(codeOf(() => checkKeyFits(envelope('RS256'), psOnly, ['RS256', 'PS256']))).toBe('ERR_KEY_UNSUPPORTED');
  });
});

describe('through the public API (a Cryptolens license is RS256)', () => {
  const license = readFileSync(join(FIXTURES_DIR, 'licenses', 'valid.skm'), 'utf8');
  const xml = key('vendor-rsa2048.public.xml');
  const codeOfVerify = (options: Record<string, unknown>): string => codeOf(() => verifyLicenseSync(license, { key: xml, now: 0, ...options } as never));

  test('the "algorithms" option accepts PS256: a list without RS256 refuses the license (ERR_ALGORITHM_NOT_ALLOWED), not the option', () => {
    expect(codeOfVerify({ algorithms: ['PS256'] })).toBe('ERR_ALGORITHM_NOT_ALLOWED');
    expect(codeOfVerify({ algorithms: ['PS384'] })).toBe('ERR_OPTION_INVALID');
    expect(verifyLicenseSync(license, { key: xml, now: 0, algorithms: ['PS256', 'RS256'] }).license).not.toBeNull();
  });

  test('the vendor\'s XML key still verifies RS256 licenses; a JWK bound to PS256 is refused for them with ERR_KEY_UNSUPPORTED', () => {
    expect(verifyLicenseSync(license, { key: xml, now: 0 }).license).not.toBeNull();
    expect(codeOfVerify({ key: { ...rsaJwk, alg: 'PS256' } })).toBe('ERR_KEY_UNSUPPORTED');
    expect(verifyLicenseSync(license, { key: { ...rsaJwk, alg: 'RS256' }, now: 0 }).license).not.toBeNull();
  });
});
