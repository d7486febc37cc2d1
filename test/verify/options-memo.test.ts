/**
 * The verification API remembers what an options object resolved to (src/verify.ts, `sharedFor`), so the next call
 * with the same object skips validating it and importing its key again. These tests hold it to never answer from a
 * stale memo: whatever a caller changes in place between two calls (a value, a property added, even a non-enumerable
 * one, or deleted, an element of `requireFeatures`, the time of the `now` Date, a getter's answer, the clock when
 * `now` is absent) gives exactly the verdict, or the error, that a fresh options object with the same contents gives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { verifyLicense, verifyLicenses, verifyLicenseSync, type Verdict, type VerifyOptions } from '../../src/index.node.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const RSA_XML = read('keys', 'vendor-rsa2048.public.xml');
const OTHER_XML = read('keys', 'other-rsa2048.public.xml');
const ED_PEM = read('keys', 'vendor-ed25519.public.pem');
const CRYPTOLENS = read('licenses', 'valid.skm');
const NATIVE = read('licenses', 'native', 'valid.lic');
const OTHER_ED_PEM = read('keys', 'other-ed25519.public.pem');

/** The APIs with options of any shape (these tests give misspelt and mistyped options on purpose). */
const sync = (input: string, options: object): Verdict => verifyLicenseSync(input, options as unknown as VerifyOptions);
const async_ = (input: string, options: object): Promise<Verdict> => verifyLicense(input, options as unknown as VerifyOptions);
const batch = (inputs: string[], options: object) => verifyLicenses(inputs, options as unknown as VerifyOptions);

/** What a verdict says, as plain data (the license's methods aside). */
const shown = (verdict: Verdict): unknown => JSON.parse(JSON.stringify(verdict));

/** The verdict, or the error code, of `verifyLicenseSync`. */
function outcome(input: string, options: object): unknown {
  try {
    return shown(sync(input, options));
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

/** A fresh object with the same own properties (arrays and Dates copied), which no memo has seen. */
function fresh(options: Record<string, unknown>): object {
  const copy: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(options)) {
    const value = options[name];
    copy[name] = Array.isArray(value) ? [...value] : value instanceof Date ? new Date(value.getTime()) : value;
  }
  return copy;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('one options object, changed in place between calls', () => {
  test('a changed, deleted or re-added value counts at once', () => {
    const options: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    options.machineCode = 'MACHINE-B';
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['MACHINE_MISMATCH']);
    options.machineCode = 'MACHINE-A';
    options.productId = 9999;
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['PRODUCT_MISMATCH']);
    delete options.productId;
    expect(sync(CRYPTOLENS, options).checks.some((c) => c.check === 'product')).toBe(false);
    options.productId = 1001;
    expect(shown(sync(CRYPTOLENS, options))).toEqual(outcome(CRYPTOLENS, fresh(options)));
  });

  test('an option added as a non-enumerable property still counts (node-locking cannot be skipped)', () => {
    const options: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z') };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    Object.defineProperty(options, 'machineCode', { value: 'MACHINE-B', enumerable: false });
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['MACHINE_MISMATCH']);
  });

  test('an element of requireFeatures changed in place, or the array emptied, counts', () => {
    const required: (number | string)[] = [1];
    const options = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), requireFeatures: required };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    required[0] = 2; // F2 is false in valid.skm
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['FEATURE_MISSING']);
    required.length = 0;
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    required.push(9); // no such flag: misuse
    expect(() => sync(CRYPTOLENS, options)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });

  test("the now Date's time is read on every call", () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const options = { key: RSA_XML, now };
    const first = sync(CRYPTOLENS, options);
    expect(first.valid).toBe(true);
    now.setTime(Date.parse('2030-01-01T00:00:00Z'));
    const later = sync(CRYPTOLENS, options);
    expect(later.reasons).toEqual(['EXPIRED']);
    expect(later.now.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    now.setTime(Number.NaN);
    expect(() => sync(CRYPTOLENS, options)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });

  test('without now, the clock is read on every call', () => {
    const options = { key: RSA_XML };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T00:00:00Z'));
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const later = sync(CRYPTOLENS, options);
    expect(later.reasons).toEqual(['EXPIRED']);
    expect(later.now.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  test("a getter's answer is read on every call", () => {
    let code = 'MACHINE-A';
    const options = {
      key: RSA_XML,
      now: new Date('2026-06-01T00:00:00Z'),
      get machineCode() {
        return code;
      },
    };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    code = 'MACHINE-B';
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['MACHINE_MISMATCH']);
  });

  test('an element of requireFeatures turned into a getter that changes a later option: the change counts', () => {
    // The memo's check reads each option and its elements in validation's order: a check that read every option
    // first (one Object.values call) saw productId before this getter changed it (found by review).
    const requireFeatures: number[] = [1];
    const options: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), requireFeatures, productId: 1001 };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    Object.defineProperty(requireFeatures, 0, {
      get: () => {
        options.productId = 9999;
        return 1;
      },
      enumerable: true,
    });
    expect(outcome(CRYPTOLENS, options)).toEqual(outcome(CRYPTOLENS, { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), requireFeatures: [1], productId: 9999 }));
  });

  test('a Proxy that lists its keys in another order on every second call, its values swapped: the change counts', () => {
    const target: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
    let armed = false;
    let calls = 0;
    const options = new Proxy(target, { ownKeys: (t) => (armed && calls++ % 2 === 1 ? Reflect.ownKeys(t).reverse() : Reflect.ownKeys(t)) });
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    target.key = 'MACHINE-A';
    target.machineCode = RSA_XML;
    armed = true;
    expect(outcome(CRYPTOLENS, options)).toEqual(outcome(CRYPTOLENS, { key: 'MACHINE-A', now: new Date('2026-06-01T00:00:00Z'), machineCode: RSA_XML }));
  });

  test('a new key, or an invalid value, is seen by the next call', () => {
    const options: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z') };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    options.key = OTHER_XML;
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['SIGNATURE_INVALID']);
    options.key = RSA_XML;
    options.clockToleranceSeconds = -1;
    expect(() => sync(CRYPTOLENS, options)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
    options.clockToleranceSeconds = 0;
    options.machinecode = 'MACHINE-A'; // misspelt: refused, never ignored
    expect(() => sync(CRYPTOLENS, options)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });

  test('an object option (a product definition) changed in place counts', () => {
    const featureNames: Record<string, number> = { Export: 1 };
    const options = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), product: { featureNames }, requireFeatures: ['Export'] };
    expect(sync(CRYPTOLENS, options).valid).toBe(true);
    featureNames.Export = 2;
    expect(sync(CRYPTOLENS, options).reasons).toEqual(['FEATURE_MISSING']);
  });

  test('the async and batch APIs see the same changes', async () => {
    const options: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
    expect((await async_(CRYPTOLENS, options)).valid).toBe(true);
    options.machineCode = 'MACHINE-B';
    expect((await async_(CRYPTOLENS, options)).reasons).toEqual(['MACHINE_MISMATCH']);
    const [item] = await batch([CRYPTOLENS], options);
    expect(item!.ok && item!.verdict.reasons).toEqual(['MACHINE_MISMATCH']);
    options.machineCode = 'MACHINE-A';
    const [again] = await batch([CRYPTOLENS], options);
    expect(again!.ok && again!.verdict.valid).toBe(true);
  });
});

