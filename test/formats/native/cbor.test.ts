/**
 * The strict CBOR reader: it reads what cbor-x (the reference) writes exactly as
 * cbor-x reads it back, and refuses every construct two decoders could read
 * differently, always with ERR_CBOR_INVALID.
 */
import { fc, test } from '@fast-check/vitest';
import { Encoder } from 'cbor-x';
import { describe, expect } from 'vitest';
import { decodeCbor, type CborValue } from '../../../src/formats/native/cbor.ts';
import { decodeUtf8Portable } from '../../../src/lib/bytes.ts';
import { isLicenseKitError } from '../../../src/lib/errors.ts';

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));

/** Values strict CBOR can carry, in the shapes the reader returns (Maps with integer or text keys). */
const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -70000, max: 70000 }), fc.string({ maxLength: 6 })), tie('v')), { maxLength: 4, selector: ([k]) => k }).map((entries) => new Map(entries)),
  ),
})).v;

function normalise(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) return [...v].map(([k, x]) => [k, normalise(x)]);
  return v;
}

function code(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}

describe('strict CBOR reader', () => {
  test.prop([value], { numRuns: 300 })('reads what cbor-x writes as cbor-x reads it back', (v) => {
    const bytes = encoder.encode(v);
    expect(normalise(decodeCbor(bytes).value)).toEqual(normalise(encoder.decode(bytes)));
  });

  test.prop([fc.uint8Array({ maxLength: 64 })], { numRuns: 2000 })('arbitrary bytes decode or give ERR_CBOR_INVALID, nothing else', (bytes) => {
    expect(['ok', 'ERR_CBOR_INVALID']).toContain(code(() => decodeCbor(bytes, { topTag: 18 })));
  });

  test.prop([value, fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 300 })('changing one byte never crashes, and the result is ok or ERR_CBOR_INVALID', (v, at, delta) => {
    const bytes = Uint8Array.from(encoder.encode(v));
    const i = at % bytes.length;
    bytes[i] = (bytes[i]! + delta) & 0xff;
    expect(['ok', 'ERR_CBOR_INVALID']).toContain(code(() => decodeCbor(bytes)));
  });

  test.each([
    ['an indefinite-length array', '9f01ff'],
    ['an indefinite-length byte string', '5f4101ff'],
    ['an indefinite-length map', 'bf0101ff'],
    ['a repeated map key (cbor-x keeps the last)', 'a201010102'],
    ['a repeated text key', 'a2616101616102'],
    ['an integer not in its shortest form', '1805'],
    ['a length not in its shortest form', '590001' + '00'],
    ['an 8-byte integer that fits in 4', '1b00000000ffffffff'],
    ['an integer beyond 2^53 - 1', '1b0020000000000000'],
    ['a negative integer beyond -(2^53 - 1)', '3b001fffffffffffff'],
    ['a tag', 'c11a5f5e1000'],
    ['tag 18 where the caller allowed none', 'd28400a0f640'],
    ['undefined', 'f7'],
    ['a simple value', 'e0'],
    ['a one-byte simple value', 'f820'],
    ['a lone break', 'ff'],
    ['reserved additional information', '1c'],
    ['a byte after the item', '0000'],
    ['a truncated item', '1a0001'],
    ['a string running past the end', '6261'],
    ['text that is not UTF-8', '62c328'],
    ['text with an encoded surrogate', '63eda080'],
    ['a map key that is a byte string', 'a1410100'],
    ['a map key that is an array', 'a18000'],
    ['a map key that is a float', 'a1f93c0000'],
    ['nothing at all', ''],
  ])('refuses %s', (_, h) => {
    expect(code(() => decodeCbor(hex(h)))).toBe('ERR_CBOR_INVALID');
  });

  test('allows exactly the one tag the caller names, around the top item only', () => {
    expect(decodeCbor(hex('d28400a0f640'), { topTag: 18 })).toMatchObject({ tag: 18 });
    expect(decodeCbor(hex('8400a0f640'), { topTag: 18 })).toMatchObject({ tag: null });
    expect(code(() => decodeCbor(hex('d38400a0f640'), { topTag: 18 }))).toBe('ERR_CBOR_INVALID');
    expect(code(() => decodeCbor(hex('d2d28400a0f640'), { topTag: 18 }))).toBe('ERR_CBOR_INVALID');
    expect(code(() => decodeCbor(hex('81d200'), { topTag: 18 }))).toBe('ERR_CBOR_INVALID');
  });

  test('limits depth and item count', () => {
    const deep = new Uint8Array(40).fill(0x81);
    expect(code(() => decodeCbor(Uint8Array.of(...deep, 0x00)))).toBe('ERR_CBOR_INVALID');
    expect(code(() => decodeCbor(Uint8Array.of(...deep.subarray(0, 17), 0x00)))).toBe('ERR_CBOR_INVALID');
    expect(code(() => decodeCbor(Uint8Array.of(...deep.subarray(0, 16), 0x00)))).toBe('ok');
    const many = encoder.encode(new Array(5000).fill(0));
    expect(code(() => decodeCbor(many))).toBe('ERR_CBOR_INVALID');
    expect(code(() => decodeCbor(many, { maxItems: 5001 }))).toBe('ok');
    // A header that claims a huge array is refused before anything is allocated.
    expect(code(() => decodeCbor(hex('9b001fffffffffffff')))).toBe('ERR_CBOR_INVALID');
  });

  test('a "__proto__" key stays a map entry and reaches no prototype', () => {
    const bytes = encoder.encode(new Map([['__proto__', new Map([['polluted', true]])]]));
    const decoded = decodeCbor(bytes).value as Map<string, unknown>;
    expect(decoded.get('__proto__')).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('byte strings are views of the input: what a signature is checked over is what was received', () => {
    const bytes = hex('43010203');
    const view = decodeCbor(bytes).value as Uint8Array;
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(1);
  });

  // CBOR text on hosts without TextDecoder goes through lib/bytes' strict reader (it had one of its own until issue 8 §5's size work).
  test.prop([fc.uint8Array({ maxLength: 40 })], { numRuns: 2000 })('the UTF-8 reader for hosts without TextDecoder agrees with a fatal TextDecoder', (bytes) => {
    let expected: string | null;
    try {
      expected = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      expected = null;
    }
    expect(decodeUtf8Portable(bytes)).toBe(expected);
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 30 })], { numRuns: 300 })('the UTF-8 reader round-trips any text', (text) => {
    expect(decodeUtf8Portable(new TextEncoder().encode(text))).toBe(text);
  });

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 90 })], { numRuns: 1000 })('a CBOR text string is its UTF-8, or ERR_CBOR_INVALID at the string, on either reader', (bytes) => {
    let expected: string | null;
    try {
      expected = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      expected = null;
    }
    const item = Uint8Array.of(0x82, 0x00, ...(bytes.length < 24 ? [0x60 | bytes.length] : [0x78, bytes.length]), ...bytes);
    if (expected === null) expect(() => decodeCbor(item)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_INVALID', message: 'CBOR text string is not UTF-8 at byte 2' }));
    else expect(decodeCbor(item).value).toEqual([0, expected]);
  });
});
