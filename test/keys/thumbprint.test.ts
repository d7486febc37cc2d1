/**
 * Key ids: `keyId` is the RFC 7638 SHA-256 JWK thumbprint. Checked against the
 * RFC's own example, against jose's `calculateJwkThumbprint`, and against a
 * computation written here from the RFC with node:crypto (key numbers read by
 * OpenSSL, not by licensekit), for every committed key and for generated ones;
 * one key written as XML, PEM or JWK has one id.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, test } from 'vitest';
import { importPublicKey } from '../../src/keys/import.ts';
import { createEd25519PublicKey } from '../../src/keys/public-key.ts';
import { keyId, thumbprintInput } from '../../src/keys/thumbprint.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const read = (name: string): string => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');

/** RFC 7638 §3.1 by hand: required members in lexicographic order, no whitespace, SHA-256, base64url. */
function rfc7638(jwk: { kty?: string; n?: string; e?: string; crv?: string; x?: string }): string {
  const json = jwk.kty === 'RSA' ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}` : `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;
  return createHash('sha256').update(json, 'utf8').digest('base64url');
}

/** The public JWK as OpenSSL reads the key (independent of licensekit's parsers). */
function opensslJwk(text: string): { kty?: string; n?: string; e?: string; crv?: string; x?: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return createPublicKey({ key: JSON.parse(trimmed) as never, format: 'jwk' }).export({ format: 'jwk' });
  return createPublicKey(trimmed).export({ format: 'jwk' });
}

/** The RFC 7638 §3.1 example key (also RFC 7517 appendix A.1) and its thumbprint as the RFC states it. */
const RFC_7638_JWK = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W' +
    '-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08q' +
    'NLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const RFC_7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

