/**
 * A VerifiedLicense holds exactly the License its adapter mapped: every field,
 * same values, own and enumerable, frozen; and the adapter's status view stays
 * with it (`evaluate().status`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { verifyLicenseSync } from '../../src/index.node.ts';
import { cryptolensAdapter, parseCryptolensEnvelope } from '../../src/formats/cryptolens/index.ts';
import { createVerifiedLicense } from '../../src/license/verified.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { VENDOR } from '../support/issue.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const NOW = new Date('2026-06-01T00:00:00Z');

describe('VerifiedLicense', () => {
  test.each(['valid.skm', 'floating.skm', 'template-features.skm', 'pascalcase-pretty.skm', 'everything-wrong.skm'])('%s: every field of the mapped License, same values, frozen', (file) => {
    const text = read('licenses', file);
    const mapped = cryptolensAdapter.read(parseCryptolensEnvelope(text));
    const verified = createVerifiedLicense(mapped, cryptolensAdapter.status);
    expect(Object.keys(verified).sort()).toEqual(Object.keys(mapped).sort());
    for (const field of Object.keys(mapped)) expect((verified as unknown as Record<string, unknown>)[field], field).toBe((mapped as unknown as Record<string, unknown>)[field]);
    expect(Object.isFrozen(verified)).toBe(true);
    expect(verified.toJSON()).toEqual({ ...mapped });
  });
  test('the format status view stays with the license: evaluate() reports it, and null without one', () => {
    const verdict = verifyLicenseSync(read('licenses', 'valid.skm'), { key: VENDOR.publicXml, now: NOW });
    expect(verdict.status).toEqual({ IsValid: true, ReasonForInvalidity: 0, Trial: false, TimeLimited: true, TimeLeft: expect.any(Number) });
    expect(verdict.status!.TimeLeft).toBeGreaterThan(0);
    expect(verdict.license!.evaluate({ now: NOW }).status).toEqual(verdict.status);
    const bare = createVerifiedLicense(verdict.license!);
    expect(bare.evaluate({ now: NOW }).status).toBeNull();
  });
});
