/**
 * The native verify path was made cheaper (issue 8 §5, "Hot path, native") without changing what it accepts:
 * each rewritten step is held against the plain implementation it replaced, kept here as the reference.
 * - dearmor: one pass over the lines and one base64 decode, instead of split/regex per line; the same bytes,
 *   or the same error code and message, for any text;
 * - sigStructure: heads written in place; the same bytes as the CBOR array built from its parts;
 * - the COSE kid as text or hex, and the CBOR reader's short ASCII strings and repeated map keys.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ARMOR_BEGIN, ARMOR_END, armor, dearmor } from '../../../src/formats/native/armor.ts';
import { cborHead, parseCoseSign1, sigStructure } from '../../../src/formats/native/cose.ts';
import { decodeCbor, type CborValue } from '../../../src/formats/native/cbor.ts';
import { plain } from '../../../src/formats/native/read.ts';
import { decodeBase64 } from '../../../src/lib/bytes.ts';
import { LicenseInputError } from '../../../src/lib/errors.ts';

/** The dearmor this file's subject replaced, verbatim. */
function referenceDearmor(text: string): Uint8Array {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith(ARMOR_BEGIN)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured license starts with ${ARMOR_BEGIN}`);
  if (!trimmed.endsWith(ARMOR_END)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured license ends with ${ARMOR_END}, and nothing may follow it`);
  const lines = trimmed.slice(ARMOR_BEGIN.length, trimmed.length - ARMOR_END.length).split(/\r?\n/);
  if (lines.length < 3 || !/^[ \t]*$/.test(lines[0]!) || !/^[ \t]*$/.test(lines[lines.length - 1]!)) {
    throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armour lines must stand on lines of their own, with the base64 between them');
  }
  let b64 = '';
  for (const line of lines.slice(1, -1)) {
    const content = line.replace(/[ \t]+$/, '');
    if (!/^[A-Za-z0-9+/=]*$/.test(content)) throw new LicenseInputError('ERR_BASE64_INVALID', 'a line of the armoured license holds a character that is not base64');
    b64 += content;
  }
  if (b64.length === 0) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armoured license is empty');
  const bytes = decodeBase64(b64);
  if (typeof bytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `the armoured license is not valid base64 (${bytes})`);
  return bytes;
}

/** CBOR maps as the decoder gives them (integer and text keys, "__proto__" and number-like text among them), nested. */
const cborMapOfPlainData: fc.Arbitrary<Map<number | string, CborValue>> = fc.letrec<{ value: CborValue; map: Map<number | string, CborValue> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 4 }), fc.array(tie('value'), { maxLength: 3 }), tie('map')),
  map: fc
    .array(fc.tuple(fc.oneof(fc.constantFrom<number | string>('__proto__', 'constructor', '1', '0', 1, 0, -1, 'a', 'toString'), fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 })), tie('value')), { maxLength: 5 })
    .map((entries) => new Map(entries)),
})).map;

function outcome(f: () => Uint8Array): { bytes: number[] } | { code: string; message: string } {
  try {
    return { bytes: Array.from(f()) };
  } catch (error) {
    if (!(error instanceof LicenseInputError)) throw error;
    return { code: error.code, message: error.message };
  }
}

/** Armour-like texts: real armour cut and edited where it matters (line ends, blanks, padding, foreign characters, the BOM). */
const armourish: fc.Arbitrary<string> = fc
  .tuple(
    fc.uint8Array({ minLength: 0, maxLength: 80 }),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('\r\n', '\n', '\r', ' ', '\t', '=', '==', '-', '_', '*', '', 'A', '\n\n', ' \n', '\t\r\n', '\uFEFF', '\u00a0', '-----', ARMOR_END, ARMOR_BEGIN),
        fc.nat({ max: 3 }),
      ),
      { maxLength: 4 },
    ),
    fc.constantFrom('', '\uFEFF', '  \n', '\uFEFF\n '),
    fc.nat({ max: 70 }),
  )
  .map(([bytes, edits, prefix, width]) => {
    let text = armor(bytes);
    if (width > 0) text = text.replace(/^([A-Za-z0-9+/=]+)$/gm, (line) => line.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n'));
    for (const [at, insert, cut] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + cut);
    }
    return prefix + text;
  });

