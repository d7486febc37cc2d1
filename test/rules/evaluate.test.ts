/** The rules, one by one and together, and the cheap questions of a VerifiedLicense. */
import { beforeAll, describe, expect, test } from 'vitest';
import { fc, test as prop } from '@fast-check/vitest';
import { VerifiedLicense, cryptolensClaims, verifyLicenseSync, type Verdict, type VerifyOptions } from '../../src/index.node.ts';
import { issue, signPayload, VENDOR } from '../support/issue.ts';
import { signCryptolensPayload } from '../../src/issuer/cryptolens.ts';
import { nodeBackend } from '../../src/backends/node.ts';

const at = (iso: string): Date => new Date(iso);
let base: string;
const check = (text: string, options: Omit<VerifyOptions, 'key'> = {}): Verdict => verifyLicenseSync(text, { key: VENDOR.publicXml, now: at('2026-06-01T00:00:00Z'), ...options });

beforeAll(async () => {
  base = await issue({ features: [2, 5], activatedMachines: [{ mid: 'M1' }, { mid: 'floating:M2', floatingExpires: at('2026-06-01T01:00:00Z') }, { mid: 'floating:overdraft:M3' }], maxNoOfMachines: 2, allowedMachines: ['M4'] });
});

describe('time', () => {
  test('expired exactly at Expires, valid one millisecond before', () => {
    expect(check(base, { now: at('2027-01-01T00:00:00Z') }).reasons).toEqual(['EXPIRED']);
    expect(check(base, { now: at('2026-12-31T23:59:59.999Z') }).valid).toBe(true);
  });
  test('clock tolerance extends expiry and the future-signing window by exactly its length', () => {
    expect(check(base, { now: at('2027-01-01T00:00:59.999Z'), clockToleranceSeconds: 60 }).valid).toBe(true);
    expect(check(base, { now: at('2027-01-01T00:01:00Z'), clockToleranceSeconds: 60 }).reasons).toEqual(['EXPIRED']);
    expect(check(base, { now: at('2026-01-14T23:59:00Z') }).reasons).toEqual(['SIGNED_IN_FUTURE']);
    expect(check(base, { now: at('2026-01-14T23:59:00Z'), clockToleranceSeconds: 60 }).valid).toBe(true);
  });
  test('maxSignatureAgeDays: SignDate + days at or before now is SIGNATURE_EXPIRED', () => {
    expect(check(base, { now: at('2026-01-25T00:00:00Z'), maxSignatureAgeDays: 10 }).reasons).toEqual(['SIGNATURE_EXPIRED']);
    expect(check(base, { now: at('2026-01-24T23:59:59Z'), maxSignatureAgeDays: 10 }).valid).toBe(true);
  });
  test('a time-limited flag makes expiry conditional', async () => {
    const product = { timeLimitedFeature: 2 as const };
    expect(check(base, { now: at('2030-01-01T00:00:00Z'), product }).reasons).toEqual(['EXPIRED']);
    expect(check(base, { now: at('2030-01-01T00:00:00Z'), product: { timeLimitedFeature: 3 } }).valid).toBe(true);
  });
  test('invalid now, tolerance or age are option errors, never the clock', () => {
    for (const bad of [{ now: new Date(Number.NaN) }, { now: Number.POSITIVE_INFINITY }, { clockToleranceSeconds: -1 }, { maxSignatureAgeDays: Number.NaN }, { requireFeatures: [9 as never] }, { requireFeatures: 'F1' as never }, { machineCode: '  ' }, { product: { featureNames: 'Pro' as never } }]) {
      expect(() => check(base, bad as never)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
    }
  });
});

describe('machines', () => {
  test.each([
    ['M1', {}, true, 'activated'],
    ['M2', {}, true, 'floating lease running'],
    ['M2', { now: at('2026-06-01T01:00:00Z') }, false, 'floating lease ended'],
    ['M3', {}, false, 'overdraft without permission'],
    ['M3', { allowOverdraft: true }, true, 'overdraft allowed'],
    ['M4', {}, true, 'AllowedMachines'],
    ['M5', {}, false, 'unknown'],
    ['m1', {}, false, 'machine codes are exact'],
  ] as const)('%s with %j → %s (%s)', (machineCode, extra, ok, _why) => {
    const verdict = check(base, { machineCode, ...extra });
    expect(verdict.reasons).toEqual(ok ? [] : ['MACHINE_MISMATCH']);
    if (!('now' in extra)) expect(verdict.license!.isOnMachine(machineCode, { now: at('2026-06-01T00:00:00Z'), ...extra })).toBe(ok);
  });
  test('MaxNoOfMachines 0 means any machine', async () => {
    const open = await issue({ maxNoOfMachines: 0 });
    expect(check(open, { machineCode: 'ANYTHING' }).valid).toBe(true);
    expect(check(open).license!.isOnMachine('ANYTHING')).toBe(true);
  });
});

describe('features', () => {
  test('by number, by F-name, by product name; every missing one is listed', () => {
    expect(check(base, { requireFeatures: [2, 'F5', 'Pro'], product: { featureNames: { Pro: 5 } } }).valid).toBe(true);
    const verdict = check(base, { requireFeatures: [1, 2, 'F8', 'Basic'], product: { featureNames: { Basic: 3 } } });
    expect(verdict.reasons).toEqual(['FEATURE_MISSING']);
    expect(verdict.checks.find((c) => c.check === 'features')!.detail).toBe('missing F1, F8, Basic');
  });
  test('feature names are own properties only (no prototype lookups)', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(check(base, { requireFeatures: [name], product: { featureNames: {} } }).reasons, name).toEqual(check(base, { requireFeatures: [name] }).reasons);
    }
  });
  test('cryptolens_features paths must really descend', async () => {
    const template = JSON.stringify(['A', ['B', ['Sub 1', 'Sub 2']], ['C', [['D', ['E']]]]]);
    const text = await issue({ dataObjects: [{ id: 1, name: 'cryptolens_features', stringValue: template }] });
    const license = check(text).license!;
    for (const yes of ['A', 'B', 'B.Sub 1', 'B.Sub 2', 'C', 'C.D', 'C.D.E']) expect(license.hasFeature(yes), yes).toBe(true);
    for (const no of ['A.B', 'A.Sub 1', 'B.Sub 3', 'Sub 1', 'C.E', 'C.D.E.F', 'D', 'Z']) expect(license.hasFeature(no), no).toBe(false);
  });
});

