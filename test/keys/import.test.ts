/** Key import: every accepted form, and a stable error code for every refused one. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importPublicKey } from '../../src/keys/import.ts';
import { exportPem, exportRsaKeyValueXml } from '../../src/keys/export.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const key = (name: string): string => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const xml = key('vendor-rsa2048.public.xml').trim();
const modulus = /<Modulus>(.*)<\/Modulus>/.exec(xml)![1]!;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `untyped ${(error as Error).name}`;
  }
  return 'no error';
}

describe('accepted key forms all give the same key', () => {
  const reference = importPublicKey(xml);
  test.each([
    ['PEM SPKI', key('vendor-rsa2048.public.pem')],
    ['PEM PKCS#1', key('vendor-rsa2048.public.pkcs1.pem')],
    ['JWK text', key('vendor-rsa2048.public.jwk.json')],
    ['JWK object', JSON.parse(key('vendor-rsa2048.public.jwk.json'))],
    ['XML with line breaks and indentation', `<?xml version="1.0"?>\n<RSAKeyValue>\n  <Modulus>\n    ${modulus.replace(/(.{64})/g, '$1\n    ')}\n  </Modulus>\r\n  <Exponent> AQAB </Exponent>\n</RSAKeyValue>\n`],
    ['XML with a comment and a BOM', `\uFEFF<!-- vendor key --><RSAKeyValue><Exponent>AQAB</Exponent><Modulus>${modulus}</Modulus></RSAKeyValue>`],
    ['DER bytes', Uint8Array.from(Buffer.from(key('vendor-rsa2048.public.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64'))],
  ])('%s', (_, input) => {
    const imported = importPublicKey(input as never);
    expect(imported.jwk).toEqual(reference.jwk);
    expect(imported.bits).toBe(2048);
    expect(imported.weak).toBe(false);
  });

  test('an imported key passes through import unchanged', () => {
    expect(importPublicKey(reference)).toBe(reference);
    expect(Object.isFrozen(reference)).toBe(true);
  });

  test('export then import round-trips (XML and PEM)', () => {
    expect(importPublicKey(exportRsaKeyValueXml(reference)).jwk).toEqual(reference.jwk);
    expect(importPublicKey(exportPem(reference)).jwk).toEqual(reference.jwk);
    expect(exportPem(reference).replace(/\s/g, '')).toBe(key('vendor-rsa2048.public.pem').replace(/\s/g, ''));
  });

  test('1024-bit RSA verifies but is weak; Ed25519 SPKI imports as EdDSA', () => {
    const weak = importPublicKey(key('weak-rsa1024.public.xml'));
    expect([weak.bits, weak.weak, weak.algorithm]).toEqual([1024, true, 'RS256']);
    const ed = importPublicKey(key('ed25519.public.pem'));
    expect([ed.type, ed.algorithm, ed.bits]).toEqual(['ed25519', 'EdDSA', 256]);
  });
});

describe('refused keys have stable codes', () => {
  test.each([
    ['a private key PEM', key('vendor-rsa2048.private.pem'), 'ERR_KEY_PRIVATE'],
    ['a private JWK', key('vendor-rsa2048.private.jwk.json'), 'ERR_KEY_PRIVATE'],
    ['a private RSAKeyValue', `<RSAKeyValue><Modulus>${modulus}</Modulus><Exponent>AQAB</Exponent><D>AQAB</D></RSAKeyValue>`, 'ERR_KEY_PRIVATE'],
    ['a certificate', key('certificate.pem'), 'ERR_KEY_CERTIFICATE'],
    ['an EC P-256 key', key('ec-p256.public.pem'), 'ERR_KEY_UNSUPPORTED'],
    ['an EC JWK', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }), 'ERR_KEY_UNSUPPORTED'],
    ['an RSA JWK claiming alg EdDSA', JSON.stringify({ ...JSON.parse(key('vendor-rsa2048.public.jwk.json')), alg: 'EdDSA' }), 'ERR_KEY_UNSUPPORTED'],
    ['a PublicKey look-alike object (not made by the importer)', { type: 'rsa', algorithm: 'RS256', bits: 4096, weak: false, jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }, 'ERR_KEY_UNSUPPORTED'],
    ['64 KB of BEGIN lines (linear scan, no complete block)', '-----BEGIN PUBLIC KEY-----\n'.repeat(2400), 'ERR_KEY_INVALID'],
    ['XML with junk after the root', `${xml}<junk/>`, 'ERR_KEY_INVALID'],
    ['XML with junk text inside', `<RSAKeyValue>hello<Modulus>${modulus}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['XML with an unknown element', `<RSAKeyValue><Modulus>${modulus}</Modulus><Exponent>AQAB</Exponent><Extra/></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['XML with mismatched tags', `<RSAKeyValue><Modulus>${modulus}</Exponent></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['XML with broken base64', `<RSAKeyValue><Modulus>${modulus.slice(0, 50)}!!</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['XML missing the exponent', `<RSAKeyValue><Modulus>${modulus}</Modulus></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['XML of another document', '<html><body>key</body></html>', 'ERR_KEY_INVALID'],
    ['an unterminated XML comment', '<!-- <RSAKeyValue>', 'ERR_KEY_INVALID'],
    ['a 512-bit modulus', `<RSAKeyValue><Modulus>${Buffer.alloc(64, 0xab).toString('base64')}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>`, 'ERR_KEY_TOO_SMALL'],
    ['an even modulus', `<RSAKeyValue><Modulus>${Buffer.alloc(256, 0xaa).toString('base64')}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['exponent 1', `<RSAKeyValue><Modulus>${modulus}</Modulus><Exponent>AQ==</Exponent></RSAKeyValue>`, 'ERR_KEY_INVALID'],
    ['a truncated PEM', key('vendor-rsa2048.public.pem').slice(0, 120), 'ERR_KEY_INVALID'],
    ['PEM with a corrupted body', key('vendor-rsa2048.public.pem').replace('MIIB', 'MIIC'), 'ERR_KEY_INVALID'],
    ['plain words', 'this is not a key', 'ERR_KEY_INVALID'],
    ['broken JSON', '{"kty": "RSA", ', 'ERR_KEY_INVALID'],
    ['an empty string', '', 'ERR_KEY_INVALID'],
    ['random bytes', Uint8Array.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]), 'ERR_KEY_INVALID'],
  ])('%s → %s', (_, input, code) => {
    expect(codeOf(() => importPublicKey(input as never))).toBe(code);
  });
});

describe('Ed25519 keys that would make forgery trivial are refused at import', () => {
  const SPKI_PREFIX = '302a300506032b6570032100';
  test.each([
    ['identity (order 1)', '0100000000000000000000000000000000000000000000000000000000000000'],
    ['order 4', '0000000000000000000000000000000000000000000000000000000000000000'],
    ['order 4 with the sign bit', '0000000000000000000000000000000000000000000000000000000000000080'],
    ['order 2 (y = p − 1)', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['order 8', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
    ['order 8 with the sign bit', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
    ['non-canonical y = p', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['non-canonical y = p + 1', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ])('%s', (_, hex) => {
    expect(codeOf(() => importPublicKey(Uint8Array.from(Buffer.from(SPKI_PREFIX + hex, 'hex'))))).toBe('ERR_KEY_INVALID');
    expect(codeOf(() => importPublicKey({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }))).toBe('ERR_KEY_INVALID');
  });
});
