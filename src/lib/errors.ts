/**
 * Typed errors with stable codes. Tests and callers switch on `code`, never on
 * the message text. A license that parses but fails a check is NOT an error:
 * it is a verdict with reasons (see `rules/`). Errors are for input that cannot
 * be read at all, keys that cannot be used, and misuse of the API.
 *
 * Every code belongs to exactly one class, and {@link ERROR_CODES} is the one
 * list of them (as jose's `util/errors.ts`). A class that stands for one
 * problem fixes its code (`OptionError` is always `ERR_OPTION_INVALID`); a
 * class that groups a few takes one of its own closed set, and TypeScript
 * refuses another class's code at the call site. Adding a code is one line in
 * {@link ERROR_CODES}; the types below and the CLI's exit-status table (which
 * must be total) follow from it.
 */

/** The classes that carry codes, and `BatchItemError` (plain data in a `verifyLicenses` slot, never thrown). */
export type ErrorClassName =
  | 'LicenseInputError'
  | 'UnsupportedFormatError'
  | 'KeyError'
  | 'BackendError'
  | 'FingerprintError'
  | 'OptionError'
  | 'FileReadError'
  | 'StateError'
  | 'LedgerError'
  | 'ActivationError'
  | 'BatchItemError';

/** One row of {@link ERROR_CODES}. */
export interface ErrorCodeInfo<E extends ErrorClassName = ErrorClassName> {
  /** The class whose instances (and only those) carry the code. */
  readonly error: E;
}

function row<E extends ErrorClassName>(error: E): ErrorCodeInfo<E> {
  return Object.freeze({ error });
}

/**
 * Every code licensekit gives an error, with the class that carries it (what
 * each means, in one line, is `ERROR_MEANINGS` in `error-meanings.ts`).
 *
 * @example
 * import { ERROR_CODES } from 'licensekit';
 * ERROR_CODES.ERR_KEY_PRIVATE.error   // 'KeyError'
 * ERROR_MEANINGS.ERR_KEY_PRIVATE      // 'a private key was given where the public key belongs' (from the Node entry)
 */
export const ERROR_CODES = Object.freeze({
  ERR_INPUT_TOO_LARGE: row('LicenseInputError'),
  ERR_INPUT_EMPTY: row('LicenseInputError'),
  ERR_INPUT_NOT_JSON: row('LicenseInputError'),
  ERR_ENVELOPE_INVALID: row('LicenseInputError'),
  ERR_BASE64_INVALID: row('LicenseInputError'),
  ERR_PAYLOAD_INVALID: row('LicenseInputError'),
  ERR_CBOR_INVALID: row('LicenseInputError'),
  ERR_XML_INVALID: row('LicenseInputError'),
  ERR_ALGORITHM_NOT_ALLOWED: row('LicenseInputError'),
  ERR_LICENSE_KEY_REQUIRED: row('LicenseInputError'),
  ERR_LICENSE_KEY_WRONG: row('LicenseInputError'),
  ERR_FORMAT_UNSUPPORTED: row('UnsupportedFormatError'),
  ERR_KEY_INVALID: row('KeyError'),
  ERR_KEY_PRIVATE: row('KeyError'),
  ERR_KEY_CERTIFICATE: row('KeyError'),
  ERR_KEY_UNSUPPORTED: row('KeyError'),
  ERR_KEY_TOO_SMALL: row('KeyError'),
  ERR_KEY_UNKNOWN_KID: row('KeyError'),
  ERR_ALGORITHM_UNSUPPORTED: row('BackendError'),
  ERR_BACKEND_UNAVAILABLE: row('BackendError'),
  ERR_BACKEND_ASYNC_ONLY: row('BackendError'),
  ERR_FINGERPRINT_INVALID: row('FingerprintError'),
  ERR_FINGERPRINT_UNAVAILABLE: row('FingerprintError'),
  ERR_FINGERPRINT_TOO_WEAK: row('FingerprintError'),
  ERR_OPTION_INVALID: row('OptionError'),
  ERR_FILE_UNREADABLE: row('FileReadError'),
  ERR_STATE_LOCKED: row('StateError'),
  ERR_STATE_IO: row('StateError'),
  ERR_STATE_CORRUPT: row('StateError'),
  ERR_STATE_TOO_LARGE: row('StateError'),
  ERR_STATE_VERSION: row('StateError'),
  ERR_STATE_TAMPERED: row('StateError'),
  ERR_MESSAGE_INVALID: row('StateError'),
  ERR_LEDGER_IO: row('LedgerError'),
  ERR_LEDGER_CORRUPT: row('LedgerError'),
  ERR_LEDGER_VERSION: row('LedgerError'),
  ERR_LEDGER_LOCKED: row('LedgerError'),
  ERR_LEDGER_LIMIT: row('LedgerError'),
  ERR_LEDGER_INVALID: row('LedgerError'),
  ERR_LEDGER_DUPLICATE: row('LedgerError'),
  ERR_LEDGER_NOT_FOUND: row('LedgerError'),
  ERR_CUSTOMER_SECRET_TAKEN: row('LedgerError'),
  ERR_ACTIVATION_REQUEST_INVALID: row('ActivationError'),
  ERR_ACTIVATION_LICENSE_UNKNOWN: row('ActivationError'),
  ERR_ACTIVATION_LICENSE_REVOKED: row('ActivationError'),
  ERR_ACTIVATION_LIMIT_REACHED: row('ActivationError'),
  ERR_ACTIVATION_NOT_HELD: row('ActivationError'),
  ERR_RECEIPT_INVALID: row('ActivationError'),
  ERR_RECEIPT_USED: row('ActivationError'),
  ERR_INPUT_TYPE: row('BatchItemError'),
  ERR_UNEXPECTED: row('BatchItemError'),
});