describe('a native license naming a kid, with one key', () => {
  test('its own key verifies; a kid the key does not answer to is still ERR_KEY_UNKNOWN_KID', () => {
    const options = { key: ED_PEM, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1, 'Pro'] };
    const verdict = sync(NATIVE, options);
    expect(verdict.valid).toBe(true);
    expect(verdict.keyId).toBe(verdict.licenseKeyId);
    // The golden unknown-kid case: valid.lic names the vendor key's id, which the other key does not answer to.
    expect(() => sync(NATIVE, { ...options, key: OTHER_ED_PEM })).toThrow(expect.objectContaining({ code: 'ERR_KEY_UNKNOWN_KID' }));
  });
});

/** One change a caller might make to its options object between two calls. */
type Change = { name: string; value: unknown } | { name: string; delete: true } | { feature: number; value: number | string };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ name: fc.constant('machineCode'), value: fc.constantFrom('MACHINE-A', 'MACHINE-B', '', 7) }),
  fc.record({ name: fc.constant('productId'), value: fc.constantFrom(1001, 1002, '1001', 1.5) }),
  fc.record({ name: fc.constant('clockToleranceSeconds'), value: fc.constantFrom(0, 60, 400_000_000, -1) }),
  fc.record({ name: fc.constant('maxSignatureAgeDays'), value: fc.constantFrom(1, 365, 100_000) }),
  fc.record({ name: fc.constant('allowOverdraft'), value: fc.constantFrom(true, false, 'yes') }),
  fc.record({ name: fc.constant('now'), value: fc.constantFrom(new Date('2026-06-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'), 1_780_000_000_000, Number.NaN) }),
  fc.record({ name: fc.constant('key'), value: fc.constantFrom(RSA_XML, OTHER_XML) }),
  fc.record({ name: fc.constantFrom('machineCode', 'productId', 'clockToleranceSeconds', 'maxSignatureAgeDays', 'allowOverdraft', 'requireFeatures'), delete: fc.constant(true as const) }),
  fc.record({ feature: fc.nat({ max: 2 }), value: fc.constantFrom(1, 2, 3, 'F1', 'Export', 'Modules.Render', 0) }),
);

describe('any sequence of in-place changes', () => {
  prop.prop([fc.array(change, { maxLength: 12 })], { numRuns: 150 })('each call answers as a fresh copy of the options would', (changes) => {
    const options: Record<string, unknown> = { key: RSA_XML, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] };
    expect(outcome(CRYPTOLENS, options)).toEqual(outcome(CRYPTOLENS, fresh(options)));
    for (const c of changes) {
      if ('feature' in c) {
        if (!Array.isArray(options.requireFeatures)) options.requireFeatures = [];
        (options.requireFeatures as unknown[])[c.feature] = c.value;
      } else if ('delete' in c) delete options[c.name];
      else options[c.name] = c.value;
      expect(outcome(CRYPTOLENS, options)).toEqual(outcome(CRYPTOLENS, fresh(options)));
    }
  });
});
