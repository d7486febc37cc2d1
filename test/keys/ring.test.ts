/**
 * Key rings: every form the `key` option accepts gives the keys in order with
 * their ids and retirement dates; every malformed ring is refused with a
 * stable code; `candidateKeys` picks by kid or by algorithm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { importPublicKey } from '../../src/keys/import.ts';
import { keyFitsAlgorithm, type PublicKey } from '../../src/keys/public-key.ts';
import { candidateKeys, importKeyRing, MAX_RING_KEYS, type KeyRing, type KeyRingInput } from '../../src/keys/ring.ts';
import { keyId } from '../../src/keys/thumbprint.ts';
import { KeyError, OptionError } from '../../src/lib/errors.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const read = (name: string): string => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const VENDOR_XML = read('vendor-rsa2048.public.xml');
const VENDOR_PEM = read('vendor-rsa2048.public.pem');
const VENDOR_JWK_TEXT = read('vendor-rsa2048.public.jwk.json');
const VENDOR_JWK = JSON.parse(VENDOR_JWK_TEXT) as Record<string, string>;
const OTHER_XML = read('other-rsa2048.public.xml');
const OTHER_JWK = JSON.parse(read('other-rsa2048.public.jwk.json')) as Record<string, string>;
const WEAK_JWK = JSON.parse(read('weak-rsa1024.public.jwk.json')) as Record<string, string>;
const ED_PEM = read('ed25519.public.pem');
const VENDOR_PRIVATE = JSON.parse(read('vendor-rsa2048.private.jwk.json')) as Record<string, string>;

const VENDOR = importPublicKey(VENDOR_XML);
const OTHER = importPublicKey(OTHER_XML);
const ED = importPublicKey(ED_PEM);
const VENDOR_ID = keyId(VENDOR);
const OTHER_ID = keyId(OTHER);
const ED_ID = keyId(ED);
const WEAK_ID = keyId(importPublicKey(WEAK_JWK));

/** The ring as plain data: kid, ids and notAfter of each entry, in order. */
const shape = (ring: KeyRing): { kid: string; ids: readonly string[]; notAfterMs: number | null }[] => ring.entries.map(({ kid, ids, notAfterMs }) => ({ kid, ids, notAfterMs }));

