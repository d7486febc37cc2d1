/**
 * Typed errors with stable codes. Tests and callers switch on `code`, never on
 * the message text. A license that parses but fails a check is NOT an error:
 * it is a verdict with reasons (see `rules/`). Errors are for input that cannot
 * be read at all, keys that cannot be used, and misuse of the API.
 */

/** Every stable error code licensekit throws. */
export type ErrorCode =
  | 'ERR_INPUT_TOO_LARGE'
  | 'ERR_INPUT_EMPTY'
  | 'ERR_INPUT_NOT_JSON'
  | 'ERR_ENVELOPE_INVALID'
  | 'ERR_BASE64_INVALID'
  | 'ERR_PAYLOAD_INVALID'
  | 'ERR_FORMAT_UNSUPPORTED'
  | 'ERR_KEY_INVALID'
  | 'ERR_KEY_PRIVATE'
  | 'ERR_KEY_CERTIFICATE'
  | 'ERR_KEY_UNSUPPORTED'
  | 'ERR_KEY_TOO_SMALL'
  | 'ERR_ALGORITHM_UNSUPPORTED'
  | 'ERR_BACKEND_UNAVAILABLE'
  | 'ERR_BACKEND_ASYNC_ONLY'
  | 'ERR_FINGERPRINT_INVALID'
  | 'ERR_FINGERPRINT_UNAVAILABLE'
  | 'ERR_OPTION_INVALID';

/** Base class of every error licensekit throws on purpose. */
export class LicenseKitError extends Error {
  /** Stable, machine-readable code such as `ERR_BASE64_INVALID`. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The license input could not be read: too large, not JSON, broken base64, wrong shape. */
export class LicenseInputError extends LicenseKitError {}

/** The license uses a format or sign method licensekit does not (yet) verify. */
export class UnsupportedFormatError extends LicenseKitError {
  constructor(message: string) {
    super('ERR_FORMAT_UNSUPPORTED', message);
  }
}

/** The verification key is unusable: malformed, private, a certificate, not RSA/Ed25519, too small. */
export class KeyError extends LicenseKitError {}

/** No signature backend can serve the request (none available, or a sync call on an async-only backend). */
export class BackendError extends LicenseKitError {}

/** A hardware fingerprint or machine snapshot could not be read. */
export class FingerprintError extends LicenseKitError {}

/** An option has an invalid value (for example `now` set to an Invalid Date). */
export class OptionError extends LicenseKitError {
  constructor(message: string) {
    super('ERR_OPTION_INVALID', message);
  }
}

/** True for any error licensekit threw on purpose (as opposed to a bug). */
export function isLicenseKitError(error: unknown): error is LicenseKitError {
  return error instanceof LicenseKitError;
}
