/**
 * When a license's expiry applies, and whether it has passed: shared by the
 * expiry rule, `VerifiedLicense.isExpired` and a format's own status view.
 */
import { FEATURE_FLAGS, type License } from '../license/model.ts';
import type { ResolvedProduct } from './options.ts';

/**
 * True when expiry applies to this license under the product definition:
 * always, unless the product names a time-limited flag and the license has it
 * explicitly `false`. A masked (`null`) flag fails closed: expiry applies.
 */
export function expiryApplies(license: License, product: ResolvedProduct): boolean {
  const flag = product.timeLimitedFeature;
  return flag === undefined || license.features[FEATURE_FLAGS[flag - 1]!] !== false;
}

/** True when `expires` is at or before now − tolerance. */
export function isExpiredAt(expiresMs: number | null, nowMs: number, toleranceMs: number): boolean {
  return expiresMs !== null && expiresMs <= nowMs - toleranceMs;
}
