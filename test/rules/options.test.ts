/**
 * Every option of every entry point: a bad value is `ERR_OPTION_INVALID`
 * (an `OptionError` whose message names the option), never a RangeError,
 * a TypeError or "x is not a function"; and arbitrary values either work or
 * are refused with a typed error (fast-check).
 */
import { fc, test as prop } from '@fast-check/vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { inspectLicense, LicenseKitError, OptionError, verifyLicense, verifyLicenses, verifyLicenseSync, type VerifiedLicense, type VerifyOptions } from '../../src/index.node.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { VENDOR } from '../support/issue.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const text = read('licenses', 'valid.skm');
const templateText = read('licenses', 'template-features.skm');
const BASE = { key: VENDOR.publicXml, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
let license: VerifiedLicense;

beforeAll(() => {
  license = verifyLicenseSync(text, BASE).license!;
});

const sparse: unknown[] = [];
sparse[1] = 1;

/** Option → values that must be refused, and the text the message must contain. */
const BAD: ReadonlyArray<readonly [string, readonly unknown[]]> = [
  ['now', ['tomorrow', Number.NaN, new Date(Number.NaN), Number.POSITIVE_INFINITY, null, {}, 8.64e15 + 1, -8.64e15 - 1]],
  ['clockToleranceSeconds', [-1, Number.NaN, '5', null, Number.POSITIVE_INFINITY]],
  ['maxSignatureAgeDays', [-1, Number.NaN, '30', null]],
  ['machineCode', ['', '   ', 42, null, ['MACHINE-A']]],
  ['allowOverdraft', ['yes', 1, null]],
  ['requireFeatures', ['F1', 1, null, [1.5], [3.9], [0], [9], [Number.NaN], ['F9'], ['f0'], ['F10'], [''], ['A..B'], ['.A'], ['A. '], [null], [true], [{}], sparse]],
  ['productId', [1.5, '', '   ', Number.NaN, null, true]],
  ['product', [5, null, 'x', [], { timeLimitedFeature: 1.5 }, { trialFeature: 9 }, { featureNames: { Pro: 1.5 } }, { featureNames: [] }, { featureNames: null }, { timeLimitedFeatures: 2 }]],
  ['graceDays', [-1, 1.5, '14', null, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]],
  ['licenseeSecret', ['', 42, null, {}, ['s'], new Uint8Array(4)]],
  ['licenseeSecretMode', ['Client', 'none', '', 1, null, true]],
  ['hwid', ['', '   ', 42, null, ['HWID']]],
  ['bindHwid', ['yes', 1, null]],
  [
    'facts',
    [
      null, 5, 'x', [], { trustedtimems: 1 }, { trustedTimeMs: Number.NaN }, { trustedTimeMs: '1' }, { trustedTimeMs: new Date(0) }, { trustedTimeMs: 9e15 }, { clockEvidence: 5 }, { clockEvidence: { ms: 1 } },
      { clockEvidence: { ms: Number.POSITIVE_INFINITY, source: 'f' } }, { clockEvidence: { ms: 1, source: ' ' } }, { clockEvidence: { ms: 1, source: 'f', extra: 1 } },
      { boundSecretHash: new Uint8Array(31) }, { boundSecretHash: 'ab' }, { boundHwidHash: Array(32).fill(0) }, { boundHwidHash: new Uint16Array(32) },
      { revoked: ['a'] }, { revoked: new Set([1]) }, { revoked: new Map() }, { revocationSequence: -1 }, { revocationSequence: 1.5 }, { revocationSequence: null },
    ],
  ],
];
/** Options only verification reads. */
const BAD_VERIFY: ReadonlyArray<readonly [string, readonly unknown[]]> = [
  ['key', [undefined, null, 42, true]],
  ['backend', [{}, 'nodee', '', 42, null, [], { name: 'x', supports: () => true }, { name: 'x', supports: 1, verify: async () => true }, { name: '', supports: () => true, verify: async () => true }, { name: 'x', supports: () => true, verify: async () => true, verifySync: 'yes' }]],
  ['maxInputBytes', [0, -1, 1.5, '10', Number.NaN, Number.POSITIVE_INFINITY, null]],
  ['algorithms', ['xRS256x', 'RS256', 42, null, [], ['RS512'], [null], ['RS256', 'none']]],
];

type Api = (options: unknown) => Promise<unknown>;
const APIS: ReadonlyArray<readonly [string, Api, boolean]> = [
  ['verifyLicenseSync', async (o) => verifyLicenseSync(text, o as VerifyOptions), true],
  ['verifyLicense', (o) => verifyLicense(text, o as VerifyOptions), true],
  ['verifyLicenses', (o) => verifyLicenses([text], o as VerifyOptions), true],
  ['license.evaluate', async (o) => license.evaluate(o as never), false],
];

async function refusal(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return 'accepted';
}

describe('option misuse is ERR_OPTION_INVALID naming the option, on every entry point', () => {
  for (const [api, call, verifies] of APIS) {
    const table = verifies ? [...BAD, ...BAD_VERIFY] : BAD;
    test.each(table.flatMap(([name, values]) => values.map((value, i) => [name, i, value] as const)))(`${api}: %s (#%i) %o`, async (name, _, value) => {
      const options = verifies ? { ...BASE, [name]: value } : { now: BASE.now, [name]: value };
      if (value === undefined) delete (options as Record<string, unknown>)[name];
      const error = await refusal(() => call(options));
      expect(error).toBeInstanceOf(OptionError);
      expect(error).toMatchObject({ code: 'ERR_OPTION_INVALID' });
      expect((error as Error).message).toContain(name);
    });

    test(`${api}: options that are not an object, or hold an unknown name, are refused`, async () => {
      for (const options of [null, 42, 'options', [], { ...BASE, machinecode: 'MACHINE-Z' }, { ...BASE, requireFeature: [1] }]) {
        const error = await refusal(() => call(options));
        expect(error, JSON.stringify(options)).toMatchObject({ name: 'OptionError', code: 'ERR_OPTION_INVALID' });
      }
      expect((await refusal(() => call({ ...BASE, machinecode: 'MACHINE-Z' })) as Error).message).toContain('machinecode');
    });
  }

  test('license.evaluate accepts (and ignores) the verify-only options, so one options object serves both', () => {
    const options: VerifyOptions = { ...BASE, backend: 'node', maxInputBytes: 10, algorithms: ['RS256'] };
    expect(license.evaluate(options).valid).toBe(true);
  });

  test('inspectLicense: a bad maxInputBytes, a non-object or an unknown option is ERR_OPTION_INVALID', () => {
    for (const options of [{ maxInputBytes: 0 }, { maxInputBytes: '1' }, { maxInputBytes: null }, null, 7, { maxBytes: 10 }]) {
      expect(() => inspectLicense(text, options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ name: 'OptionError', code: 'ERR_OPTION_INVALID' }));
    }
    expect(inspectLicense(text, { maxInputBytes: 100_000 }).verified).toBe(false);
    expect(() => inspectLicense(text, { maxInputBytes: 10 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }));
  });

  test('an own option set to undefined is absent; an inherited one is not an option', () => {
    const inherited = Object.create({ machineCode: 'MACHINE-Z', requireFeatures: [8] }) as Record<string, unknown>;
    Object.assign(inherited, BASE, { machineCode: undefined });
    expect(verifyLicenseSync(text, inherited as unknown as VerifyOptions).reasons).toEqual([]);
    expect(verifyLicenseSync(text, { ...BASE, requireFeatures: undefined, product: undefined }).valid).toBe(true);
  });

  test('a backend object with its methods on a class is accepted', () => {
    class Yes {
      readonly name = 'class-backend';
      supports(): boolean {
        return true;
      }
      async verify(): Promise<boolean> {
        return this.verifySync();
      }
      verifySync(): boolean {
        return false;
      }
    }
    expect(verifyLicenseSync(text, { ...BASE, backend: new Yes() }).reasons).toEqual(['SIGNATURE_INVALID']);
  });
});

