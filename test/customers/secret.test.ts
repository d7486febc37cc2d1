/**
 * Customer secrets: the two forms Cryptolens makes (GUID v4, four groups of
 * five capitals), drawn from the CSPRNG without modulo bias, and the reader of
 * a secret a person typed or a vendor imported.
 */
import { fc, test as prop } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { generateCustomerSecret, parseCustomerSecret } from '../../src/customers/secret.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';

const GUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEY_FORM = /^[A-Z]{5}-[A-Z]{5}-[A-Z]{5}-[A-Z]{5}$/;

/** A random source that hands out `bytes` in order, cycling. */
function fixed(bytes: readonly number[]) {
  let at = 0;
  return (out: Uint8Array) => {
    for (let i = 0; i < out.length; i++) out[i] = bytes[at++ % bytes.length]!;
    return out;
  };
}

/** Pearson's chi-square statistic of `counts` against a uniform distribution. */
function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe('generateCustomerSecret', () => {
  test('a fixed random source gives a fixed secret in each form (version and variant bits set; letters by byte % 26)', () => {
    expect(generateCustomerSecret('guid', fixed(Array.from({ length: 16 }, (_, i) => i)))).toBe('00010203-0405-4607-8809-0a0b0c0d0e0f');
    expect(generateCustomerSecret('guid', fixed([0xff]))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(generateCustomerSecret('key', fixed(Array.from({ length: 32 }, (_, i) => i)))).toBe('ABCDE-FGHIJ-KLMNO-PQRST');
  });

  test('bytes 234-255 are drawn again, never folded onto A-V (rejection sampling)', () => {
    // 22 rejected bytes then 25 (Z): folding 234 % 26 would give A.
    const source = fixed([...Array.from({ length: 22 }, (_, i) => 234 + i), 25, 25, 25, 25, 25, 25, 25, 25, 25, 25]);
    expect(generateCustomerSecret('key', source)).toBe('ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ');
  });

  test('the default form is the GUID; both forms have their shape', () => {
    expect(generateCustomerSecret()).toMatch(GUID_V4);
    for (let i = 0; i < 200; i++) {
      expect(generateCustomerSecret('guid')).toMatch(GUID_V4);
      expect(generateCustomerSecret('key')).toMatch(KEY_FORM);
    }
  });

  prop.prop([fc.uint8Array({ minLength: 64, maxLength: 64 })], { numRuns: 200 })('any random bytes give a well-formed secret that the reader reads back unchanged', (bytes) => {
    for (const format of ['guid', 'key'] as const) {
      const secret = generateCustomerSecret(format, fixed([...bytes, 0]));
      expect(secret).toMatch(format === 'guid' ? GUID_V4 : KEY_FORM);
      expect(parseCustomerSecret(secret)).toEqual({ secret, format });
    }
  });

  test('letters are uniform (chi-square over 200,000 letters); the same test catches byte % 26 folding', () => {
    const counts = new Array<number>(26).fill(0);
    for (let i = 0; i < 10_000; i++) for (const c of generateCustomerSecret('key').replace(/-/g, '')) counts[c.charCodeAt(0) - 65]!++;
    // 25 degrees of freedom: P(chi2 > 80) is below 1e-6 for a uniform source.
    expect(chiSquare(counts)).toBeLessThan(80);
    // The same count of letters with modulo bias (no rejection): A-V 10/256 each, W-Z 9/256.
    const biased = new Array<number>(26).fill(0);
    for (let i = 0; i < 200_000; i += 50_000) for (const b of crypto.getRandomValues(new Uint8Array(50_000))) biased[b % 26]!++;
    expect(chiSquare(biased)).toBeGreaterThan(80);
  });

  test('GUID hex digits are uniform (the 30 random nibbles; the variant nibble is one of 8, 9, a, b)', () => {
    const counts = new Array<number>(16).fill(0);
    const variant = new Map<string, number>();
    for (let i = 0; i < 5_000; i++) {
      const hex = generateCustomerSecret('guid').replace(/-/g, '');
      for (let k = 0; k < 32; k++) if (k !== 12 && k !== 16) counts[parseInt(hex[k]!, 16)]!++;
      variant.set(hex[16]!, (variant.get(hex[16]!) ?? 0) + 1);
    }
    // 15 degrees of freedom: P(chi2 > 60) is below 1e-6.
    expect(chiSquare(counts)).toBeLessThan(60);
    expect([...variant.keys()].sort()).toEqual(['8', '9', 'a', 'b']);
  });

  test('an unknown format is ERR_OPTION_INVALID', () => {
    expect(() => generateCustomerSecret('uuid' as never)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });
});

describe('parseCustomerSecret', () => {
  test('trims, reads a GUID in any case (lowercase out) and a key-form secret in any case (capitals out)', () => {
    expect(parseCustomerSecret('  6DFFDA95-05CB-4754-BB49-C4A0BE6EA647\r\n')).toEqual({ secret: '6dffda95-05cb-4754-bb49-c4a0be6ea647', format: 'guid' });
    expect(parseCustomerSecret('wpigp-uphht-inuyj-msdtj')).toEqual({ secret: 'WPIGP-UPHHT-INUYJ-MSDTJ', format: 'key' });
    // An imported GUID need not be version 4 (a time-based one from another system).
    expect(parseCustomerSecret('c232ab00-9414-11ec-b3c8-9e6bdeced846').format).toBe('guid');
  });

  const refused = (input: unknown, checkMessage = true): void => {
    let caught: unknown;
    try {
      parseCustomerSecret(input);
    } catch (error) {
      caught = error;
    }
    expect(isLicenseKitError(caught) && caught.code === 'ERR_OPTION_INVALID', String(input)).toBe(true);
    if (checkMessage && typeof input === 'string' && input.trim().length > 3) expect((caught as Error).message).not.toContain(input.trim());
  };

  test('garbage is ERR_OPTION_INVALID, and the message never repeats what was typed', () => {
    for (const input of ['', '   ', 'QWERT-ASDFG-ZXCVB', 'QWERT-ASDFG-ZXCVB-POIU1', 'QWERTASDFGZXCVBPOIUY', '1b4e28ba-2fa1-41d2-883f-0016d3cca42', '1b4e28ba2fa141d2883f0016d3cca427', '{1b4e28ba-2fa1-41d2-883f-0016d3cca427}', 'ÄWERT-ASDFG-ZXCVB-POIUY', 'x'.repeat(10_000), null, undefined, 42, {}]) {
      refused(input);
    }
  });

  prop.prop([fc.string({ maxLength: 60 })], { numRuns: 200 })('an arbitrary string is a secret in one of the two shapes, or ERR_OPTION_INVALID', (input) => {
    const t = input.trim();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t) || /^[A-Z]{5}(-[A-Z]{5}){3}$/i.test(t)) expect(parseCustomerSecret(input).secret.toLowerCase()).toBe(t.toLowerCase());
    else refused(input, false); // the message's own examples may contain a short random string
  });
});
