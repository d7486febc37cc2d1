/**
 * Error classes across copies: Node's `licensekit` loads rarely used formats and
 * backends from files of their own, each bundling its own copy of the error
 * classes (as each CommonJS entry does). `instanceof` must still answer by
 * class: a KeyError from another copy is a KeyError and a LicenseKitError, never
 * an OptionError, and nothing unbranded passes.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as here from '../../src/lib/errors.ts';
import { FingerprintError } from '../../src/lib/errors.ts';
import { MachineCodeUnavailableError } from '../../src/fingerprint/fingerprint.ts';

type Errors = typeof here & { MachineCodeUnavailableError: typeof MachineCodeUnavailableError };
let other: Errors;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'licensekit-error-copies-'));
  const root = join(__dirname, '..', '..');
  // A second copy, minified as the shipped bundles are (class names renamed).
  await build({
    stdin: { contents: "export * from './src/lib/errors.ts'; export { MachineCodeUnavailableError } from './src/fingerprint/fingerprint.ts';", resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile: join(dir, 'copy.mjs'),
    logLevel: 'silent',
  });
  other = (await import(pathToFileURL(join(dir, 'copy.mjs')).href)) as Errors;
  expect(other.KeyError).not.toBe(here.KeyError);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('instanceof across copies of the error classes', () => {
  it('answers by class, both ways', () => {
    const pairs: [Errors | typeof here, Errors | typeof here][] = [
      [other, here],
      [here, other],
    ];
    for (const [made, asked] of pairs) {
      const key = new made.KeyError('ERR_KEY_INVALID', 'bad key');
      expect(key instanceof asked.KeyError).toBe(true);
      expect(key instanceof asked.LicenseKitError).toBe(true);
      expect(key instanceof Error).toBe(true);
      expect(key instanceof asked.OptionError).toBe(false);
      expect(key instanceof asked.StateError).toBe(false);
      expect(asked.isLicenseKitError(key)).toBe(true);
      const option = new made.OptionError('bad option');
      expect(option instanceof asked.OptionError).toBe(true);
      expect(option instanceof asked.KeyError).toBe(false);
      expect(option.name).toBe('OptionError');
    }
  });

  it('knows a subclass of a subclass by its written-out name', () => {
    const made = new other.MachineCodeUnavailableError('linux', [], {} as never);
    expect(made.name).toBe('MachineCodeUnavailableError');
    expect(made instanceof MachineCodeUnavailableError).toBe(true);
    expect(made instanceof FingerprintError).toBe(true);
    expect(made instanceof here.LicenseKitError).toBe(true);
    const plain = new other.FingerprintError('ERR_FINGERPRINT_UNAVAILABLE', 'none');
    expect(plain instanceof MachineCodeUnavailableError).toBe(false);
    expect(plain instanceof FingerprintError).toBe(true);
  });

  it('lets nothing unbranded through', () => {
    const brand = Symbol.for('licensekit.error');
    const lookalikes: unknown[] = [
      null,
      undefined,
      'KeyError',
      42,
      new Error('plain'),
      { code: 'ERR_KEY_INVALID', name: 'KeyError' },
      Object.assign(new Error('x'), { code: 'ERR_KEY_INVALID', name: 'KeyError' }),
      { [brand]: true, code: 'ERR_KEY_INVALID' },
      Object.create(here.KeyError.prototype) as object,
    ];
    for (const value of lookalikes) {
      expect(value instanceof here.KeyError).toBe(value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === here.KeyError.prototype);
      expect(value instanceof other.KeyError).toBe(false);
      expect(value instanceof other.LicenseKitError).toBe(false);
    }
  });
});

describe('subclasses of yours and forged objects (the review of the cross-copy check)', () => {
  it('your own subclasses answer instanceof as JavaScript does, even when two share a name or have none', () => {
    const make = <B extends new (code: never, message: string) => Error>(base: B, code: string) =>
      class extends (base as unknown as new (code: string, message: string) => Error) {
        constructor() {
          super(code, 'x');
        }
      };
    const A = make(here.KeyError as never, 'ERR_KEY_INVALID');
    const B = make(other.BackendError as never, 'ERR_BACKEND_UNAVAILABLE');
    expect(new A() instanceof B).toBe(false);
    expect(new B() instanceof A).toBe(false);
    expect(new A() instanceof A).toBe(true);
    // Still errors of licensekit's classes, from either copy.
    expect(new A() instanceof other.KeyError).toBe(true);
    expect(new B() instanceof here.BackendError).toBe(true);
    expect(new B() instanceof here.KeyError).toBe(false);
    // Same name, unrelated classes.
    const AppErrorOne = { AppError: class extends (here.KeyError as unknown as new (c: string, m: string) => Error) {} }.AppError;
    const AppErrorTwo = { AppError: class extends (here.OptionError as unknown as new (m: string) => Error) {} }.AppError;
    expect(new AppErrorOne('ERR_KEY_INVALID', 'x') instanceof AppErrorTwo).toBe(false);
    // A subclass of yours named after a library class is not that class.
    const KeyErrorLookalike = { KeyError: class extends (here.OptionError as unknown as new (m: string) => Error) {} }.KeyError;
    expect(new KeyErrorLookalike('x') instanceof here.KeyError).toBe(false);
    expect(new KeyErrorLookalike('x') instanceof other.KeyError).toBe(false);
  });

  it('a branded object whose prototype chain loops is refused, not a stack overflow', () => {
    const brand = Symbol.for('licensekit.error');
    const looping = new Proxy({ [brand]: true }, { getPrototypeOf: (target) => target });
    expect(looping instanceof other.KeyError).toBe(false);
    expect(looping instanceof other.LicenseKitError).toBe(false);
  });
});
