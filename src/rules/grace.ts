/**
 * Grace after expiry: for `graceDays` days after its expiry a license stays
 * valid, with the warning `EXPIRED_IN_GRACE` and the date the grace ends. The
 * license's own `graceDays` claim wins over the product's option. Grace ends
 * like an expiry does: at `expires + graceDays` (tolerance applied the same
 * way), so a license in grace behaves exactly like one expiring at the end of
 * its grace, plus the warning.
 */
import type { License } from '../license/model.ts';

const DAY_MS = 86_400_000;

/** When the grace after `expiresMs` ends (epoch milliseconds), or `null` when there is none (no grace days, or 0). */
export function graceEndMs(license: License, optionDays: number | null, expiresMs: number): number | null {
  const days = license.graceDays ?? optionDays;
  return days === null || days === 0 ? null : expiresMs + days * DAY_MS;
}
