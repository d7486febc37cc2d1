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
import { jsonResponse, parseCryptolensEnvelope } from '../../src/formats/cryptolens/envelope.ts';
import { exactResponse } from '../../src/formats/cryptolens/exact-response.ts';
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

/**
 * `exactResponse` reads the response as the Cryptolens API writes it without `JSON.parse`. Its law: whenever it
 * answers, `jsonResponse` (the general reader) gives the same envelope for the same text; it never decides an
 * error (anything else is `null`, and the general reader reads or refuses it).
 */
describe('the exact-response reader', () => {
  const general = (t: string): unknown => {
    try {
      return jsonResponse(t);
    } catch (error) {
      return { threw: (error as { code?: string }).code };
    }
  };
  const base64 = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
    fc.constantFrom(response.licenseKey, response.signature, 'QQ==', 'QR==', 'Q===', 'QQ', '-_-_', 'QQ==QQ==', 'Q\u0141==', ' QQ=', 'QQ\\u003d='),
    fc.string({ maxLength: 12 }),
  );
  const resultText = fc.oneof(fc.integer().map(String), fc.constantFrom('-0', '00', '01', '1e3', '1.5', '-', '', ' 0', '9007199254740993', '123456789012345', '1234567890123456', 'null', 'true'));
  const messageText = fc.oneof(
    fc.string({ maxLength: 8 }).map((m) => JSON.stringify(m)),
    fc.string({ unit: 'grapheme', maxLength: 8 }).map((m) => `"${m}"`),
    fc.constantFrom('null', '"\\n"', '"a\u0001b"', '"\u2028"', '""', '"', 'nul', '"\\"', '1'),
  );
  const response_ = fc
    .record({
      key: base64,
      signature: base64,
      result: fc.option(resultText, { nil: undefined }),
      message: fc.option(messageText, { nil: undefined }),
      tail: fc.constantFrom('}', '} ', ',}', ',"metadata":null}', '}}', '', '\n}'),
    })
    .map(({ key, signature, result, message, tail }) => `{"licenseKey":"${key}","signature":"${signature}"${result === undefined ? '' : `,"result":${result}`}${message === undefined ? '' : `,"message":${message}`}${tail}`);
  test.prop([response_], { numRuns: 2000 })('when it answers, the general reader gives the same envelope', (t) => {
    const fast = exactResponse(t);
    if (fast !== null) expect(fast).toStrictEqual(general(t));
  });
  test.prop([fc.string({ maxLength: 60 }).map((s) => `{"licenseKey":"${s}`)], { numRuns: 500 })('arbitrary text after the head: the same envelope or none', (t) => {
    const fast = exactResponse(t);
    if (fast !== null) expect(fast).toStrictEqual(general(t));
  });
  plainTest('it reads the responses the Cryptolens API writes', () => {
    expect(exactResponse(text)).toStrictEqual(jsonResponse(text));
    for (const [tail, result, message] of [[',"result":0,"message":""}', 0, ''], [',"result":-3,"message":null}', -3, null], [',"message":"ok"}', null, 'ok'], ['}', null, null]] as const) {
      const t = `{"licenseKey":"${response.licenseKey}","signature":"${response.signature}"${tail}`;
      const envelope = exactResponse(t);
      expect(envelope, t).not.toBeNull();
      expect(envelope).toStrictEqual(jsonResponse(t));
      expect([envelope!.result, envelope!.message]).toStrictEqual([result, message]);
    }
  });
  plainTest('it leaves to the general reader what it does not read exactly', () => {
    const head = `{"licenseKey":"${response.licenseKey}","signature":"${response.signature}"`;
    for (const t of [`${head},"result":0,"message":"a\\"b"}`, `${head},"result":0,"metadata":{}}`, `${head}, "result":0}`, `${head},"result":-0}`, `{"signature":"${response.signature}","licenseKey":"${response.licenseKey}"}`, `{"licenseKey":"","signature":"${response.signature}"}`, `{"licenseKey":"${response.licenseKey}\u0001","signature":"${response.signature}"}`]) {
      expect(exactResponse(t), t).toBeNull();
    }
    // Escapes JSON reads as base64 characters, in the key or the signature, and in the message: each is left to the
    // general reader, which reads the same envelope as without them.
    const escaped = (s: string): string => `\\u${s.charCodeAt(0).toString(16).padStart(4, '0')}${s.slice(1)}`;
    const tail = ',"result":0,"message":""}';
    for (const t of [
      `{"licenseKey":"${escaped(response.licenseKey)}","signature":"${response.signature}"${tail}`,
      `{"licenseKey":"${response.licenseKey}","signature":"${escaped(response.signature)}"${tail}`,
      `{"licenseKey":"${response.licenseKey.replace('/', '\\/')}","signature":"${response.signature.replace('/', '\\/')}"${tail}`,
      `${head},"result":0,"message":"a\\nb"}`,
    ]) {
      expect(exactResponse(t), t).toBeNull();
      expect(jsonResponse(t), t).toStrictEqual(jsonResponse(`${head}${t.endsWith('"a\\nb"}') ? ',"result":0,"message":"a\\nb"}' : tail}`));
    }
  });
});
