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
  | 'BatchItemError';

/** One row of {@link ERROR_CODES}. */
export interface ErrorCodeInfo<E extends ErrorClassName = ErrorClassName> {
  /** The class whose instances (and only those) carry the code. */
  readonly error: E;
  /** What the code means, in one line. */
  readonly meaning: string;
}

function row<E extends ErrorClassName>(error: E, meaning: string): ErrorCodeInfo<E> {
  return Object.freeze({ error, meaning });
}

/**
 * Every code licensekit gives an error, with the class that carries it and a
 * one-line meaning.
 *
 * @example
 * import { ERROR_CODES } from 'licensekit';
 * ERROR_CODES.ERR_KEY_PRIVATE.error   // 'KeyError'
 * ERROR_CODES.ERR_KEY_PRIVATE.meaning // 'a private key was given where the public key belongs'
 */
export const ERROR_CODES = Object.freeze({
  ERR_INPUT_TOO_LARGE: row('LicenseInputError', 'the license (or key) input is larger than the size limit; refused before it is read'),
  ERR_INPUT_EMPTY: row('LicenseInputError', 'the license input is empty or only whitespace'),
  ERR_INPUT_NOT_JSON: row('LicenseInputError', 'the license input is not UTF-8 JSON (nor a recognised compact form)'),
  ERR_ENVELOPE_INVALID: row('LicenseInputError', 'the license envelope lacks a field or has one of the wrong type'),
  ERR_BASE64_INVALID: row('LicenseInputError', 'a base64 field of the license does not decode'),
  ERR_PAYLOAD_INVALID: row('LicenseInputError', 'the signed payload is not UTF-8 JSON of the expected shape'),
  ERR_CBOR_INVALID: row('LicenseInputError', 'binary (CBOR) input is not strict CBOR: indefinite lengths, duplicate map keys, tags, undefined, trailing bytes, or over a limit'),
  ERR_ALGORITHM_NOT_ALLOWED: row('LicenseInputError', 'the license is signed with an algorithm the "algorithms" option does not allow'),
  ERR_FORMAT_UNSUPPORTED: row('UnsupportedFormatError', 'the license uses a format or sign method licensekit does not verify'),
  ERR_KEY_INVALID: row('KeyError', 'the key is malformed (not RSAKeyValue XML, PEM or JWK, or inconsistent)'),
  ERR_KEY_PRIVATE: row('KeyError', 'a private key was given where the public key belongs'),
  ERR_KEY_CERTIFICATE: row('KeyError', 'a certificate was given instead of its public key'),
  ERR_KEY_UNSUPPORTED: row('KeyError', 'the key is not RSA or Ed25519, or does not fit the license\'s algorithm'),
  ERR_KEY_TOO_SMALL: row('KeyError', 'the RSA key is below the minimum size (2048 bits)'),
  ERR_KEY_UNKNOWN_KID: row('KeyError', 'the license names a key id (kid) that no key of the key ring has'),
  ERR_ALGORITHM_UNSUPPORTED: row('BackendError', 'the chosen backend cannot verify or sign with this algorithm'),
  ERR_BACKEND_UNAVAILABLE: row('BackendError', 'no backend can serve the request on this host (no WebCrypto, no CSPRNG, not in this build)'),
  ERR_BACKEND_ASYNC_ONLY: row('BackendError', 'a synchronous call reached a backend that verifies only asynchronously'),
  ERR_FINGERPRINT_INVALID: row('FingerprintError', 'a recorded fingerprint or machine snapshot is malformed'),
  ERR_FINGERPRINT_UNAVAILABLE: row('FingerprintError', 'no identifying hardware component is readable, so no machine code can be derived'),
  ERR_FINGERPRINT_TOO_WEAK: row('FingerprintError', 'a fingerprint to record carries too little identifying weight to bind a license to one machine'),
  ERR_OPTION_INVALID: row('OptionError', 'an option has an invalid value; the message names the option'),
  ERR_FILE_UNREADABLE: row('FileReadError', 'the CLI cannot open a file, or it is not a regular file'),
  ERR_STATE_LOCKED: row('StateError', 'the state\'s lock was not acquired within the timeout (another process holds it), or was lost while held'),
  ERR_STATE_IO: row('StateError', 'the state folder or one of its files cannot be read or written (permissions, disk full, not a folder)'),
  ERR_STATE_CORRUPT: row('StateError', 'state files exist but no generation of them is intact (torn, damaged, or refused by the caller\'s check)'),
  ERR_STATE_TOO_LARGE: row('StateError', 'the state to write is larger than the store\'s size limit; nothing was written'),
  ERR_STATE_VERSION: row('StateError', 'the state was written in a newer storage format than this licensekit reads; refused, never overwritten'),
  ERR_STATE_TAMPERED: row('StateError', 'the state document\'s MAC does not match (edited by hand, or copied from another machine, program or vendor key) and the policy is to refuse'),
  ERR_MESSAGE_INVALID: row('StateError', 'a vendor message (reset, revocation list) does not verify under the key, is not one, or is older than the one already imported'),
  ERR_INPUT_TYPE: row('BatchItemError', 'a verifyLicenses item is neither a string nor a Uint8Array (verifyLicense throws a TypeError)'),
  ERR_UNEXPECTED: row('BatchItemError', 'anything else thrown while verifying a verifyLicenses item (a bug); see its cause'),
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

/**
 * Base class of every error licensekit throws on purpose. Not constructed
 * directly: each subclass fixes its code or its closed set of codes.
 */
export class LicenseKitError extends Error {
  /** The codes instances of this class may carry ({@link ERROR_CODES} rows naming the class). */
  static readonly codes: readonly ErrorCode[] = Object.freeze([]);
  /** Stable, machine-readable code such as `ERR_BASE64_INVALID`. */
  readonly code: ErrorCode;
  protected constructor(code: ErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(message, options);
    // Plain JavaScript callers get no compile-time check: a foreign code is a bug at the throw site.
    if (!(new.target as typeof LicenseKitError).codes.includes(code)) {
      throw new TypeError(`${new.target.name} cannot carry ${String(code)}`);
    }
    this.code = code;
    this.name = new.target.name;
  }
}

/** Codes of {@link LicenseInputError}. */
export type LicenseInputErrorCode = CodeOf<'LicenseInputError'>;

/** The license input could not be read: too large, not JSON, broken base64, wrong shape. */
export class LicenseInputError extends LicenseKitError {
  static override readonly codes = codesOf('LicenseInputError');
  declare readonly code: LicenseInputErrorCode;
  constructor(code: LicenseInputErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** The license uses a format or sign method licensekit does not (yet) verify. Code `ERR_FORMAT_UNSUPPORTED`. */
export class UnsupportedFormatError extends LicenseKitError {
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
  static override readonly codes = codesOf('FingerprintError');
  declare readonly code: FingerprintErrorCode;
  constructor(code: FingerprintErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** An option has an invalid value (for example `now` set to an Invalid Date). Code `ERR_OPTION_INVALID`. */
export class OptionError extends LicenseKitError {
  static override readonly codes = codesOf('OptionError');
  declare readonly code: CodeOf<'OptionError'>;
  constructor(message: string, options?: LicenseKitErrorOptions) {
    super('ERR_OPTION_INVALID', message, options);
  }
}

/** The CLI could not open a file, or it is not a regular file. Code `ERR_FILE_UNREADABLE`. */
export class FileReadError extends LicenseKitError {
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
  static override readonly codes = codesOf('StateError');
  declare readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: LicenseKitErrorOptions) {
    super(code, message, options);
  }
}

/** True for any error licensekit threw on purpose (as opposed to a bug). */
export function isLicenseKitError(error: unknown): error is LicenseKitError {
  return error instanceof LicenseKitError;
}
