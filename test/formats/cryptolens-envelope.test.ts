/**
 * The Cryptolens envelope reader's fast path (every key spelt as the API
 * writes it) accepts and refuses exactly what its general, case-insensitive
 * path does: two keys that differ only in case are refused wherever they
 * stand, inherited values are never fields, a byte order mark is tolerated.
 */
import { describe, expect, test as plainTest } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCryptolensEnvelope } from '../../src/formats/cryptolens/envelope.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { anyCase } from '../arbitraries/license.ts';

const text = readFileSync(join(FIXTURES_DIR, 'licenses', 'valid.skm'), 'utf8').trim();
const response = JSON.parse(text) as { licenseKey: string; signature: string };
const expected = parseCryptolensEnvelope(text);
const KEYS = ['licenseKey', 'signature', 'result', 'message', 'metadata'] as const;
const VALUES: Record<(typeof KEYS)[number], unknown> = { licenseKey: response.licenseKey, signature: response.signature, result: 0, message: 'ok', metadata: { a: 1 } };

describe('the response keys', () => {
  test.prop([fc.constantFrom(...KEYS).chain((k) => fc.tuple(fc.constant(k), anyCase(k))), fc.boolean()])('two keys that differ only in case are refused, whichever comes first', ([exact, other], otherFirst) => {
    fc.pre(exact !== other);
    const entries = KEYS.map((k) => [k, VALUES[k]] as [string, unknown]);
    entries.splice(otherFirst ? 0 : entries.length, 0, [other, VALUES[exact]]);
    expect(() => parseCryptolensEnvelope(JSON.stringify(Object.fromEntries(entries)))).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE_INVALID' }));
  });
  plainTest('PascalCase, upper and lower case twins of each key are refused beside it', () => {
    for (const k of KEYS) {
      for (const twin of new Set([k[0]!.toUpperCase() + k.slice(1), k.toUpperCase(), k.toLowerCase()])) {
        if (twin === k) continue;
        const doc = JSON.stringify({ ...VALUES, [twin]: VALUES[k] });
        expect(() => parseCryptolensEnvelope(doc), `${k} and ${twin}`).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE_INVALID' }));
      }
    }
  });
  test.prop([fc.tuple(...KEYS.map((k) => anyCase(k))), fc.boolean()])('any casing of the keys reads the same envelope', (cased, bom) => {
    const doc = JSON.stringify(Object.fromEntries(KEYS.map((k, i) => [cased[i]!, VALUES[k]])));
    const envelope = parseCryptolensEnvelope(`${bom ? '\uFEFF' : ''} \n${doc}\n`);
    expect(envelope.signedBytes).toEqual(expected.signedBytes);
    expect(envelope.signature).toEqual(expected.signature);
    expect([envelope.result, envelope.message, envelope.metadata]).toEqual([0, 'ok', { a: 1 }]);
  });
  test.prop([fc.constantFrom('licenseKey', 'LicenseKey', 'signature', 'Signature', 'result', 'message')])('an inherited value is never a field of the response', (name) => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto[name] = name.toLowerCase() === 'licensekey' || name.toLowerCase() === 'signature' ? response.licenseKey : 7;
      const without = (drop: string): string => JSON.stringify(Object.fromEntries(KEYS.filter((k) => k.toLowerCase() !== drop.toLowerCase()).map((k) => [k, VALUES[k]])));
      if (name.toLowerCase() === 'licensekey' || name.toLowerCase() === 'signature') {
        expect(() => parseCryptolensEnvelope(without(name))).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE_INVALID' }));
      } else {
        const envelope = parseCryptolensEnvelope(without(name));
        expect(name === 'result' ? envelope.result : envelope.message).toBeNull();
      }
    } finally {
      delete proto[name];
    }
  });
});

describe('legacy files', () => {
  test.prop([fc.constantFrom('ProductId', 'productId', 'Key', 'SignDate')])('a SaveToFile LicenseKey object is refused as the legacy format, however its keys are spelt', (name) => {
    expect(() => parseCryptolensEnvelope(JSON.stringify({ [name]: 1, signature: response.signature }))).toThrow(expect.objectContaining({ code: 'ERR_FORMAT_UNSUPPORTED' }));
  });
});
