/**
 * Cryptolens' `LicenseStatus`, computed locally from the verified license and
 * the product's feature definitions, so an offline program gets the same
 * answer the server's metadata would give. A Cryptolens view: the adapter
 * reports it as the verdict's `status`; the rules never read it.
 */
import { FEATURE_FLAGS, type License } from '../../license/model.ts';
import type { ResolvedProduct } from '../../rules/options.ts';
import { expiryApplies, isExpiredAt } from '../../rules/expiry.ts';

/** The Cryptolens LicenseStatus object (PascalCase, as the server returns it). */
export interface LicenseStatus {
  /** Not blocked and, when time-limited, not expired. */
  readonly IsValid: boolean;
  /** 0 none, 1 expired, 2 blocked (blocked wins when both). */
  readonly ReasonForInvalidity: 0 | 1 | 2;
  /** The product's trial flag is set. */
  readonly Trial: boolean;
  /** Expiry applies: the product's time-limited flag is set, or the product defines none. */
  readonly TimeLimited: boolean;
  /** Whole days until expiry (0 when expired or not time-limited). */
  readonly TimeLeft: number;
}

/** Computes the LicenseStatus at `nowMs`. */
export function computeStatus(license: License, product: ResolvedProduct, nowMs: number, toleranceMs: number): LicenseStatus {
  const timeLimited = expiryApplies(license, product);
  const expiresMs = license.expires ? license.expires.getTime() : null;
  const expired = timeLimited && isExpiredAt(expiresMs, nowMs, toleranceMs);
  const blocked = license.block === true;
  const trialFlag = product.trialFeature;
  // Plain data, fresh for each verdict like its checks (nothing else holds it, so freezing would protect nothing).
  return {
    IsValid: !expired && !blocked,
    ReasonForInvalidity: blocked ? 2 : expired ? 1 : 0,
    Trial: trialFlag !== undefined && license.features[FEATURE_FLAGS[trialFlag - 1]!] === true,
    TimeLimited: timeLimited,
    TimeLeft: timeLimited && expiresMs !== null && !expired ? Math.max(0, Math.floor((expiresMs - nowMs) / 86_400_000)) : 0,
  };
}
