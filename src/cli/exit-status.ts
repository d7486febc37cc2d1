/**
 * The CLI's exit status for each error code: one explicit table, total over
 * `ErrorCode` (TypeScript refuses to build when a new code has no row), so a
 * code's exit status never depends on how its name happens to start.
 */
import type { ErrorCode } from '../lib/errors.ts';
import { EXIT } from './io.ts';

/** An exit status the CLI documents in `--help`. */
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** Exit status of a command that stopped on a licensekit error, by the error's code. */
export const EXIT_STATUS_BY_CODE = Object.freeze({
  ERR_INPUT_TOO_LARGE: EXIT.USAGE,
  ERR_INPUT_EMPTY: EXIT.USAGE,
  ERR_INPUT_NOT_JSON: EXIT.USAGE,
  ERR_ENVELOPE_INVALID: EXIT.USAGE,
  ERR_BASE64_INVALID: EXIT.USAGE,
  ERR_PAYLOAD_INVALID: EXIT.USAGE,
  ERR_CBOR_INVALID: EXIT.USAGE,
  ERR_ALGORITHM_NOT_ALLOWED: EXIT.USAGE,
  ERR_FORMAT_UNSUPPORTED: EXIT.USAGE,
  ERR_KEY_INVALID: EXIT.KEY,
  ERR_KEY_PRIVATE: EXIT.KEY,
  ERR_KEY_CERTIFICATE: EXIT.KEY,
  ERR_KEY_UNSUPPORTED: EXIT.KEY,
  ERR_KEY_TOO_SMALL: EXIT.KEY,
  ERR_KEY_UNKNOWN_KID: EXIT.KEY,
  ERR_ALGORITHM_UNSUPPORTED: EXIT.USAGE,
  ERR_BACKEND_UNAVAILABLE: EXIT.USAGE,
  ERR_BACKEND_ASYNC_ONLY: EXIT.USAGE,
  ERR_FINGERPRINT_INVALID: EXIT.USAGE,
  ERR_FINGERPRINT_UNAVAILABLE: EXIT.USAGE,
  ERR_FINGERPRINT_TOO_WEAK: EXIT.USAGE,
  ERR_OPTION_INVALID: EXIT.USAGE,
  ERR_FILE_UNREADABLE: EXIT.USAGE,
  ERR_STATE_LOCKED: EXIT.USAGE,
  ERR_STATE_IO: EXIT.USAGE,
  ERR_STATE_CORRUPT: EXIT.USAGE,
  ERR_STATE_TOO_LARGE: EXIT.USAGE,
  ERR_STATE_VERSION: EXIT.USAGE,
  ERR_STATE_TAMPERED: EXIT.USAGE,
  ERR_MESSAGE_INVALID: EXIT.USAGE,
  ERR_LEDGER_IO: EXIT.USAGE,
  ERR_LEDGER_CORRUPT: EXIT.USAGE,
  ERR_LEDGER_VERSION: EXIT.USAGE,
  ERR_LEDGER_LOCKED: EXIT.USAGE,
  ERR_LEDGER_LIMIT: EXIT.USAGE,
  ERR_LEDGER_INVALID: EXIT.USAGE,
  ERR_LEDGER_DUPLICATE: EXIT.USAGE,
  ERR_LEDGER_NOT_FOUND: EXIT.USAGE,
  ERR_CUSTOMER_SECRET_TAKEN: EXIT.USAGE,
} satisfies Record<ErrorCode, ExitStatus>);

/** The exit status for `code`; a code the table does not know (a newer library, plain JavaScript) counts as bad usage. */
export function exitStatusOf(code: ErrorCode): ExitStatus {
  return Object.hasOwn(EXIT_STATUS_BY_CODE, code) ? EXIT_STATUS_BY_CODE[code] : EXIT.USAGE;
}