describe('RFC 7638 §3.1 example', () => {
  test('keyId gives the thumbprint the RFC states, and hashes exactly the RFC canonical text', async () => {
    const key = importPublicKey(RFC_7638_JWK);
    expect(keyId(key)).toBe(RFC_7638_THUMBPRINT);
    expect(thumbprintInput(key.jwk)).toBe(`{"e":"AQAB","kty":"RSA","n":"${RFC_7638_JWK.n}"}`);
    // The oracles agree with the RFC too, so the comparisons below are meaningful.
    expect(rfc7638(RFC_7638_JWK)).toBe(RFC_7638_THUMBPRINT);
    expect(await calculateJwkThumbprint(RFC_7638_JWK, 'sha256')).toBe(RFC_7638_THUMBPRINT);
  });

  test('optional members (alg, kid, use) do not change the id', () => {
    const { alg: _alg, kid: _kid, ...bare } = RFC_7638_JWK;
    expect(keyId(importPublicKey(bare))).toBe(RFC_7638_THUMBPRINT);
    expect(keyId(importPublicKey({ ...bare, use: 'sig', alg: 'PS256', kid: 'another' }))).toBe(RFC_7638_THUMBPRINT);
    expect(keyId(importPublicKey(JSON.stringify({ ...bare, kid: 'x' })))).toBe(RFC_7638_THUMBPRINT);
  });

  test('the id is 43 base64url characters (256 bits, no padding)', () => {
    expect(keyId(importPublicKey(RFC_7638_JWK))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('every committed key', () => {
  const FILES = [
    'vendor-rsa2048.public.xml',
    'vendor-rsa2048.public.pem',
    'vendor-rsa2048.public.pkcs1.pem',
    'vendor-rsa2048.public.jwk.json',
    'other-rsa2048.public.xml',
    'other-rsa2048.public.pem',
    'other-rsa2048.public.jwk.json',
    'weak-rsa1024.public.xml',
    'weak-rsa1024.public.pem',
    'weak-rsa1024.public.jwk.json',
    'ed25519.public.pem',
  ];

  test.each(FILES)('%s: keyId equals jose and the RFC computed over OpenSSL’s reading of the key', async (name) => {
    const text = read(name);
    const id = keyId(importPublicKey(text));
    const xml = name.endsWith('.xml');
    const reference = xml ? opensslJwk(read(name.replace('.xml', '.pem'))) : opensslJwk(text);
    expect(id).toBe(rfc7638(reference));
    expect(id).toBe(await calculateJwkThumbprint(reference as never, 'sha256'));
  });

  test('one key, one id: XML, PEM (SPKI and PKCS#1), JWK text and JWK object agree; different keys differ', () => {
    const ids = (family: string, files: string[]): Set<string> => new Set(files.map((f) => keyId(importPublicKey(read(`${family}.${f}`)))));
    const vendor = ids('vendor-rsa2048', ['public.xml', 'public.pem', 'public.pkcs1.pem', 'public.jwk.json']);
    vendor.add(keyId(importPublicKey(JSON.parse(read('vendor-rsa2048.public.jwk.json')) as Record<string, unknown>)));
    const other = ids('other-rsa2048', ['public.xml', 'public.pem', 'public.jwk.json']);
    const weak = ids('weak-rsa1024', ['public.xml', 'public.pem', 'public.jwk.json']);
    expect(vendor.size).toBe(1);
    expect(other.size).toBe(1);
    expect(weak.size).toBe(1);
    expect(new Set([...vendor, ...other, ...weak]).size).toBe(3);
  });

  test('the private key file’s public part has the public key’s id (jose computes the same from the private JWK)', async () => {
    const priv = JSON.parse(read('vendor-rsa2048.private.jwk.json')) as Record<string, string>;
    expect(await calculateJwkThumbprint(priv as never, 'sha256')).toBe(keyId(importPublicKey(read('vendor-rsa2048.public.xml'))));
  });
});

/** base64 of big-endian bytes (XML), base64url (JWK). */
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** An RSA public key's numbers: a 2048-bit odd modulus (top bit set) and an odd exponent ≥ 3. licensekit and OpenSSL take these without a primality test. */
const rsaNumbers = fc
  .record({
    n: fc.uint8Array({ minLength: 256, maxLength: 256 }),
    e: fc.oneof(fc.constant(Uint8Array.of(1, 0, 1)), fc.constant(Uint8Array.of(3)), fc.uint8Array({ minLength: 1, maxLength: 4 })),
  })
  .map(({ n, e }) => {
    const modulus = n.slice();
    modulus[0] = modulus[0]! | 0x80;
    modulus[255] = modulus[255]! | 1;
    const exponent = e.slice();
    exponent[0] = exponent[0] || 1;
    exponent[exponent.length - 1] = exponent[exponent.length - 1]! | 1;
    if (exponent.length === 1 && exponent[0]! < 3) exponent[0] = 3;
    return { n: modulus, e: exponent };
  });

describe('generated keys', () => {
  prop.prop([rsaNumbers], { numRuns: 60 })('RSA: XML, JWK and PEM of one key give one id, equal to jose’s and the RFC’s', async ({ n, e }) => {
    const jwk = { kty: 'RSA', n: b64u(n), e: b64u(e) };
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const xml = `<RSAKeyValue><Modulus>${b64(n)}</Modulus><Exponent>${b64(e)}</Exponent></RSAKeyValue>`;
    const id = keyId(importPublicKey(jwk));
    expect(keyId(importPublicKey(pem))).toBe(id);
    expect(keyId(importPublicKey(xml))).toBe(id);
    expect(keyId(importPublicKey(JSON.stringify(jwk)))).toBe(id);
    expect(id).toBe(rfc7638(jwk));
    expect(id).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  prop.prop([rsaNumbers], { numRuns: 30 })('RSA: a leading zero byte in the modulus (as XML writers may emit) does not change the id', ({ n, e }) => {
    const padded = new Uint8Array(257);
    padded.set(n, 1);
    const plain = keyId(importPublicKey({ kty: 'RSA', n: b64u(n), e: b64u(e) }));
    expect(keyId(importPublicKey(`<RSAKeyValue><Modulus>${b64(padded)}</Modulus><Exponent>${b64(e)}</Exponent></RSAKeyValue>`))).toBe(plain);
  });

  prop.prop([fc.uint8Array({ minLength: 32, maxLength: 32 })], { numRuns: 200 })('Ed25519: keyId equals jose’s and the RFC’s, from raw bytes, JWK and PEM', async (raw) => {
    let key;
    try {
      key = createEd25519PublicKey(raw);
    } catch {
      return; // small-order or non-canonical points are refused at import: no id to compare
    }
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(raw) };
    const id = keyId(key);
    expect(id).toBe(rfc7638(jwk));
    expect(id).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    expect(keyId(importPublicKey(jwk))).toBe(id);
    const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    expect(keyId(importPublicKey(`-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`))).toBe(id);
  });

  test('real generated key pairs (node:crypto): RSA 2048 and Ed25519, every written form has jose’s id', async () => {
    for (const type of ['rsa', 'ed25519'] as const) {
      const { publicKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      const jwk = publicKey.export({ format: 'jwk' });
      const expected = await calculateJwkThumbprint(jwk as never, 'sha256');
      expect(keyId(importPublicKey(jwk as Record<string, unknown>))).toBe(expected);
      expect(keyId(importPublicKey(publicKey.export({ type: 'spki', format: 'pem' }) as string))).toBe(expected);
      expect(keyId(importPublicKey(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))))).toBe(expected);
    }
  });

  prop.prop([rsaNumbers, rsaNumbers], { numRuns: 30 })('different keys have different ids', ({ n: n1, e: e1 }, { n: n2, e: e2 }) => {
    fc.pre(b64u(n1) !== b64u(n2) || b64u(e1) !== b64u(e2));
    expect(keyId(importPublicKey({ kty: 'RSA', n: b64u(n1), e: b64u(e1) }))).not.toBe(keyId(importPublicKey({ kty: 'RSA', n: b64u(n2), e: b64u(e2) })));
  });
});