describe('every failing rule is reported at once', () => {
  test('blocked, expired, wrong product, wrong machine, missing feature, stale signature', async () => {
    const text = await issue({ productId: 5, block: true, expires: at('2026-02-01T00:00:00Z'), activatedMachines: [{ mid: 'X' }] });
    const verdict = check(text, { productId: 6, machineCode: 'Y', requireFeatures: [1], maxSignatureAgeDays: 7 });
    expect(verdict.reasons).toEqual(['EXPIRED', 'BLOCKED', 'SIGNATURE_EXPIRED', 'MACHINE_MISMATCH', 'FEATURE_MISSING', 'PRODUCT_MISMATCH']);
    expect(verdict.status).toEqual({ IsValid: false, ReasonForInvalidity: 2, Trial: false, TimeLimited: true, TimeLeft: 0 });
  });
});

describe('LicenseStatus', () => {
  test('TimeLeft counts whole days; Trial and TimeLimited follow the product definition', () => {
    const product = { trialFeature: 5 as const, timeLimitedFeature: 2 as const };
    expect(check(base, { now: at('2026-12-29T12:00:00Z'), product }).status).toEqual({ IsValid: true, ReasonForInvalidity: 0, Trial: true, TimeLimited: true, TimeLeft: 2 });
    expect(check(base, { now: at('2027-02-01T00:00:00Z'), product }).status).toEqual({ IsValid: false, ReasonForInvalidity: 1, Trial: true, TimeLimited: true, TimeLeft: 0 });
    expect(check(base, { now: at('2027-02-01T00:00:00Z'), product: { timeLimitedFeature: 1 } }).status).toEqual({ IsValid: true, ReasonForInvalidity: 0, Trial: false, TimeLimited: false, TimeLeft: 0 });
  });
});