/** The error's class and code (or "no error"). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const cls = error instanceof KeyError ? 'KeyError' : error instanceof OptionError ? 'OptionError' : `untyped ${(error as Error).name}`;
    return `${cls} ${(error as { code?: string }).code}`;
  }
  return 'no error';
}

describe('accepted forms', () => {
  test.each<[string, KeyRingInput]>([
    ['XML text', VENDOR_XML],
    ['PEM text', VENDOR_PEM],
    ['JWK text', VENDOR_JWK_TEXT],
    ['JWK object', VENDOR_JWK],
    ['an imported PublicKey', VENDOR],
    ['DER bytes', new Uint8Array(Buffer.from(VENDOR_PEM.replace(/-----[^-]+-----|\s/g, ''), 'base64'))],
  ])('one key as %s: a ring of one entry, id = thumbprint, no notAfter', (_, input) => {
    const ring = importKeyRing(input);
    expect(shape(ring)).toEqual([{ kid: VENDOR_ID, ids: [VENDOR_ID], notAfterMs: null }]);
    expect(keyId(ring.entries[0]!.key)).toBe(VENDOR_ID);
  });

  test('an array of keys in mixed forms keeps its order', () => {
    const ring = importKeyRing([OTHER_XML, VENDOR_JWK, ED, JSON.stringify(WEAK_JWK)]);
    expect(ring.entries.map((e) => e.kid)).toEqual([OTHER_ID, VENDOR_ID, ED_ID, WEAK_ID]);
    expect(ring.entries.every((e) => e.notAfterMs === null)).toBe(true);
  });

  test('array members { key, notAfter, kid }: a Date or epoch ms, and an alias beside the thumbprint', () => {
    const ring = importKeyRing([
      { key: OTHER_XML, notAfter: new Date('2026-03-01T00:00:00Z'), kid: 'other-2025' },
      { key: VENDOR_JWK, notAfter: Date.UTC(2030, 0, 1) },
      { key: ED_PEM, kid: 'ed' },
      { key: WEAK_JWK },
    ]);
    expect(shape(ring)).toEqual([
      { kid: OTHER_ID, ids: [OTHER_ID, 'other-2025'], notAfterMs: Date.UTC(2026, 2, 1) },
      { kid: VENDOR_ID, ids: [VENDOR_ID], notAfterMs: Date.UTC(2030, 0, 1) },
      { kid: ED_ID, ids: [ED_ID, 'ed'], notAfterMs: null },
      { kid: WEAK_ID, ids: [WEAK_ID], notAfterMs: null },
    ]);
  });

  test('a kid equal to the thumbprint is not listed twice', () => {
    expect(shape(importKeyRing([{ key: VENDOR_XML, kid: VENDOR_ID }]))[0]!.ids).toEqual([VENDOR_ID]);
    expect(shape(importKeyRing({ keys: [{ ...VENDOR_JWK, kid: VENDOR_ID }] }))[0]!.ids).toEqual([VENDOR_ID]);
  });

  const SET = { keys: [{ ...OTHER_JWK, kid: 'old', exp: 1_772_323_200 }, { ...VENDOR_JWK, use: 'sig', alg: 'RS256' }, { kty: 'OKP', crv: 'Ed25519', x: (ED.jwk as { x: string }).x, exp: 1.5 }] };
  const SET_SHAPE = [
    { kid: OTHER_ID, ids: [OTHER_ID, 'old'], notAfterMs: 1_772_323_200_000 },
    { kid: VENDOR_ID, ids: [VENDOR_ID], notAfterMs: null },
    { kid: ED_ID, ids: [ED_ID], notAfterMs: 1500 },
  ];

  test.each<[string, KeyRingInput]>([
    ['an object', SET],
    ['JSON text', JSON.stringify(SET)],
    ['pretty JSON text with surrounding whitespace', `\n  ${JSON.stringify(SET, null, 2)}\n`],
    ['JSON text with a byte order mark (a file saved on Windows)', `\uFEFF${JSON.stringify(SET)}`],
  ])('a JWK Set as %s: exp (seconds) is notAfter, kid an alias, members in order', (_, input) => {
    expect(shape(importKeyRing(input))).toEqual(SET_SHAPE);
  });

  test('a JWK Set member\'s "alg" still binds the key to that algorithm', () => {
    const ring = importKeyRing(SET);
    expect(keyFitsAlgorithm(ring.entries[1]!.key, 'RS256')).toBe(true);
    expect(keyFitsAlgorithm(ring.entries[1]!.key, 'PS256')).toBe(false);
  });

  test('one JWK with exp and kid means the same as object or as text (the text form is not read as a bare key)', () => {
    const jwk = { ...VENDOR_JWK, kid: 'v1', exp: 2_000_000_000 };
    const expected = [{ kid: VENDOR_ID, ids: [VENDOR_ID, 'v1'], notAfterMs: 2_000_000_000_000 }];
    expect(shape(importKeyRing(jwk))).toEqual(expected);
    expect(shape(importKeyRing(JSON.stringify(jwk)))).toEqual(expected);
    expect(shape(importKeyRing([JSON.stringify(jwk)]))).toEqual(expected);
    expect(shape(importKeyRing([{ key: JSON.stringify(jwk) }]))).toEqual(expected);
  });

  test('a { key, notAfter } member whose JWK has its own exp keeps the earlier date, and both ids', () => {
    const early = importKeyRing([{ key: { ...VENDOR_JWK, exp: 1_000, kid: 'a' }, notAfter: 5_000_000, kid: 'b' }]);
    expect(shape(early)).toEqual([{ kid: VENDOR_ID, ids: [VENDOR_ID, 'a', 'b'], notAfterMs: 1_000_000 }]);
    const late = importKeyRing([{ key: { ...VENDOR_JWK, exp: 1_000 }, notAfter: 5 }]);
    expect(late.entries[0]!.notAfterMs).toBe(5);
  });

  test('a single { key, notAfter, kid } member outside an array is a ring of one', () => {
    expect(shape(importKeyRing({ key: VENDOR_XML, notAfter: 7, kid: 'solo' }))).toEqual([{ kid: VENDOR_ID, ids: [VENDOR_ID, 'solo'], notAfterMs: 7 }]);
  });

  test(`exactly ${MAX_RING_KEYS} keys are accepted`, () => {
    const keys = Array.from({ length: MAX_RING_KEYS }, (_, i) => ({ kty: 'OKP', crv: 'Ed25519', x: Buffer.alloc(32, i + 2).toString('base64url') }));
    expect(importKeyRing(keys).entries).toHaveLength(MAX_RING_KEYS);
    expect(importKeyRing({ keys }).entries).toHaveLength(MAX_RING_KEYS);
  });

  test('the ring and its entries are frozen', () => {
    const ring = importKeyRing([VENDOR_XML, { key: OTHER_XML, kid: 'x' }]);
    expect(Object.isFrozen(ring)).toBe(true);
    expect(Object.isFrozen(ring.entries)).toBe(true);
    for (const e of ring.entries) expect(Object.isFrozen(e) && Object.isFrozen(e.ids)).toBe(true);
  });
});

describe('refusals, each with its class and code', () => {
  const edKeys = (n: number): Record<string, string>[] => Array.from({ length: n }, (_, i) => ({ kty: 'OKP', crv: 'Ed25519', x: Buffer.alloc(32, (i % 200) + 2).toString('base64url') }));
  // eslint-disable-next-line no-sparse-arrays
  const hole = [, VENDOR_XML] as unknown as KeyRingInput;
  test.each<[string, () => unknown, string]>([
    ['an empty array', () => importKeyRing([]), 'OptionError ERR_OPTION_INVALID'],
    ['an array with a hole', () => importKeyRing(hole), 'OptionError ERR_OPTION_INVALID'],
    ['an array with a null member', () => importKeyRing([VENDOR_XML, null as never]), 'OptionError ERR_OPTION_INVALID'],
    ['an array with an undefined member', () => importKeyRing([undefined as never]), 'OptionError ERR_OPTION_INVALID'],
    [`${MAX_RING_KEYS + 1} keys in an array`, () => importKeyRing(edKeys(MAX_RING_KEYS + 1)), 'KeyError ERR_KEY_INVALID'],
    [`${MAX_RING_KEYS + 1} keys in a JWK Set`, () => importKeyRing({ keys: edKeys(MAX_RING_KEYS + 1) }), 'KeyError ERR_KEY_INVALID'],
    [`${MAX_RING_KEYS + 1} keys in JWK Set text`, () => importKeyRing(JSON.stringify({ keys: edKeys(MAX_RING_KEYS + 1) })), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set with no keys', () => importKeyRing({ keys: [] }), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set whose keys is not an array', () => importKeyRing({ keys: VENDOR_JWK } as never), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set with a hole', () => importKeyRing({ keys: hole as unknown as unknown[] }), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set with a null member', () => importKeyRing({ keys: [VENDOR_JWK, null] }), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set with a text member', () => importKeyRing({ keys: [VENDOR_XML] }), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set with a private key', () => importKeyRing({ keys: [OTHER_JWK, VENDOR_PRIVATE] }), 'KeyError ERR_KEY_PRIVATE'],
    ['JWK Set text with a private key', () => importKeyRing(JSON.stringify({ keys: [VENDOR_PRIVATE] })), 'KeyError ERR_KEY_PRIVATE'],
    ['an array with a private JWK', () => importKeyRing([OTHER_XML, VENDOR_PRIVATE]), 'KeyError ERR_KEY_PRIVATE'],
    ['a JWK Set with an EC key', () => importKeyRing({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] }), 'KeyError ERR_KEY_UNSUPPORTED'],
    ['exp as a string', () => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: '1772323200' }] }), 'KeyError ERR_KEY_INVALID'],
    ['exp null', () => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: null }] }), 'KeyError ERR_KEY_INVALID'],
    ['exp NaN', () => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: Number.NaN }] }), 'KeyError ERR_KEY_INVALID'],
    ['exp Infinity', () => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: Number.POSITIVE_INFINITY }] }), 'KeyError ERR_KEY_INVALID'],
    ['exp beyond any Date (1e300 seconds)', () => importKeyRing(`{"keys":[${JSON.stringify(VENDOR_JWK).replace('{', '{"exp":1e300,')}]}`), 'KeyError ERR_KEY_INVALID'],
    ['exp just beyond the last Date (8640000000001 seconds)', () => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: 8_640_000_000_001 }] }), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set member with a numeric kid', () => importKeyRing({ keys: [{ ...VENDOR_JWK, kid: 5 }] }), 'KeyError ERR_KEY_INVALID'],
    ['a JWK Set member with an empty kid', () => importKeyRing({ keys: [{ ...VENDOR_JWK, kid: '' }] }), 'KeyError ERR_KEY_INVALID'],
    ['one JWK with an object kid', () => importKeyRing({ ...VENDOR_JWK, kid: {} }), 'KeyError ERR_KEY_INVALID'],
    ['a member with a numeric kid', () => importKeyRing([{ key: VENDOR_XML, kid: 5 as never }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member with an empty kid', () => importKeyRing([{ key: VENDOR_XML, kid: '' }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member with notAfter as a string', () => importKeyRing([{ key: VENDOR_XML, notAfter: '2030-01-01' as never }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member with an Invalid Date', () => importKeyRing([{ key: VENDOR_XML, notAfter: new Date(Number.NaN) }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member with notAfter NaN', () => importKeyRing([{ key: VENDOR_XML, notAfter: Number.NaN }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member with notAfter beyond any Date (1e300 ms)', () => importKeyRing([{ key: VENDOR_XML, notAfter: 1e300 }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member with notAfter before any Date (-8.64e15 - 1 ms)', () => importKeyRing([{ key: VENDOR_XML, notAfter: -8.64e15 - 1 }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member whose key is missing', () => importKeyRing([{ key: undefined as never, kid: 'x' }]), 'OptionError ERR_OPTION_INVALID'],
    ['a member whose key is an array', () => importKeyRing([{ key: [VENDOR_XML] as never }]), 'KeyError ERR_KEY_INVALID'],
    ['the same key twice (XML and JWK)', () => importKeyRing([VENDOR_XML, VENDOR_JWK]), 'KeyError ERR_KEY_INVALID'],
    ['the same key twice with different notAfter', () => importKeyRing([{ key: VENDOR_XML, notAfter: 0 }, { key: VENDOR_PEM }]), 'KeyError ERR_KEY_INVALID'],
    ['the same key twice in a JWK Set', () => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: 1 }, VENDOR_JWK] }), 'KeyError ERR_KEY_INVALID'],
    ['an alias that is another key\'s thumbprint', () => importKeyRing([{ key: OTHER_XML, kid: VENDOR_ID }, VENDOR_XML]), 'KeyError ERR_KEY_INVALID'],
    ['one alias for two keys', () => importKeyRing([{ key: OTHER_XML, kid: 'current' }, { key: VENDOR_XML, kid: 'current' }]), 'KeyError ERR_KEY_INVALID'],
    ['not a key at all', () => importKeyRing('hello'), 'KeyError ERR_KEY_INVALID'],
    ['JSON text that is not valid JSON', () => importKeyRing('{"keys": [}'), 'KeyError ERR_KEY_INVALID'],
  ])('%s', (_, fn, expected) => {
    expect(refusal(fn)).toBe(expected);
  });

  test('a refused member is named in the message', () => {
    expect(() => importKeyRing([VENDOR_XML, OTHER_XML, null as never])).toThrow(/key\[2\]/);
    expect(() => importKeyRing({ keys: [VENDOR_JWK, { ...OTHER_JWK, exp: 'soon' }] })).toThrow(/member 1/);
    expect(() => importKeyRing([VENDOR_XML, OTHER_XML, { key: VENDOR_PEM }])).toThrow(/key\[2\].*key\[0\]|same key/);
  });

  test('a retirement date that verdicts could not print is refused at import, never later', () => {
    // Regression: notAfter 1e300 was accepted and every verdict under that key then threw a RangeError from toISOString.
    expect(refusal(() => importKeyRing([{ key: VENDOR_XML, notAfter: 8.64e15 }]))).toBe('no error');
    expect(refusal(() => importKeyRing([{ key: VENDOR_XML, notAfter: -8.64e15 }]))).toBe('no error');
    expect(refusal(() => importKeyRing({ keys: [{ ...VENDOR_JWK, exp: 8_640_000_000_000 }] }))).toBe('no error');
  });
});

describe('the string cache', () => {
  test('a different string never gets another string\'s ring', () => {
    const a = JSON.stringify({ keys: [{ ...VENDOR_JWK, exp: 100 }] });
    const b = JSON.stringify({ keys: [{ ...VENDOR_JWK, exp: 200 }] });
    const c = JSON.stringify({ keys: [OTHER_JWK, VENDOR_JWK] });
    for (let round = 0; round < 3; round++) {
      expect(importKeyRing(a).entries[0]!.notAfterMs).toBe(100_000);
      expect(importKeyRing(b).entries[0]!.notAfterMs).toBe(200_000);
      expect(importKeyRing(c).entries.map((e) => e.kid)).toEqual([OTHER_ID, VENDOR_ID]);
      expect(importKeyRing(VENDOR_XML).entries.map((e) => e.kid)).toEqual([VENDOR_ID]);
      expect(importKeyRing(OTHER_XML).entries.map((e) => e.kid)).toEqual([OTHER_ID]);
    }
  });

  test('the same string gives the same ring object (imported once)', () => {
    const text = JSON.stringify({ keys: [OTHER_JWK, { ...VENDOR_JWK, kid: 'same' }] });
    expect(importKeyRing(text)).toBe(importKeyRing(text));
  });

  prop.prop([fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 120 })], { numRuns: 30 })(
    'any sequence of many distinct strings (past the cache size) each gives its own ring',
    (picks) => {
      for (const i of picks) {
        const text = JSON.stringify({ keys: [{ ...VENDOR_JWK, exp: i + 1 }] });
        expect(importKeyRing(text).entries[0]!.notAfterMs).toBe((i + 1) * 1000);
      }
    },
  );

  test('a string that failed is not remembered as a ring, and a good one after it works', () => {
    const bad = JSON.stringify({ keys: [{ ...VENDOR_JWK, exp: 'x' }] });
    expect(refusal(() => importKeyRing(bad))).toBe('KeyError ERR_KEY_INVALID');
    expect(refusal(() => importKeyRing(bad))).toBe('KeyError ERR_KEY_INVALID');
    expect(importKeyRing(JSON.stringify({ keys: [VENDOR_JWK] })).entries[0]!.kid).toBe(VENDOR_ID);
  });
});

describe('candidateKeys', () => {
  const ring = importKeyRing([{ key: OTHER_XML, kid: 'old' }, { key: ED_PEM, kid: 'ed' }, { key: VENDOR_XML, kid: 'current' }]);
  const rs256 = (key: PublicKey): boolean => keyFitsAlgorithm(key, 'RS256');
  const eddsa = (key: PublicKey): boolean => keyFitsAlgorithm(key, 'EdDSA');
  const kids = (entries: readonly { kid: string }[]): string[] => entries.map((e) => e.kid);

  test('no kid: every key that fits the algorithm, in ring order', () => {
    expect(kids(candidateKeys(ring, null, rs256))).toEqual([OTHER_ID, VENDOR_ID]);
    expect(kids(candidateKeys(ring, null, eddsa))).toEqual([ED_ID]);
  });

  test('no kid and no key fits: every key (the caller then refuses with ERR_KEY_UNSUPPORTED)', () => {
    expect(kids(candidateKeys(importKeyRing([VENDOR_XML, OTHER_XML]), null, eddsa))).toEqual([VENDOR_ID, OTHER_ID]);
  });

  test('a kid picks exactly the key it names, by thumbprint or by alias', () => {
    expect(kids(candidateKeys(ring, VENDOR_ID, rs256))).toEqual([VENDOR_ID]);
    expect(kids(candidateKeys(ring, 'current', rs256))).toEqual([VENDOR_ID]);
    expect(kids(candidateKeys(ring, 'old', rs256))).toEqual([OTHER_ID]);
    expect(kids(candidateKeys(ring, 'ed', eddsa))).toEqual([ED_ID]);
  });

  test('a kid naming a key that does not fit the algorithm still gives that key (never another), so the caller refuses it', () => {
    expect(kids(candidateKeys(ring, 'ed', rs256))).toEqual([ED_ID]);
  });

  test.each(['unknown', VENDOR_ID.toLowerCase(), `${VENDOR_ID} `, '', 'x'.repeat(500)])('kid %j that no key answers to: KeyError ERR_KEY_UNKNOWN_KID naming it', (kid) => {
    let error: unknown;
    try {
      candidateKeys(ring, kid, rs256);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).code).toBe('ERR_KEY_UNKNOWN_KID');
    expect((error as Error).message).toContain(JSON.stringify(kid.slice(0, 80)));
    expect((error as Error).message.length).toBeLessThan(400);
  });
});
