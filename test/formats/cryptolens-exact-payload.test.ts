/**
 * exact-payload.ts reads a verified Cryptolens payload straight into payload.ts's slots, without JSON.parse (Node's
 * entry installs it). Its law: installing it changes no result. For any bytes, where it answers, the license (or the
 * typed error) is the one JSON.parse and the general mapper give; it never decides an error itself. It answers for
 * payloads as Cryptolens writes them (the golden fixture, the real files of the vectors), or the law is vacuous.
 */
import { describe, expect, test as plainTest } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactPayload } from '../../src/formats/cryptolens/exact-payload.ts';
import { parseCryptolensEnvelope, parseCryptolensPayloadBytes } from '../../src/formats/cryptolens/envelope.ts';
import { mapCryptolensPayload } from '../../src/formats/cryptolens/payload.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { listVectors, readVector, vectorsAvailable } from '../support/vectors.ts';

const encoder = new TextEncoder();
const golden = parseCryptolensEnvelope(readFileSync(join(FIXTURES_DIR, 'licenses', 'valid.skm'), 'utf8')).signedBytes;

/** A license or a typed error, as comparable data. */
function outcome(read: () => unknown): unknown {
  try {
    return { license: read() };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? 'not typed', message: e.message };
  }
}
const general = (bytes: Uint8Array): unknown => outcome(() => mapCryptolensPayload(parseCryptolensPayloadBytes(bytes)));
/** The exact reader's outcome, or `null` where it does not answer. */
function exact(bytes: Uint8Array): unknown {
  const slots = exactPayload(bytes);
  return slots === null ? null : outcome(() => mapCryptolensPayload(slots));
}

/** Checks the law on `bytes`; true when the exact reader answered. */
function holds(bytes: Uint8Array): boolean {
  const fast = exact(bytes);
  if (fast !== null) expect(fast).toStrictEqual(general(bytes));
  return fast !== null;
}

const KEYS = ['ProductId', 'ID', 'Key', 'Created', 'Expires', 'Period', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'Notes', 'Block', 'GlobalId', 'Customer', 'ActivatedMachines', 'TrialActivation', 'MaxNoOfMachines', 'AllowedMachines', 'DataObjects', 'Reseller', 'SignDate'];
const FULL = JSON.parse(new TextDecoder().decode(golden)) as Record<string, unknown>;

const scalar = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, 1.5, -7, 1e21, 2 ** 53, 2 ** 53 + 2, 123456789012345, 1234567890123456, 1767225600, -1767225600),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', 'a"b', 'a\\b', 'tab\there', 'line\nbreak', '\u0000', 'é', '\u2028', '\ud800', '2017-03-24T00:00:00', '1970-01-01T00:00:00', 'floating:M', 'floating:overdraft:M'),
);
const party = fc.dictionary(fc.constantFrom('Id', 'Name', 'Email', 'CompanyName', 'Created', 'id', 'Other'), scalar, { maxKeys: 6 });
const machine = fc.dictionary(fc.constantFrom('Mid', 'IP', 'Time', 'FriendlyName', 'FloatingExpires', 'mid', 'Extra'), scalar, { maxKeys: 6 });
const dataObject = fc.dictionary(fc.constantFrom('Id', 'Name', 'StringValue', 'IntValue', 'name'), fc.oneof(scalar, fc.constant('cryptolens_features'), fc.constant('["A",["B",["C"]]]')), { maxKeys: 5 });
/** A value for one field: usually of its own kind, sometimes of any kind. */
function valueFor(key: string): fc.Arbitrary<unknown> {
  const own = key === 'Customer' || key === 'Reseller' ? party : key === 'ActivatedMachines' ? fc.array(machine, { maxLength: 3 }) : key === 'DataObjects' ? fc.array(dataObject, { maxLength: 3 }) : scalar;
  return fc.oneof({ weight: 6, arbitrary: own }, { weight: 1, arbitrary: fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 }), fc.array(fc.oneof(scalar, party), { maxLength: 2 })) });
}

/** A payload: the golden one with fields dropped, changed, added, recased or reordered, written compactly or not. */
const payload = fc
  .record({
    edits: fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('drop', 'change', 'keep')), { maxLength: 4 }),
    // Each of these makes a payload Cryptolens does not write: one time in eight each.
    extra: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Unknown', 'productid', 'Expires', '__proto__'), scalar) }),
    shuffle: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat() }),
    spacing: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(1, '\t') }),
  })
  .chain(({ edits, extra, shuffle, spacing }) =>
    fc.tuple(...edits.map(([key, edit]) => (edit === 'change' ? valueFor(key).map((v) => [key, edit, v] as const) : fc.constant([key, edit, undefined] as const)))).map((changes) => {
      const entries: [string, unknown][] = Object.entries(FULL);
      for (const [key, edit, value] of changes) {
        const at = entries.findIndex(([k]) => k === key);
        if (at < 0) continue;
        if (edit === 'drop') entries.splice(at, 1);
        else if (edit === 'change') entries[at] = [key, value];
      }
      if (shuffle !== undefined && entries.length > 1) {
        const [moved] = entries.splice(shuffle % entries.length, 1);
        entries.splice((shuffle >> 3) % entries.length, 0, moved!);
      }
      let text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v, null, spacing)}`).join(',')}}`;
      if (extra !== undefined) text = `${text.slice(0, -1)}${entries.length > 0 ? ',' : ''}${JSON.stringify(extra[0])}:${JSON.stringify(extra[1])}}`;
      return encoder.encode(spacing === undefined ? text : JSON.stringify(JSON.parse(text), null, spacing));
    }),
  );