describe('payload shapes', () => {
  test('nulls everywhere (FieldsToReturn masking) parse; unknown fields are kept', async () => {
    const text = await signPayload({ ProductId: 9, ID: null, Key: null, Created: 1, Expires: null, Period: null, F1: null, Notes: null, Block: null, Customer: null, ActivatedMachines: null, AllowedMachines: null, DataObjects: null, SignDate: 1, Brand: 'x' });
    const verdict = check(text, { machineCode: 'M' });
    expect(verdict.license!.key).toBeNull();
    expect(verdict.license!.features.F1).toBeNull();
    expect(cryptolensClaims(verdict.license!)!.extra.Brand).toBe('x');
    expect(verdict.reasons).toEqual(['MACHINE_MISMATCH']);
  });
  test('a signed "__proto__" key lands as plain data in extra and pollutes nothing', async () => {
    // Signed as raw text: JSON.stringify of an object literal would never emit a "__proto__" key.
    const raw = '{"ProductId":9,"SignDate":1,"__proto__":{"polluted":true},"Customer":{"Id":1,"__proto__":{"admin":true}}}';
    const text = await signCryptolensPayload(new TextEncoder().encode(raw), { privateJwk: VENDOR.privateJwk, backend: nodeBackend });
    const license = check(text).license!;
    const { extra } = cryptolensClaims(license)!;
    expect(Object.keys(extra)).toEqual(['__proto__']);
    expect(extra['__proto__']).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(extra)).toBeNull();
    expect(Object.keys(license.customer!.extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((license.customer as unknown as Record<string, unknown>).admin).toBeUndefined();
  });
  test('a masked (null) time-limited flag fails closed: expiry applies', async () => {
    const text = await signPayload({ ProductId: 1, Expires: 1_700_000_000, F1: null, SignDate: 1_600_000_000 });
    const verdict = check(text, { product: { timeLimitedFeature: 1 } });
    expect(verdict.reasons).toEqual(['EXPIRED']);
    expect(verdict.status!.TimeLimited).toBe(true);
  });
  test('wrong types in known fields and invalid dates are ERR_PAYLOAD_INVALID', async () => {
    for (const bad of [{ ProductId: '1' }, { Expires: 'tomorrow' }, { Expires: '2026-02-30T00:00:00' }, { F1: 1 }, { ActivatedMachines: {} }, { Expires: 1e20 }, { Key: 'A', key: 'B' }]) {
      const text = await signPayload({ ProductId: 1, ...bad });
      expect(() => check(text), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID' }));
    }
  });
  test('ISO dates with fractions and zones; camelCase payload keys', async () => {
    const text = await signPayload({ productId: 1, created: '2017-03-24T00:00:00', expires: '2021-09-03T02:49:13.5', signDate: '2017-04-14T14:15:38+02:00' });
    const license = check(text, { now: at('2020-01-01T00:00:00Z') }).license!;
    expect(license.created!.toISOString()).toBe('2017-03-24T00:00:00.000Z');
    expect(license.expires!.toISOString()).toBe('2021-09-03T02:49:13.500Z');
    expect(license.signDate!.toISOString()).toBe('2017-04-14T12:15:38.000Z');
  });
});

describe('VerifiedLicense', () => {
  test('answers cheap questions without re-verification', () => {
    const license = check(base).license!;
    expect([license.hasFeature(2), license.hasFeature(1), license.hasFeature(9 as never)]).toEqual([true, false, false]);
    expect(license.expiresAt()!.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(license.isExpired(at('2027-01-01T00:00:00Z'))).toBe(true);
    expect(license.daysLeft(at('2026-12-30T00:00:00Z'))).toBe(2);
    expect(license.evaluate({ now: at('2028-01-01T00:00:00Z'), machineCode: 'M9' }).reasons).toEqual(['EXPIRED', 'MACHINE_MISMATCH']);
  });
  test('time questions refuse an invalid now instead of answering', () => {
    const license = check(base).license!;
    for (const bad of [Number.NaN, new Date(Number.NaN), Number.POSITIVE_INFINITY]) {
      expect(() => license.isExpired(bad)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
      expect(() => license.daysLeft(bad)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
    }
    expect(() => license.isExpired(Date.UTC(2026, 0, 1), -5)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });
  test('cannot be constructed outside verification', () => {
    expect(() => new VerifiedLicense(Symbol('forged'), {} as never)).toThrow(TypeError);
  });
});

describe('VerifiedLicense integrity', () => {
  test('its claims cannot be edited after verification', () => {
    const license = check(base).license!;
    expect(() => {
      (license as { block: boolean | null }).block = true;
    }).toThrow(TypeError);
    expect(license.block).toBe(false);
  });
});

describe('the features detail', () => {
  const REQUIREMENTS = [1, 2, 5, 8, 'F1', 'f2', 'Export', 'Modules', 'Modules.Render', 'Modules.Nope', 'Cloud'] as const;
  prop.prop([fc.array(fc.constantFrom(...REQUIREMENTS), { minLength: 1, maxLength: 6 })])('lists every requirement when all are granted, else exactly the missing ones, in order', (required) => {
    const verdict = check(base, { requireFeatures: [...required] });
    const license = verdict.license!;
    const label = (r: string | number): string => (typeof r === 'number' ? `F${r}` : r);
    const missing = required.filter((r) => !license.hasFeature(r));
    const features = verdict.checks.find((c) => c.check === 'features')!;
    expect(features).toEqual(
      missing.length === 0 ? { check: 'features', ok: true, detail: `has ${required.map(label).join(', ')}` } : { check: 'features', ok: false, reason: 'FEATURE_MISSING', detail: `missing ${missing.map(label).join(', ')}` },
    );
  });
});