describe('algorithms (issue 7 item 18)', () => {
  test('an allow-list that includes the license\'s algorithm verifies; a string is no list', () => {
    expect(verifyLicenseSync(text, { ...BASE, algorithms: ['RS256'] }).valid).toBe(true);
    expect(verifyLicenseSync(text, { ...BASE, algorithms: ['EdDSA', 'RS256'] }).valid).toBe(true);
    expect(() => verifyLicenseSync(text, { ...BASE, algorithms: 'xRS256x' as never })).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });
  test('an algorithm the list excludes is ERR_ALGORITHM_NOT_ALLOWED, not a key problem', async () => {
    expect(() => verifyLicenseSync(text, { ...BASE, algorithms: ['EdDSA'] })).toThrow(expect.objectContaining({ name: 'LicenseInputError', code: 'ERR_ALGORITHM_NOT_ALLOWED' }));
    await expect(verifyLicense(text, { ...BASE, algorithms: ['EdDSA'] })).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    const [item] = await verifyLicenses([text], { ...BASE, algorithms: ['EdDSA'] });
    expect(item).toMatchObject({ ok: false, error: { code: 'ERR_ALGORITHM_NOT_ALLOWED' } });
  });
  test('the list is copied when the call starts: changing it during the await changes nothing', async () => {
    const algorithms: string[] = ['RS256'];
    const pending = verifyLicense(text, { ...BASE, backend: 'webcrypto', algorithms: algorithms as never });
    algorithms[0] = 'EdDSA';
    expect((await pending).valid).toBe(true);
  });
});

