/**
 * Runs every check on a verified license and reports EVERY failure, not only
 * the first. Pure: the same license, options and `nowMs` give the same result.
 */
import type { License } from '../license/model.ts';
import { grantsFeature, readFeatureTemplate, resolveFeature } from './features.ts';
import { matchMachine } from './machines.ts';
import type { ResolvedEvaluation } from './options.ts';
import type { ReasonCode } from './reasons.ts';
import { computeStatus, expiryApplies, isExpiredAt, type LicenseStatus } from './status.ts';

/** One check and its outcome; `ok: null` means it did not apply (nothing to check). */
export interface CheckResult {
  readonly check: 'signature' | 'expiry' | 'block' | 'signature-age' | 'sign-date' | 'machine' | 'features' | 'product';
  readonly ok: boolean | null;
  /** The reason code when the check failed. */
  readonly reason?: ReasonCode;
  /** Human explanation. */
  readonly detail: string;
}

/** The result of evaluating a verified license. */
export interface Evaluation {
  readonly valid: boolean;
  readonly reasons: readonly ReasonCode[];
  readonly checks: readonly CheckResult[];
  readonly status: LicenseStatus;
}

const featureLabel = (r: string | number): string => (typeof r === 'number' ? `F${r}` : r);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Evaluates every rule against a license whose signature has already verified. */
export function evaluateLicense(license: License, opts: ResolvedEvaluation): Evaluation {
  const { nowMs, toleranceMs } = opts;
  const checks: CheckResult[] = [{ check: 'signature', ok: true, detail: 'signature verifies' }];

  const expiresMs = license.expires ? license.expires.getTime() : null;
  if (!expiryApplies(license, opts.product)) {
    checks.push({ check: 'expiry', ok: null, detail: `not time-limited (F${opts.product.timeLimitedFeature} not set)` });
  } else if (expiresMs === null) {
    checks.push({ check: 'expiry', ok: null, detail: 'no expiry date' });
  } else if (isExpiredAt(expiresMs, nowMs, toleranceMs)) {
    checks.push({ check: 'expiry', ok: false, reason: 'EXPIRED', detail: `expired ${iso(expiresMs)}` });
  } else {
    checks.push({ check: 'expiry', ok: true, detail: `expires ${iso(expiresMs)}` });
  }

  checks.push(license.block === true ? { check: 'block', ok: false, reason: 'BLOCKED', detail: 'license is blocked' } : { check: 'block', ok: true, detail: 'not blocked' });

  const signMs = license.signDate ? license.signDate.getTime() : null;
  if (opts.maxSignatureAgeMs !== null) {
    if (signMs === null) checks.push({ check: 'signature-age', ok: false, reason: 'SIGNATURE_EXPIRED', detail: 'no SignDate to prove the file is fresh' });
    else if (signMs + opts.maxSignatureAgeMs <= nowMs - toleranceMs) {
      checks.push({ check: 'signature-age', ok: false, reason: 'SIGNATURE_EXPIRED', detail: `signed ${iso(signMs)}, older than ${opts.maxSignatureAgeMs / 86_400_000} days` });
    } else checks.push({ check: 'signature-age', ok: true, detail: `signed ${iso(signMs)}` });
  }
  if (signMs !== null && signMs > nowMs + toleranceMs) {
    checks.push({ check: 'sign-date', ok: false, reason: 'SIGNED_IN_FUTURE', detail: `signed ${iso(signMs)}, after now ${iso(nowMs)}: is the clock set back?` });
  } else {
    checks.push({ check: 'sign-date', ok: signMs === null ? null : true, detail: signMs === null ? 'no SignDate' : `signed ${iso(signMs)}` });
  }

  if (opts.machineCode !== null) {
    const m = matchMachine(license, opts.machineCode, nowMs, toleranceMs, opts.allowOverdraft);
    checks.push(m.ok ? { check: 'machine', ok: true, detail: m.detail } : { check: 'machine', ok: false, reason: 'MACHINE_MISMATCH', detail: m.detail });
  }

  if (opts.requireFeatures.length > 0) {
    const template = readFeatureTemplate(license.dataObjects);
    const missing = opts.requireFeatures.filter((r) => !grantsFeature(license, resolveFeature(r, opts.product), template));
    checks.push(
      missing.length === 0
        ? { check: 'features', ok: true, detail: `has ${opts.requireFeatures.map(featureLabel).join(', ')}` }
        : { check: 'features', ok: false, reason: 'FEATURE_MISSING', detail: `missing ${missing.map(featureLabel).join(', ')}` },
    );
  }

  if (opts.productId !== null) {
    checks.push(
      license.productId === opts.productId
        ? { check: 'product', ok: true, detail: `product ${opts.productId}` }
        : { check: 'product', ok: false, reason: 'PRODUCT_MISMATCH', detail: `license is for product ${license.productId}, expected ${opts.productId}` },
    );
  }

  const reasons = checks.flatMap((c) => (c.reason ? [c.reason] : []));
  return { valid: reasons.length === 0, reasons, checks, status: computeStatus(license, opts.product, nowMs, toleranceMs) };
}
