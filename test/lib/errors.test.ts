/**
 * Errors own their codes: every code in ERROR_CODES is carried by exactly the
 * class the list names (and no other can be made to carry it, neither in
 * TypeScript nor in plain JavaScript), every thrown code has a CLI exit
 * status, and the README's error table lists exactly the codes of the list.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  BackendError,
  ERROR_CODES,
  FileReadError,
  StateError,
  LedgerError,
  ActivationError,
  FingerprintError,
  KeyError,
  LicenseInputError,
  LicenseKitError,
  OptionError,
  UnsupportedFormatError,
  isLicenseKitError,
  type CodeOf,
  type ErrorClassName,
  type ErrorCode,
} from '../../src/index.ts';
import type { BatchErrorCode } from '../../src/batch.ts';
import { ERROR_MEANINGS } from '../../src/lib/error-meanings.ts';
import { EXIT_STATUS_BY_CODE, exitStatusOf, type ExitStatus } from '../../src/cli/exit-status.ts';
import { EXIT } from '../../src/cli/io.ts';

type AnyCode = keyof typeof ERROR_CODES;
const ALL_CODES = Object.keys(ERROR_CODES) as AnyCode[];

/** Every class that carries codes, and how to ask it for a code (single-code classes take only a message). */
const CLASSES = {
  LicenseInputError,
  UnsupportedFormatError,
  KeyError,
  BackendError,
  FingerprintError,
  OptionError,
  FileReadError,
  StateError,
  LedgerError,
  ActivationError,
} satisfies Record<Exclude<ErrorClassName, 'BatchItemError'>, { readonly codes: readonly ErrorCode[] }>;

/** What a plain JavaScript caller can do: pass `code` first, and for a class that fixes its code, pass nothing but a message. */
function attempts(name: keyof typeof CLASSES, code: string): (() => LicenseKitError)[] {
  const cls = CLASSES[name] as unknown as new (...args: unknown[]) => LicenseKitError;
  return [() => new cls(code, 'm'), () => new cls('m')];
}

describe('ERROR_CODES', () => {
  test('is frozen, row by row, and every row names a class and a one-line meaning', () => {
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
    for (const code of ALL_CODES) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]+$/);
      expect(Object.isFrozen(ERROR_CODES[code])).toBe(true);
      expect(ERROR_MEANINGS[code]).toMatch(/^[^\n]{10,200}$/);
    }
  });

  test.each(ALL_CODES.filter((code) => ERROR_CODES[code].error !== 'BatchItemError'))('%s is carried by its class and by no other', (code) => {
    const owner = ERROR_CODES[code].error;
    for (const name of Object.keys(CLASSES) as (keyof typeof CLASSES)[]) {
      const made = attempts(name, code).flatMap((attempt) => {
        try {
          return [attempt()];
        } catch (error) {
          expect(error, `${name} refuses ${code} with a TypeError`).toBeInstanceOf(TypeError);
          return [];
        }
      });
      const carrying = made.filter((error) => error.code === code);
      if (name === owner) {
        expect(carrying.length, `${name} carries ${code}`).toBeGreaterThan(0);
        for (const error of carrying) {
          expect(error).toBeInstanceOf(CLASSES[name]);
          expect(error.name).toBe(name);
          expect(isLicenseKitError(error)).toBe(true);
        }
      } else {
        expect(carrying, `${name} must not carry ${code}`).toEqual([]);
      }
    }
  });

  test("each class's static codes are exactly the list's rows naming it", () => {
    for (const [name, cls] of Object.entries(CLASSES)) {
      expect([...cls.codes].sort(), name).toEqual(ALL_CODES.filter((code) => ERROR_CODES[code].error === name).sort());
    }
  });

  test('the batch-only codes are no class\'s code but are BatchErrorCodes', () => {
    const batchOnly = ALL_CODES.filter((code) => ERROR_CODES[code].error === 'BatchItemError');
    expect(batchOnly.sort()).toEqual(['ERR_INPUT_TYPE', 'ERR_UNEXPECTED']);
    const asBatchCodes: readonly BatchErrorCode[] = batchOnly;
    expect(asBatchCodes).toHaveLength(2);
  });

  test('the subclass MachineCodeUnavailableError stays within its parent\'s codes', async () => {
    const { MachineCodeUnavailableError } = await import('../../src/fingerprint/fingerprint.ts');
    expect(MachineCodeUnavailableError.codes).toEqual(FingerprintError.codes);
  });
});