describe('features: non-integers and typos are refused (items 17, 20)', () => {
  test('hasFeature refuses a non-integer instead of truncating it to a flag', () => {
    expect(license.hasFeature(1)).toBe(true);
    for (const bad of [1.5, 3.9, Number.NaN, Number.POSITIVE_INFINITY, null, true, {}, [1]]) {
      expect(() => license.hasFeature(bad as never), String(bad)).toThrow(expect.objectContaining({ name: 'OptionError', code: 'ERR_OPTION_INVALID' }));
    }
    expect(() => license.hasFeature('Pro', { featureNames: { Pro: 1.5 as never } })).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
    // An integer that is no flag, or a name the license does not define, is simply not granted.
    expect([license.hasFeature(9 as never), license.hasFeature(0 as never), license.hasFeature('F9'), license.hasFeature('Nope')]).toEqual([false, false, false, false]);
  });

  test('requireFeatures: F9, F0 and a featureNames name in the wrong case are option errors, said before any license is read', () => {
    for (const [requireFeatures, product] of [[['F9']], [['f9']], [['F0']], [['F10']], [['pro'], { featureNames: { Pro: 1 } }], [['PRO'], { featureNames: { Pro: 1 } }]] as const) {
      expect(() => verifyLicenseSync('not even a license', { ...BASE, requireFeatures, product } as VerifyOptions), JSON.stringify(requireFeatures)).toThrow(
        expect.objectContaining({ name: 'OptionError', code: 'ERR_OPTION_INVALID', message: expect.stringContaining('requireFeatures[0]') }),
      );
    }
  });

  test('names resolve in order: featureNames, F1–F8, then cryptolens_features paths (checked against the license, so a verdict)', () => {
    const options = { key: VENDOR.publicXml, now: BASE.now };
    expect(verifyLicenseSync(templateText, { ...options, requireFeatures: ['Cloud', 'Modules.Render.Audio.Mixer', 'F3', 'f3'] }).valid).toBe(true);
    expect(verifyLicenseSync(templateText, { ...options, requireFeatures: ['Clod', 'Modules.Render.X'] }).reasons).toEqual(['FEATURE_MISSING']);
    expect(verifyLicenseSync(templateText, { ...options, requireFeatures: ['Pro'], product: { featureNames: { Pro: 3 } } }).valid).toBe(true);
    expect(verifyLicenseSync(templateText, { ...options, requireFeatures: ['F9'], product: { featureNames: { F9: 3 } } }).valid).toBe(true);
  });
});

