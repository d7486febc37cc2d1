/** Round-trip laws of the engine-independent byte helpers, against Node's own codecs. */
import { fc, test } from '@fast-check/vitest';
import { asciiLowerCase } from '../../src/formats/cryptolens/field-names.ts';
import { expect } from 'vitest';
import { copyBytes, decodeBase64, decodeBase64Portable, decodeBase64Url, decodeUtf8Portable, encodeBase64, encodeBase64Url, encodeUtf8Portable } from '../../src/lib/bytes.ts';

test.prop([fc.uint8Array({ maxLength: 300 })])('base64 and base64url round-trip and match Buffer', (bytes) => {
  expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  expect(encodeBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
  expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
  expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes);
});

test.prop([fc.string({ maxLength: 80 })])('base64 decoding accepts only canonical text', (text) => {
  const decoded = decodeBase64(text);
  if (typeof decoded !== 'string') expect(encodeBase64(decoded).replace(/=+$/, '')).toBe(text.replace(/=+$/, ''));
});

test.prop([fc.string({ unit: 'grapheme', maxLength: 200 })])('UTF-8 round-trips and matches TextEncoder/TextDecoder', (text) => {
  const bytes = encodeUtf8Portable(text);
  expect(bytes).toEqual(new TextEncoder().encode(text));
  expect(decodeUtf8Portable(bytes)).toBe(text);
});

test.prop([fc.uint8Array({ maxLength: 64 })])('the portable UTF-8 decoder refuses exactly what a fatal TextDecoder refuses', (bytes) => {
  let expected: string | null;
  try {
    expected = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    expected = null;
  }
  expect(decodeUtf8Portable(bytes)).toBe(expected);
});

test.prop([
  fc.oneof(
    fc.base64String({ maxLength: 64 }),
    fc.string({ maxLength: 64 }),
    fc.string({ unit: fc.constantFrom(...'AB+/-_=a \n'), maxLength: 24 }),
    // Characters Buffer reads by their low byte ('Ł' U+0141 as 'A', 'ł' U+0142 as 'B'), or skips (U+0100, 'Á', NUL, a lone surrogate).
    fc.string({ unit: fc.constantFrom(...'AQgw+/=', '\u0141', '\u0142', '\u012f', '\u0100', '\u00c1', '\u0000', '\ud800', '\u2b2f'), maxLength: 16 }),
    fc.tuple(fc.base64String({ minLength: 4, maxLength: 40 }), fc.nat(), fc.constantFrom('\u0141', '\u0142', '-', '_', '=', ' ', '\u00c1', '\u0161')).map(([b, i, c]) => {
      const at = i % b.length;
      return b.slice(0, at) + c + b.slice(at + 1);
    }),
    // Around the 4 KiB above which the bytes are no longer carved from the shared slab (buffer.ts), whole or with one character changed.
    fc.tuple(fc.uint8Array({ minLength: 4090, maxLength: 4102 }), fc.option(fc.tuple(fc.nat(), fc.constantFrom('\u0141', '-', '=', ' ', '*')), { nil: undefined })).map(([bytes, change]) => {
      const b = Buffer.from(bytes).toString('base64');
      if (change === undefined) return b;
      const at = change[0] % b.length;
      return b.slice(0, at) + change[1] + b.slice(at + 1);
    }),
  ),
], { numRuns: 3000 })(
  'the Buffer fast path accepts and refuses exactly what the portable decoder does',
  (text) => {
    const fast = decodeBase64(text);
    const portable = decodeBase64Portable(text);
    if (typeof portable === 'string') expect(typeof fast).toBe('string');
    else expect(fast).toEqual(portable);
  },
);

test.prop([fc.string({ maxLength: 40 })])('asciiLowerCase lowers exactly A-Z and leaves every other character as it is', (text) => {
  const lowered = asciiLowerCase(text);
  expect(lowered.length).toBe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    expect(lowered[i]).toBe(c >= 'A' && c <= 'Z' ? c.toLowerCase() : c);
  }
});

test.prop([fc.array(fc.uint8Array({ maxLength: 5000 }), { minLength: 1, maxLength: 40 })], { numRuns: 40 })(
  'byte arrays carved from the shared slab never overlap: each keeps its bytes while later ones are decoded and copied',
  (inputs) => {
    const kept: [Uint8Array, Uint8Array][] = [];
    for (const bytes of inputs) {
      const decoded = decodeBase64(Buffer.from(bytes).toString('base64'));
      if (typeof decoded === 'string') throw new Error(decoded);
      kept.push([decoded, bytes], [copyBytes(bytes), bytes]);
    }
    for (const [got, want] of kept) expect(got).toEqual(want);
  },
);