describe('type level: a class cannot be constructed with another class\'s code (checked by tsc)', () => {
  test('foreign codes and the abstract base are compile errors', () => {
    const attempts = [
      // @ts-expect-error ERR_OPTION_INVALID belongs to OptionError
      () => new KeyError('ERR_OPTION_INVALID', 'm'),
      // @ts-expect-error ERR_KEY_INVALID belongs to KeyError
      () => new LicenseInputError('ERR_KEY_INVALID', 'm'),
      // @ts-expect-error ERR_FINGERPRINT_INVALID belongs to FingerprintError
      () => new BackendError('ERR_FINGERPRINT_INVALID', 'm'),
      // @ts-expect-error ERR_BACKEND_UNAVAILABLE belongs to BackendError
      () => new FingerprintError('ERR_BACKEND_UNAVAILABLE', 'm'),
      // @ts-expect-error ERR_UNEXPECTED is a batch item's code, thrown by no class
      () => new LicenseInputError('ERR_UNEXPECTED', 'm'),
      // @ts-expect-error OptionError fixes its code: it takes only a message
      () => new OptionError('ERR_KEY_INVALID', 'm'),
      // @ts-expect-error the base class is not constructed directly
      () => new LicenseKitError('ERR_KEY_INVALID', 'm'),
    ];
    // At run time (plain JavaScript) each is refused as well.
    for (const attempt of attempts.slice(0, 5)) expect(attempt).toThrow(TypeError);
    expect(attempts[6]).toThrow(TypeError);
  });

  test('instances narrow `code` to their class\'s set', () => {
    const key: CodeOf<'KeyError'> = new KeyError('ERR_KEY_PRIVATE', 'm').code;
    const option: 'ERR_OPTION_INVALID' = new OptionError('m').code;
    // @ts-expect-error a KeyError never carries an input code
    const wrong: CodeOf<'LicenseInputError'> = new KeyError('ERR_KEY_PRIVATE', 'm').code;
    expect([key, option, wrong]).toEqual(['ERR_KEY_PRIVATE', 'ERR_OPTION_INVALID', 'ERR_KEY_PRIVATE']);
  });
});

describe('CLI exit status by code', () => {
  test('every thrown code has exactly one row, and every row is a documented exit status', () => {
    const thrown = ALL_CODES.filter((code) => ERROR_CODES[code].error !== 'BatchItemError');
    expect(Object.keys(EXIT_STATUS_BY_CODE).sort()).toEqual(thrown.sort());
    const documented: readonly number[] = Object.values(EXIT);
    for (const code of thrown) expect(documented, code).toContain(EXIT_STATUS_BY_CODE[code as ErrorCode]);
    // tsc: the table is total over ErrorCode.
    const total: Record<ErrorCode, ExitStatus> = EXIT_STATUS_BY_CODE;
    expect(total).toBe(EXIT_STATUS_BY_CODE);
  });

  test('key problems exit 3; unreadable input, usage and host problems exit 2; no code exits 0 or 1', () => {
    for (const code of Object.keys(EXIT_STATUS_BY_CODE) as ErrorCode[]) {
      const status = exitStatusOf(code);
      expect(status, code).not.toBe(EXIT.OK);
      expect(status, code).not.toBe(EXIT.INVALID);
      if (ERROR_CODES[code].error === 'KeyError') expect(status, code).toBe(EXIT.KEY);
      if (ERROR_CODES[code].error === 'LicenseInputError' || code === 'ERR_FILE_UNREADABLE' || code === 'ERR_OPTION_INVALID') expect(status, code).toBe(EXIT.USAGE);
    }
  });

  test('a code the table does not know (a plain JavaScript caller, a newer library) exits 2, not "undefined"', () => {
    expect(exitStatusOf('ERR_SOMETHING_NEW' as ErrorCode)).toBe(EXIT.USAGE);
    expect(exitStatusOf('toString' as ErrorCode)).toBe(EXIT.USAGE);
  });
});

describe('README', () => {
  test('the Errors section\'s table lists exactly the codes of ERROR_CODES, each with its class', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\|\s*`(ERR_[A-Z0-9_]+)`\s*\|\s*`?(\w+)`?\s*\|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.map(([code]) => code).sort()).toEqual([...ALL_CODES].sort());
    for (const [code, owner] of rows) expect(owner, code).toBe(ERROR_CODES[code as AnyCode].error);
  });
});
