/**
 * readNativeLicense was rewritten for speed (issue 8 §5: the claims read once into slots, records filled with plain
 * stores, the customer's empty extras shared); this holds it to the reader it replaced (read-reference.ts, verbatim):
 * for claims sets with every known claim given values of every type, unknown claims (integer and text keys, some
 * reading the same as text), and customer maps with and without fields the model does not name, the same License
 * (every field, Dates and frozen records included), or the same error code and message.
 */
import { fc, test } from '@fast-check/vitest';
import { Encoder } from 'cbor-x';
import { describe, expect } from 'vitest';
import type { CborMap, CborValue } from '../../../src/formats/native/cbor.ts';
import { NATIVE_CLAIMS } from '../../../src/formats/native/claims.ts';
import { cborHead } from '../../../src/formats/native/cose.ts';
import { nativeAdapter } from '../../../src/formats/native/index.ts';
import { readNativeLicense, readNativeLicensePayload } from '../../../src/formats/native/read.ts';
import { LicenseInputError } from '../../../src/lib/errors.ts';
import { decodeClaims as referenceDecode, readNativeLicense as referenceRead } from './read-reference.ts';

/** Everything observable about a value: its data, prototype kind, frozenness and own keys, recursively. */
function described(value: unknown): unknown {
  if (value instanceof Date) return { date: value.getTime() };
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  return {
    proto: proto === null ? 'null' : proto === Object.prototype ? 'object' : proto === Array.prototype ? 'array' : 'other',
    frozen: Object.isFrozen(value),
    entries: Reflect.ownKeys(value).map((k) => [String(k), described((value as Record<string | symbol, unknown>)[k])]),
  };
}

function outcome<T>(read: (input: T) => unknown, input: T): unknown {
  try {
    return described(read(input));
  } catch (error) {
    if (!(error instanceof LicenseInputError)) throw error;
    return { code: error.code, message: error.message };
  }
}

const leaf: fc.Arbitrary<CborValue> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', '1001', '0', '01', 'acme', 'MACHINE-A', '-0', '1.5', '1e3', ' 1', '0x10', '999999999999999', '1000000000000000', '100000000000000.0'),
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(1_780_000_000, 1_780_000_000.5, 8.7e12, -1, 2 ** 53, Number.NaN, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 3 }),
  fc.constantFrom(new Uint8Array(16).fill(7), new Uint8Array(32).fill(9), new Uint8Array(65)),
);
const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(fc.oneof(fc.string({ maxLength: 4 }), tie('v')), { maxLength: 3 }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom<number | string>('id', 'name', 'email', 'company', 'tier', '__proto__', '1', 1, -2), fc.string({ maxLength: 3 })), tie('v')), { maxLength: 4 }).map((e) => new Map(e) as CborMap),
  ),
})).v;

const KNOWN_KEYS = Object.values(NATIVE_CLAIMS).map((c) => c.key);
const customerMap: fc.Arbitrary<CborMap> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom<number | string>('id', 'name', 'email', 'company'), fc.constantFrom<number | string>('phone', '__proto__', 1, '1')), fc.oneof(fc.string({ maxLength: 5 }), leaf)), { maxLength: 6 })
  .map((e) => new Map(e));

const claimsSet: fc.Arbitrary<CborMap> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...KNOWN_KEYS), value), { maxLength: 12 }),
    fc.array(fc.tuple(fc.oneof(fc.integer({ min: -70000, max: 100 }), fc.constantFrom<number | string>('4', '100', 'x', '__proto__')), value), { maxLength: 3 }),
    fc.option(customerMap, { nil: undefined }),
  )
  .map(([known, unknown, customer]) => {
    const map = new Map<number | string, CborValue>([...known, ...unknown]);
    if (customer !== undefined) map.set(NATIVE_CLAIMS.customer.key, customer);
    return map;
  });

/** A license the issuer would write, with a few fields changed: the common case must agree too, not only errors. */
const plausible: fc.Arbitrary<CborMap> = fc
  .record({
    customer: fc.option(customerMap.filter((m) => [...m].every(([k, v]) => typeof k === 'string' && typeof v === 'string')), { nil: undefined }),
    metadata: fc.option(fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer())), { maxLength: 3 }).map((e) => new Map(e) as CborMap), { nil: undefined }),
    extra: fc.array(fc.tuple(fc.integer({ min: 8, max: 50 }), fc.string({ maxLength: 3 })), { maxLength: 2 }),
    machines: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 3 }),
  })
  .map(({ customer, metadata, extra, machines }) => {
    const map = new Map<number | string, CborValue>([
      [1, 'Example Vendor'],
      [2, 'ABCDE-FGHIJ'],
      [3, '1001'],
      [4, 1_798_761_600],
      [6, 1_767_225_600],
      [7, new Uint8Array(16).fill(0xab)],
      [NATIVE_CLAIMS.features.key, 5],
      [NATIVE_CLAIMS.entitlements.key, ['Pro', 'Cloud']],
      [NATIVE_CLAIMS.machines.key, machines],
      ...extra,
    ]);
    if (customer !== undefined) map.set(NATIVE_CLAIMS.customer.key, customer);
    if (metadata !== undefined) map.set(NATIVE_CLAIMS.metadata.key, metadata);
    return map;
  });