describe('the native hot path reads exactly what the plain implementation read', () => {
  test.prop([armourish], { numRuns: 3000 })('dearmor: the same bytes, or the same error code and message', (text) => {
    expect(outcome(() => dearmor(text))).toEqual(outcome(() => referenceDearmor(text)));
  });

  test('dearmor: hand-picked edges agree with the reference', () => {
    const body = armor(Uint8Array.of(1, 2, 3, 4, 5));
    const cases = [
      body,
      body.replace(/\n/g, '\r\n'),
      body.replace('\n', ' \t\n'),
      body.replace(/\n(?=-----END)/, '\r\r\n'),
      `${ARMOR_BEGIN}\n\n${ARMOR_END}`,
      `${ARMOR_BEGIN}${ARMOR_END}`,
      '-----BEGIN LICENSEKIT LICENSE-----END LICENSEKIT LICENSE-----',
      `${ARMOR_BEGIN}\nAQIDBAU=\n`,
      `${ARMOR_BEGIN}\nAQID BAU=\n${ARMOR_END}`,
      `${ARMOR_BEGIN}\nAQIDBAV=\n${ARMOR_END}`,
      `${ARMOR_BEGIN}\nAQ=IDBAU\n${ARMOR_END}`,
      `${ARMOR_BEGIN}\nAQIDBAU\n${ARMOR_END}`,
      `${ARMOR_BEGIN}\nAQID-AU=\n${ARMOR_END}`,
      `\uFEFF\uFEFF${body}`,
    ];
    for (const text of cases) expect(outcome(() => dearmor(text)), JSON.stringify(text)).toEqual(outcome(() => referenceDearmor(text)));
    expect(Array.from(dearmor(body))).toEqual([1, 2, 3, 4, 5]);
  });

  test.prop([fc.uint8Array({ maxLength: 300 }), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(255, 256, 65535, 65536).map((n) => new Uint8Array(n).fill(7)))], { numRuns: 100 })(
    'sigStructure: the CBOR array ["Signature1", protected, h\'\', payload] built from its parts',
    (protectedBytes, payload) => {
      const parts = [Uint8Array.of(0x84, 0x6a, ...Array.from('Signature1', (c) => c.charCodeAt(0))), cborHead(2, protectedBytes.length), protectedBytes, Uint8Array.of(0x40), cborHead(2, payload.length), payload];
      const expected = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        expected.set(p, at);
        at += p.length;
      }
      expect(Buffer.from(sigStructure(protectedBytes, payload)).equals(expected)).toBe(true);
      const decoded = decodeCbor(sigStructure(protectedBytes, payload)).value as unknown[];
      expect(decoded[0]).toBe('Signature1');
      expect(Buffer.from(decoded[3] as Uint8Array).equals(payload)).toBe(true);
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 256 })])('kid: printable ASCII as text, anything else as lowercase hex', (kid) => {
    const protectedBytes = Uint8Array.of(0xa2, 0x01, 0x27, 0x04, ...cborHead(2, kid.length), ...kid);
    const message = Uint8Array.of(0xd2, 0x84, ...cborHead(2, protectedBytes.length), ...protectedBytes, 0xa0, 0x41, 0xa0, 0x40);
    const printable = kid.every((b) => b >= 0x21 && b <= 0x7e);
    const expected = printable ? String.fromCharCode(...kid) : Array.from(kid, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(parseCoseSign1(message).keyId).toBe(expected);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 100 })])('CBOR text strings of any length and content read back as written', (text) => {
    const utf8 = new TextEncoder().encode(text);
    expect(decodeCbor(Uint8Array.of(...cborHead(3, utf8.length), ...utf8)).value).toBe(text);
  });

  test.prop([fc.array(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), minLength: 3, maxLength: 3 }), { maxLength: 20 })])(
    'short ASCII strings of one length, one after another, each read back as written (their codes share one array)',
    (texts) => {
      const bytes = Uint8Array.of(...cborHead(4, texts.length), ...texts.flatMap((t) => [...cborHead(3, t.length), ...Array.from(t, (c) => c.charCodeAt(0))]));
      expect(decodeCbor(bytes).value).toEqual(texts);
    },
  );

  test.prop([cborMapOfPlainData])('plain(): the same null-prototype frozen records as when each property was defined read-only', (map) => {
    const reference = (value: CborValue): unknown => {
      if (value instanceof Map) {
        const out = Object.create(null) as Record<string, unknown>;
        for (const [k, v] of value) {
          if (Object.hasOwn(out, String(k))) throw new LicenseInputError('ERR_PAYLOAD_INVALID', 'same name');
          Object.defineProperty(out, String(k), { value: reference(v), enumerable: true });
        }
        return Object.freeze(out);
      }
      if (Array.isArray(value)) return Object.freeze(value.map(reference));
      if (value instanceof Uint8Array) return value.slice();
      return value;
    };
    const described = (value: unknown): unknown => {
      if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
      const descriptors = Object.getOwnPropertyDescriptors(value) as Record<string, PropertyDescriptor>;
      return {
        proto: Object.getPrototypeOf(value) === null ? null : 'some',
        frozen: Object.isFrozen(value),
        keys: Reflect.ownKeys(value),
        props: Object.fromEntries(Object.entries(descriptors).map(([k, d]) => [k, { ...d, value: described(d.value) }])),
      };
    };
    let expected: unknown;
    try {
      expected = described(reference(map));
    } catch {
      expect(() => plain(map)).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID' }));
      return;
    }
    expect(described(plain(map))).toEqual(expected);
  });

  test('a repeated map key is refused with ERR_CBOR_INVALID, the first and the last pair alike', () => {
    for (const hex of ['a201010101', 'a3010102020101', 'a2616101616102']) {
      const bytes = Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
      expect(() => decodeCbor(bytes)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_INVALID', message: expect.stringContaining('repeats the key') }));
    }
  });
});