describe('the exact payload reader', () => {
  plainTest('it reads the golden payload, to the license the general path gives', () => {
    expect(holds(golden)).toBe(true);
  });

  plainTest('payloads changed field by field: where it answers, the same license or error (and it answers for most)', () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(payload, (bytes) => {
        runs++;
        if (holds(bytes)) answered++;
      }),
      { numRuns: 1500 },
    );
    // Most changed payloads are still compact Cryptolens JSON; the law must not hold only because it never answers.
    expect(answered).toBeGreaterThan(runs / 4);
  });

  plainTest('the golden payload with any one byte changed, removed or added: the same license or error, or no answer', () => {
    fc.assert(
      fc.property(fc.nat(golden.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'remove', 'insert'), (at, byte, how) => {
        const bytes = Array.from(golden);
        if (how === 'replace') bytes[at] = byte;
        else if (how === 'remove') bytes.splice(at, 1);
        else bytes.splice(at, 0, byte);
        holds(new Uint8Array(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  plainTest('arbitrary bytes and arbitrary JSON: no answer, or the same outcome', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void holds(bytes)), { numRuns: 500 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => void holds(encoder.encode(JSON.stringify(value)))), { numRuns: 500 });
  });

  plainTest('what it leaves to JSON.parse', () => {
    const text = new TextDecoder().decode(golden);
    for (const other of [
      ` ${text}`,
      text.replace('"ID":7', '"ID": 7'),
      text.replace('"ID":7', '"ID":7.0'),
      text.replace('"ID":7', '"ID":-0'),
      text.replace('"ID":7', '"ID":07'),
      text.replace('"ID":7', '"ID":1e3'),
      text.replace('"ID":7', '"ID":1234567890123456'),
      text.replace('"ProductId":1001,"ID":7', '"ID":7,"ProductId":1001'),
      text.replace('"ID":7', '"ID":7,"ID":7'),
      text.replace('"ID":7', '"id":7'),
      text.replace('"ID":7', '"ID":7,"Unknown":1'),
      text.replace('"golden fixture"', '"gold\u00e9n"'),
      text.replace('"golden fixture"', '"golden\u0001"'),
      text.replace('"Notes":"golden fixture"', '"Notes":{}'),
      text.replace('"Block":false', '"Block":fals'),
      `${text}x`,
      text.slice(0, -1),
      // A character outside ASCII, with no escaped string after it (that would fail to parse if the text were cut at the bytes' indices).
      ...['"golden fixture"', '"Ada Lovelace"', '"MACHINE-A"', '"workstation"'].map((s) => text.replace(/,"DataObjects":\[.*\],/, ',').replace(s, `"${s.slice(1, -1)}\u00e9\u{1F600}"`)),
    ]) {
      expect(exactPayload(encoder.encode(other)), other.slice(0, 80)).toBeNull();
    }
    // Bytes that are not UTF-8 at all, which a Latin-1 reading of the payload would turn into characters: a lone 0xe9
    // in a plain string, and after a backslash in the escaped template string (where the scanner skips one byte).
    const at = (needle: string): number => text.indexOf(needle);
    const withBytes = (index: number, inserted: number[]): Uint8Array => new Uint8Array([...golden.slice(0, index), ...inserted, ...golden.slice(index)]);
    for (const bytes of [
      withBytes(at('golden fixture') + 6, [0xe9]),
      withBytes(at('golden fixture') + 6, [0x5c, 0xe9]),
      withBytes(at('Export') + 2, [0x5c, 0xe9]),
      withBytes(at('Export') + 2, [0x5c, 0xc3, 0xa9]),
    ]) {
      expect(exactPayload(bytes)).toBeNull();
      holds(bytes);
    }
  });

  plainTest('escaped strings it remembers read the same the next time, and a bad escape stays refused', () => {
    // The golden template is escaped; the second read of each payload comes from what the first one remembered.
    const text = new TextDecoder().decode(golden);
    const bad = text.replace('"golden fixture"', '"golden\\x fixture"');
    const odd = text.replace('"golden fixture"', '"golden\\u00e9\\/ fixture"');
    for (const bytes of [golden, encoder.encode(bad), encoder.encode(odd), golden, encoder.encode(bad), encoder.encode(odd)]) holds(bytes);
    expect(exactPayload(encoder.encode(bad))).toBeNull();
    expect(exact(encoder.encode(odd))).toStrictEqual(exact(encoder.encode(odd)));
    expect((exact(encoder.encode(odd)) as { license: { notes: string } }).license.notes).toBe('golden\u00e9/ fixture');
  });

  plainTest('it reads the payloads of the real Cryptolens files, to the licenses the general path gives', () => {
    if (!vectorsAvailable('cryptolens')) return;
    let read = 0;
    for (const file of listVectors('cryptolens')) {
      const vector = readVector<{ license: unknown; signMethod?: number }>('cryptolens', file);
      if (typeof vector.license !== 'string') continue;
      let bytes: Uint8Array;
      try {
        const envelope = parseCryptolensEnvelope(vector.license);
        if (envelope.form === undefined || 'signMethod' in envelope) continue;
        bytes = envelope.signedBytes;
      } catch {
        continue;
      }
      if (holds(bytes)) read++;
    }
    expect(read).toBeGreaterThan(0);
  });
});
