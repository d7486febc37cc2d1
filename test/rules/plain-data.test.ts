/**
 * Verdicts, checks and licenses print and copy as what they are (issue 7
 * item 21): what `util.inspect`, a spread, `structuredClone` or
 * `JSON.stringify` shows is all there is, `detail` included. And the fast ISO
 * formatter the details use writes exactly what `toISOString` writes.
 */
import { fc, test as prop } from '@fast-check/vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { verifyLicenseSync, type Verdict } from '../../src/index.node.ts';
import { isoDateTime } from '../../src/rules/iso-date.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { VENDOR } from '../support/issue.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const OPTIONS = { key: VENDOR.publicXml, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-Z', requireFeatures: [1 as const, 'Modules.Render.Video'], maxSignatureAgeDays: 30, productId: 1001 };
const verdicts = (): Verdict[] => ['valid.skm', 'everything-wrong.skm', 'tampered-expires.skm', 'signed-in-future.skm'].map((f) => verifyLicenseSync(read('licenses', f), OPTIONS));

describe('checks are plain data', () => {
  test('every check is a plain object whose own enumerable fields include detail', () => {
    for (const verdict of verdicts()) {
      for (const check of verdict.checks) {
        expect(Object.getPrototypeOf(check)).toBe(Object.prototype);
        expect(Object.keys(check)).toEqual(check.reason === undefined ? ['check', 'ok', 'detail'] : ['check', 'ok', 'reason', 'detail']);
        expect(typeof check.detail).toBe('string');
        expect({ ...check }).toEqual(check);
        expect({ ...check }.detail).toBe(check.detail);
      }
    }
  });

  test('util.inspect (what console.log prints) shows every check with its detail, and every license field', () => {
    for (const verdict of verdicts()) {
      const printed = inspect(verdict, { depth: 5 });
      for (const check of verdict.checks) expect(printed).toContain(check.detail);
      if (verdict.license) {
        const license = inspect(verdict.license, { depth: 5 });
        for (const field of Object.keys(verdict.license)) expect(license).toContain(`${field}:`);
      }
    }
  });

  test('structuredClone keeps every field of the verdict, its checks and its license (the license becomes plain data, without methods)', () => {
    for (const verdict of verdicts()) {
      const clone = structuredClone(verdict);
      expect(clone.checks).toEqual(verdict.checks.map((c) => ({ ...c })));
      expect(clone.checks.map((c) => c.detail)).toEqual(verdict.checks.map((c) => c.detail));
      expect(clone.reasons).toEqual(verdict.reasons);
      expect(clone.status).toEqual(verdict.status);
      expect(clone.now).toEqual(verdict.now);
      if (verdict.license) {
        expect({ ...clone.license }).toEqual({ ...verdict.license });
        expect(clone.license!.expires).toEqual(verdict.license.expires);
        expect(typeof (clone.license as { hasFeature?: unknown }).hasFeature).toBe('undefined'); // documented: a clone is data
      }
    }
  });

  test('JSON.stringify and a spread carry the details', () => {
    for (const verdict of verdicts()) {
      const json = JSON.parse(JSON.stringify(verdict)) as Verdict;
      expect(json.checks.map((c) => c.detail)).toEqual(verdict.checks.map((c) => c.detail));
      expect({ ...verdict }.checks.map((c) => ({ ...c }).detail)).toEqual(verdict.checks.map((c) => c.detail));
      if (verdict.license) expect(Object.keys(json.license!)).toEqual(Object.keys(verdict.license));
    }
  });

  test('the details say what happened', () => {
    const [, wrong] = verdicts();
    expect(wrong!.checks.map((c) => [c.check, c.detail])).toEqual([
      ['signature', 'signature verifies'],
      ['expiry', 'expired 2026-02-01T00:00:00.000Z'],
      ['block', 'license is blocked'],
      ['signature-age', 'signed 2026-01-15T10:00:00.000Z, older than 30 days'],
      ['sign-date', 'signed 2026-01-15T10:00:00.000Z'],
      ['machine', 'machine MACHINE-Z is not activated on this license'],
      ['features', 'missing F1, Modules.Render.Video'],
      ['product', 'license is for product 2002, expected 1001'],
    ]);
  });
});

describe('isoDateTime', () => {
  prop.prop([fc.integer({ min: -8.64e15, max: 8.64e15 })], { numRuns: 2000 })('equals Date#toISOString over the whole Date range', (ms) => {
    expect(isoDateTime(ms)).toBe(new Date(ms).toISOString());
  });
  prop.prop([fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })], { numRuns: 2000 })('equals Date#toISOString over years 0000-9999 (the fast path)', (ms) => {
    expect(isoDateTime(ms)).toBe(new Date(ms).toISOString());
  });
  test('edges: years 0, 9999, 10000, before 1970, leap days, fractional milliseconds', () => {
    for (const ms of [-62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, -1, 0, 951_782_400_000, 951_868_800_000, 1.5, -0.5]) {
      expect(isoDateTime(ms), String(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