describe('readNativeLicense reads what the reader it replaced read', () => {
  test.prop([claimsSet], { numRuns: 1500 })('any claims set: the same License, or the same error', (map) => {
    expect(outcome(readNativeLicense, map)).toEqual(outcome(referenceRead, map));
  });

  test.prop([plausible], { numRuns: 300 })('licenses as the issuer writes them: the same License', (map) => {
    const ours = outcome(readNativeLicense, map);
    expect(ours).toEqual(outcome(referenceRead, map));
    expect(ours).not.toHaveProperty('code');
  });
});

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });

/** A CBOR map of these entries in this order, a key given twice written twice (what no `Map` can hold). */
function mapBytes(entries: readonly (readonly [number | string, CborValue])[]): Uint8Array {
  const parts = [cborHead(5, entries.length), ...entries.flatMap(([k, v]) => [encoder.encode(k), encoder.encode(v)])];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Claims sets as payload bytes: a key repeated now and then (with the same value or another), cut short or with a byte changed. */
const payload: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(claimsSet, plausible),
    fc.option(fc.tuple(fc.nat(), fc.option(value, { nil: undefined })), { nil: undefined }),
    fc.option(fc.oneof(fc.record({ cut: fc.nat() }), fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })), { nil: undefined, freq: 3 }),
  )
  .map(([map, repeat, damage]) => {
    const entries: [number | string, CborValue][] = [...map];
    if (repeat !== undefined && entries.length > 0) {
      const [k, v] = entries[repeat[0] % entries.length]!;
      entries.push([k, repeat[1] ?? v]);
    }
    const bytes = mapBytes(entries);
    if (damage === undefined || bytes.length === 0) return bytes;
    if ('cut' in damage) return bytes.subarray(0, damage.cut % bytes.length);
    const changed = bytes.slice();
    changed[damage.at % bytes.length] = damage.byte;
    return changed;
  });

describe('readNativeLicensePayload: the claims decoded straight into their slots', () => {
  const viaMap = (bytes: Uint8Array) => referenceRead(referenceDecode(bytes));

  test.prop([payload], { numRuns: 1500 })('the same License as decoding the map, then the reference reader; or the same error', (bytes) => {
    expect(outcome(readNativeLicensePayload, bytes)).toEqual(outcome(viaMap, bytes));
  });

  test.prop([plausible], { numRuns: 200 })('licenses as the issuer writes them are read', (map) => {
    const ours = outcome(readNativeLicensePayload, mapBytes([...map]));
    expect(ours).toEqual(outcome(referenceRead, map));
    expect(ours).not.toHaveProperty('code');
  });

  test('a payload that is not a map, a tag, or trailing bytes: the same errors', () => {
    for (const bytes of [Uint8Array.of(0x80), Uint8Array.of(0xd2, 0xa0), Uint8Array.of(0xa0, 0x00), Uint8Array.of(0xa1, 0x01), new Uint8Array(0)]) {
      expect(outcome(readNativeLicensePayload, bytes)).toEqual(outcome(viaMap, bytes));
      expect(outcome(readNativeLicensePayload, bytes)).toHaveProperty('code');
    }
  });

  test('a known claim given twice is refused, even with the same value', () => {
    const bytes = mapBytes([[2, 'ABC'], [3, '1001'], [2, 'ABC']]);
    expect(outcome(readNativeLicensePayload, bytes)).toEqual({ code: 'ERR_CBOR_INVALID', message: 'CBOR map repeats the key 2 at byte 12' });
    expect(outcome(viaMap, bytes)).toEqual(outcome(readNativeLicensePayload, bytes));
  });

  test('the native adapter reads through it', () => {
    const bytes = mapBytes([[2, 'ABC'], [-70000, 'x']]);
    const cose = { payload: bytes } as never;
    expect(described(nativeAdapter.read({ cose } as never))).toEqual(described(referenceRead(referenceDecode(bytes))));
  });
});

describe('the product id read from "aud" (3)', () => {
  const auds = ['1001', '0', '00', '01', '-0', '-1', '1.5', '1.0', '1e3', ' 1', '1 ', '0x10', '+1', '', 'Infinity', '999999999999999', '1000000000000000', '100000000000000', '9007199254740993', 'acme'];
  test.each(auds)('%j: the number the reference reader gives, or none', (aud) => {
    const map = new Map<number | string, CborValue>([[3, aud]]);
    const ours = outcome(readNativeLicense, map);
    expect(ours).toEqual(outcome(referenceRead, map));
    expect(outcome(readNativeLicensePayload, mapBytes([[3, aud]]))).toEqual(ours);
  });
});