type CodeTable = typeof ERROR_CODES;

/** The codes carried by the class named `E` (a closed set, derived from {@link ERROR_CODES}). */
export type CodeOf<E extends ErrorClassName> = { [C in keyof CodeTable]: CodeTable[C]['error'] extends E ? C : never }[keyof CodeTable];

/** Every stable code a licensekit error carries (the batch's per-item codes are `BatchErrorCode`). */
export type ErrorCode = Exclude<keyof CodeTable, CodeOf<'BatchItemError'>>;

function codesOf<E extends ErrorClassName>(error: E): readonly CodeOf<E>[] {
  return Object.freeze((Object.keys(ERROR_CODES) as (keyof CodeTable)[]).filter((code) => ERROR_CODES[code].error === error) as CodeOf<E>[]);
}

/** Options of every error's constructor. */
export interface LicenseKitErrorOptions {
  /** The error that led to this one. */
  readonly cause?: unknown;
}

/** Marks every licensekit error, across bundle copies (a registered symbol is the same in every copy). */
const BRAND = Symbol.for('licensekit.error');

/** The `errorName` a class writes out itself (licensekit's classes do), else `undefined`. */
function ownErrorName(target: unknown): string | undefined {
  return typeof target === 'function' && Object.hasOwn(target, 'errorName') ? (target as unknown as { errorName: string }).errorName : undefined;
}

/** A class's own written-out `errorName`, else its (unminified) name: a subclass of a subclass keeps its own name. */
function nameOf(target: Function): string {
  return Object.hasOwn(target, 'errorName') ? (target as unknown as { errorName: string }).errorName : target.name;
}

/**
 * Base class of every error licensekit throws on purpose. Not constructed
 * directly: each subclass fixes its code or its closed set of codes.
 */
