/**
 * Runs every check on a verified license and reports EVERY failure, not only
 * the first. Pure: the same license, options and `nowMs` give the same result.
 */
import type { License } from '../license/model.ts';
import { grantsFeature, readFeatureTemplate } from './features.ts';
import { isoDateTime } from './iso-date.ts';
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
const iso = isoDateTime;

/**
 * A check as plain data: what `console.log`, a spread, `structuredClone` or
 * `JSON.stringify` shows is all there is. `reason` is present only on a
 * failed check. The detail is written eagerly (see `iso-date.ts` for why that
 * is cheap).
 */
function check(name: CheckResult['check'], ok: boolean | null, reason: ReasonCode | undefined, detail: string): CheckResult {
  return reason === undefined ? { check: name, ok, detail } : { check: name, ok, reason, detail };
}

/** Evaluates every rule against a license whose signature has already verified. */
export function evaluateLicense(license: License, opts: ResolvedEvaluation): Evaluation {
  const { nowMs, toleranceMs } = opts;
  const checks: CheckResult[] = [SIGNATURE_OK];

  const expiresMs = license.expires ? license.expires.getTime() : null;
  if (!expiryApplies(license, opts.product)) {
    checks.push(check('expiry', null, undefined, `not time-limited (F${opts.product.timeLimitedFeature} is false)`));
  } else if (expiresMs === null) {
    checks.push(check('expiry', null, undefined, 'no expiry date'));
  } else if (isExpiredAt(expiresMs, nowMs, toleranceMs)) {
    checks.push(check('expiry', false, 'EXPIRED', `expired ${iso(expiresMs)}`));
  } else {
    checks.push(check('expiry', true, undefined, `expires ${iso(expiresMs)}`));
  }

  checks.push(license.block === true ? BLOCKED : NOT_BLOCKED);

  const signMs = license.signDate ? license.signDate.getTime() : null;
  const signed = signMs === null ? '' : `signed ${iso(signMs)}`;
  const maxAge = opts.maxSignatureAgeMs;
  if (maxAge !== null) {
    if (signMs === null) checks.push(check('signature-age', false, 'SIGNATURE_EXPIRED', 'no SignDate to prove the file is fresh'));
    else if (signMs + maxAge <= nowMs - toleranceMs) {
      checks.push(check('signature-age', false, 'SIGNATURE_EXPIRED', `${signed}, older than ${maxAge / 86_400_000} days`));
    } else checks.push(check('signature-age', true, undefined, signed));
  }
  if (signMs !== null && signMs > nowMs + toleranceMs) {
    checks.push(check('sign-date', false, 'SIGNED_IN_FUTURE', `${signed}, after now ${iso(nowMs)}: is the clock set back?`));
  } else {
    checks.push(signMs === null ? check('sign-date', null, undefined, 'no SignDate') : check('sign-date', true, undefined, signed));
  }

  if (opts.machineCode !== null) {
    const m = matchMachine(license, opts.machineCode, nowMs, toleranceMs, opts.allowOverdraft);
    checks.push(check('machine', m.ok, m.ok ? undefined : 'MACHINE_MISMATCH', m.detail));
  }

  const required = opts.requireFeatures;
  if (required.length > 0) {
    const resolved = opts.features;
    // The template is parsed only when a dotted/named path is asked for.
    const template = resolved.some((f) => f.kind === 'path') ? readFeatureTemplate(license.dataObjects) : null;
    const missing = required.filter((_, i) => !grantsFeature(license, resolved[i]!, template));
    checks.push(
      missing.length === 0
        ? check('features', true, undefined, `has ${required.map(featureLabel).join(', ')}`)
        : check('features', false, 'FEATURE_MISSING', `missing ${missing.map(featureLabel).join(', ')}`),
    );
  }

  const productId = opts.productId;
  if (productId !== null) {
    checks.push(
      license.productId === productId
        ? check('product', true, undefined, `product ${productId}`)
        : check('product', false, 'PRODUCT_MISMATCH', `license is for product ${license.productId}, expected ${productId}`),
    );
  }

  const reasons: ReasonCode[] = [];
  for (const c of checks) if (c.reason !== undefined) reasons.push(c.reason);
  return { valid: reasons.length === 0, reasons, checks, status: computeStatus(license, opts.product, nowMs, toleranceMs) };
}

const SIGNATURE_OK: CheckResult = Object.freeze(check('signature', true, undefined, 'signature verifies'));
const BLOCKED: CheckResult = Object.freeze(check('block', false, 'BLOCKED', 'license is blocked'));
const NOT_BLOCKED: CheckResult = Object.freeze(check('block', true, undefined, 'not blocked'));
