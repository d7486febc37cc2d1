/**
 * One check's outcome as plain data, shared by every rule: what
 * `console.log`, a spread, `structuredClone` or `JSON.stringify` shows is all
 * there is. `reason` is present only on a failed check.
 */
import type { ReasonCode } from './reasons.ts';

/** One check and its outcome; `ok: null` means it did not apply (nothing to check). */
export interface CheckResult {
  readonly check:
    | 'signature'
    | 'key'
    | 'not-before'
    | 'expiry'
    | 'block'
    | 'signature-age'
    | 'sign-date'
    | 'machine'
    | 'features'
    | 'product'
    | 'clock'
    | 'licensee-secret'
    | 'hwid'
    | 'revocation'
    | 'nonce'
    | 'device';
  readonly ok: boolean | null;
  /** The reason code when the check failed. */
  readonly reason?: ReasonCode;
  /** Human explanation. */
  readonly detail: string;
}

/** A check as plain data (`reason` only when given). The detail is written eagerly (see `iso-date.ts` for why that is cheap). */
export function check(name: CheckResult['check'], ok: boolean | null, reason: ReasonCode | undefined, detail: string): CheckResult {
  return reason === undefined ? { check: name, ok, detail } : { check: name, ok, reason, detail };
}