/** Arbitrary values for an option, biased towards the plausible. */
const VALUE = fc.oneof(
  fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withDate: true }),
  fc.constantFrom(0, 1, 8, 9, 1.5, -1, '', 'F1', 'F9', 'RS256', 'EdDSA', 'node', 'purejs', 'webcrypto', 'forge', 'MACHINE-A', true, false, new Date(0), [], [1], ['RS256'], ['F1', 'Cloud']),
  fc.constantFrom('disabled', 'predefined', 'client', new Uint8Array(32), new Set(['A']), { trustedTimeMs: 0 }, { clockEvidence: { ms: 0, source: 'f' } }, { revoked: new Set(['A']), revocationSequence: 3 }),
  fc.record(
    {
      trustedTimeMs: fc.oneof(fc.double(), fc.anything()),
      clockEvidence: fc.oneof(fc.constant(null), fc.record({ ms: fc.oneof(fc.double(), fc.anything()), source: fc.oneof(fc.string(), fc.anything()) })),
      boundSecretHash: fc.oneof(fc.constant(null), fc.uint8Array({ minLength: 30, maxLength: 33 }), fc.anything()),
      boundHwidHash: fc.oneof(fc.constant(null), fc.uint8Array({ minLength: 32, maxLength: 32 })),
      revoked: fc.oneof(fc.constant(null), fc.array(fc.oneof(fc.string(), fc.integer())).map((a) => new Set(a))),
      revocationSequence: fc.oneof(fc.integer(), fc.double()),
    },
    { requiredKeys: [] },
  ),
);
const NAMES = [
  'now', 'clockToleranceSeconds', 'maxSignatureAgeDays', 'machineCode', 'allowOverdraft', 'requireFeatures', 'productId', 'product',
  'graceDays', 'licenseeSecret', 'licenseeSecretMode', 'hwid', 'bindHwid', 'facts',
  'key', 'backend', 'maxInputBytes', 'algorithms', 'unknownOption',
];
/** What else an option may legitimately answer with, besides ERR_OPTION_INVALID. */
const ALSO: Readonly<Record<string, readonly string[]>> = {
  key: ['ERR_KEY_INVALID', 'ERR_KEY_PRIVATE', 'ERR_KEY_CERTIFICATE', 'ERR_KEY_UNSUPPORTED', 'ERR_KEY_TOO_SMALL'],
  backend: ['ERR_BACKEND_ASYNC_ONLY', 'ERR_BACKEND_UNAVAILABLE'],
  algorithms: ['ERR_ALGORITHM_NOT_ALLOWED'],
  maxInputBytes: ['ERR_INPUT_TOO_LARGE'],
};

describe('arbitrary option values', () => {
  prop.prop([fc.constantFrom(...NAMES), VALUE], { numRuns: 400 })('either work or throw a LicenseKitError with ERR_OPTION_INVALID (never another error type)', (name, value) => {
    for (const api of ['sync', 'evaluate'] as const) {
      if (api === 'evaluate' && ['key', 'backend', 'maxInputBytes', 'algorithms'].includes(name)) continue;
      try {
        if (api === 'sync') verifyLicenseSync(text, { ...BASE, [name]: value } as VerifyOptions);
        else license.evaluate({ now: BASE.now, [name]: value } as never);
      } catch (error) {
        expect(error).toBeInstanceOf(LicenseKitError);
        expect(['ERR_OPTION_INVALID', ...(ALSO[name] ?? [])]).toContain((error as LicenseKitError).code);
      }
    }
  });
});