export class LicenseKitError extends Error {
  /** The codes instances of this class may carry ({@link ERROR_CODES} rows naming the class). */
  static readonly codes: readonly ErrorCode[] = Object.freeze([]);
  /** The class's name, written out: minified bundles rename classes, and `error.name` must stay `KeyError`. */
  static readonly errorName: string = 'LicenseKitError';
  /** Stable, machine-readable code such as `ERR_BASE64_INVALID`. */
  readonly code: ErrorCode;
  /**
   * `error instanceof KeyError` holds for a KeyError made by any copy of these classes, not only this one: Node's
   * `licensekit` loads rarely used formats and backends from files of their own (each bundling its own copy), and
   * each CommonJS entry bundles its own. Only licensekit's own classes (those that write out an `errorName`) answer
   * so: another copy's error is recognised by its brand and by the written-out names along its prototype chain, so
   * a KeyError is never taken for an OptionError, and a subclass of yours answers `instanceof` as JavaScript does.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const name = ownErrorName(this);
    if (name === undefined || typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) return false;
    let p: object | null = value;
    for (let depth = 0; depth < 16 && (p = Object.getPrototypeOf(p) as object | null) !== null; depth++) {
      if (Object.hasOwn(p, 'constructor') && ownErrorName((p as { constructor: unknown }).constructor) === name) return true;
    }
    return false;
  }
  protected constructor(code: ErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(message, options);
    // Plain JavaScript callers get no compile-time check: a foreign code is a bug at the throw site.
    if (!(new.target as typeof LicenseKitError).codes.includes(code)) {
      throw new TypeError(`${nameOf(new.target)} cannot carry ${String(code)}`);
    }
    this.code = code;
    this.name = nameOf(new.target);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Codes of {@link LicenseInputError}. */
export type LicenseInputErrorCode = CodeOf<'LicenseInputError'>;

/** The license input could not be read: too large, not JSON, broken base64, wrong shape. */
export class LicenseInputError extends LicenseKitError {
  static override readonly errorName = 'LicenseInputError';
  static override readonly codes = codesOf('LicenseInputError');
  declare readonly code: LicenseInputErrorCode;
  constructor(code: LicenseInputErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** The license uses a format or sign method licensekit does not (yet) verify. Code `ERR_FORMAT_UNSUPPORTED`. */
export class UnsupportedFormatError extends LicenseKitError {
  static override readonly errorName = 'UnsupportedFormatError';
  static override readonly codes = codesOf('UnsupportedFormatError');
  declare readonly code: CodeOf<'UnsupportedFormatError'>;
  constructor(message: string, options?: LicenseKitErrorOptions) {
    super('ERR_FORMAT_UNSUPPORTED', message, options);
  }
}

/** Codes of {@link KeyError}. */
export type KeyErrorCode = CodeOf<'KeyError'>;

/** The verification key is unusable: malformed, private, a certificate, not RSA/Ed25519, too small. */
export class KeyError extends LicenseKitError {
  static override readonly errorName = 'KeyError';
  static override readonly codes = codesOf('KeyError');
  declare readonly code: KeyErrorCode;
  constructor(code: KeyErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link BackendError}. */
export type BackendErrorCode = CodeOf<'BackendError'>;

/** No signature backend can serve the request (none available, or a sync call on an async-only backend). */
export class BackendError extends LicenseKitError {
  static override readonly errorName = 'BackendError';
  static override readonly codes = codesOf('BackendError');
  declare readonly code: BackendErrorCode;
  constructor(code: BackendErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link FingerprintError}. */
export type FingerprintErrorCode = CodeOf<'FingerprintError'>;

/** A hardware fingerprint or machine snapshot could not be read. */
export class FingerprintError extends LicenseKitError {
  static override readonly errorName: string = 'FingerprintError';
  static override readonly codes = codesOf('FingerprintError');
  declare readonly code: FingerprintErrorCode;
  constructor(code: FingerprintErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** An option has an invalid value (for example `now` set to an Invalid Date). Code `ERR_OPTION_INVALID`. */
export class OptionError extends LicenseKitError {
  static override readonly errorName = 'OptionError';
  static override readonly codes = codesOf('OptionError');
  declare readonly code: CodeOf<'OptionError'>;
  constructor(message: string, options?: LicenseKitErrorOptions) {
    super('ERR_OPTION_INVALID', message, options);
  }
}

/** The CLI could not open a file, or it is not a regular file. Code `ERR_FILE_UNREADABLE`. */
export class FileReadError extends LicenseKitError {
  static override readonly errorName = 'FileReadError';
  static override readonly codes = codesOf('FileReadError');
  declare readonly code: CodeOf<'FileReadError'>;
  constructor(message: string, options?: LicenseKitErrorOptions) {
    super('ERR_FILE_UNREADABLE', message, options);
  }
}

/** Codes of {@link StateError}. */
export type StateErrorCode = CodeOf<'StateError'>;

/** The local state (licensekit/state) cannot be read or written: locked, an I/O failure, no intact generation, too large, a newer format. */
export class StateError extends LicenseKitError {
  static override readonly errorName = 'StateError';
  static override readonly codes = codesOf('StateError');
  declare readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link LedgerError}. */
export type LedgerErrorCode = CodeOf<'LedgerError'>;

/**
 * The vendor ledger (licensekit/ledger) refused or failed: a duplicate or
 * unknown record, a malformed one, a secret another customer has, a lock not
 * acquired, an I/O failure, a damaged journal, a limit reached.
 */
export class LedgerError extends LicenseKitError {
  static override readonly errorName = 'LedgerError';
  static override readonly codes = codesOf('LedgerError');
  declare readonly code: LedgerErrorCode;
  constructor(code: LedgerErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link ActivationError}. */
export type ActivationErrorCode = CodeOf<'ActivationError'>;

/**
 * The offline activation exchange refused something: a request or receipt
 * that is not one or does not verify, a license the ledger does not know or
 * revoked, the machine limit reached, a license this state does not hold, a
 * receipt accepted before.
 */
export class ActivationError extends LicenseKitError {
  static override readonly errorName = 'ActivationError';
  static override readonly codes = codesOf('ActivationError');
  declare readonly code: ActivationErrorCode;
  constructor(code: ActivationErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** True for any error licensekit threw on purpose (as opposed to a bug). */
export function isLicenseKitError(error: unknown): error is LicenseKitError {
  // `instanceof` recognises an error from another copy of these classes by its brand (see LicenseKitError[Symbol.hasInstance]).
  return error instanceof LicenseKitError && typeof (error as { code?: unknown }).code === 'string';
}
