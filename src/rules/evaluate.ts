/**
 * Runs every check on a verified license and reports EVERY failure, not only
 * the first. Pure: the same license, options and `nowMs` give the same result.
 */
import type { License } from '../license/model.ts';
import { check, type CheckResult } from './check-result.ts';
import { clockApplies, clockCheck } from './clock.ts';
import { expiryApplies, isExpiredAt } from './expiry.ts';
import { grantsFeature } from './features.ts';
import { graceEndMs } from './grace.ts';
import { hwidApplies, hwidCheck } from './hwid.ts';
import { isoDateTime } from './iso-date.ts';
import { licenseeSecretApplies, licenseeSecretCheck } from './licensee-secret.ts';
import { matchMachine } from './machines.ts';
import type { ResolvedEvaluation } from './options.ts';
import type { ReasonCode, WarningCode } from './reasons.ts';
import { revocationApplies, revocationCheck } from './revocation.ts';

export type { CheckResult } from './check-result.ts';

/** The result of evaluating a verified license. */
export interface Evaluation {
  readonly valid: boolean;
  readonly reasons: readonly ReasonCode[];
  readonly checks: readonly CheckResult[];
  /** What does not invalidate the license but deserves attention (`EXPIRED_IN_GRACE`). */
  readonly warnings: readonly WarningCode[];
}

/** A format's own status view of a license (Cryptolens' `LicenseStatus`), as plain data. */
export type FormatStatus = Readonly<Record<string, unknown>>;

const featureLabel = (r: string | number): string => (typeof r === 'number' ? `F${r}` : r);
const iso = isoDateTime;
const NO_WARNINGS: readonly WarningCode[] = Object.freeze([]);
const IN_GRACE: readonly WarningCode[] = Object.freeze(['EXPIRED_IN_GRACE']);

/**
 * Evaluates every rule against a license whose signature has already verified.
 * `checks` may already hold checks the caller ran (the signature, the key);
 * their failures count too. `entitlements` is the license's entitlements as a
 * set, when the caller keeps one.
 */
export function evaluateLicense(license: License, opts: ResolvedEvaluation, checks: CheckResult[] = [SIGNATURE_OK], entitlements?: ReadonlySet<string>): Evaluation {
  const { nowMs, toleranceMs } = opts;
  let warnings = NO_WARNINGS;

  const notBeforeMs = license.notBefore ? license.notBefore.getTime() : null;
  if (notBeforeMs !== null) {
    checks.push(
      notBeforeMs > nowMs + toleranceMs
        ? check('not-before', false, 'NOT_YET_VALID', `not valid before ${iso(notBeforeMs)}`)
        : check('not-before', true, undefined, `valid from ${iso(notBeforeMs)}`),
    );
  }

  const expiresMs = license.expires ? license.expires.getTime() : null;
  if (!expiryApplies(license, opts.product)) {
    checks.push(check('expiry', null, undefined, `not time-limited (F${opts.product.timeLimitedFeature} is false)`));
  } else if (expiresMs === null) {
    checks.push(check('expiry', null, undefined, 'no expiry date'));
  } else if (isExpiredAt(expiresMs, nowMs, toleranceMs)) {
    const graceEnd = graceEndMs(license, opts.graceDays, expiresMs);
    if (graceEnd === null) checks.push(check('expiry', false, 'EXPIRED', `expired ${iso(expiresMs)}`));
    else if (isExpiredAt(graceEnd, nowMs, toleranceMs)) checks.push(check('expiry', false, 'EXPIRED', `expired ${iso(expiresMs)}, grace ended ${iso(graceEnd)}`));
    else {
      checks.push(check('expiry', true, undefined, `expired ${iso(expiresMs)}, in grace until ${iso(graceEnd)}`));
      warnings = IN_GRACE;
    }
  } else {
    checks.push(check('expiry', true, undefined, `expires ${iso(expiresMs)}`));
  }

  checks.push(license.block === true ? BLOCKED : NOT_BLOCKED);

  const signMs = license.signDate ? license.signDate.getTime() : null;
  const signed = signMs === null ? '' : `signed ${iso(signMs)}`;
  // The stricter of the caller's maximum signature age and the license's own maximum offline age.
  const own = license.maxSignatureAgeSeconds;
  const maxAge = own === null ? opts.maxSignatureAgeMs : opts.maxSignatureAgeMs === null ? own * 1000 : Math.min(opts.maxSignatureAgeMs, own * 1000);
  if (maxAge !== null) {
    if (signMs === null) checks.push(check('signature-age', false, 'SIGNATURE_EXPIRED', 'no signing date to prove the file is fresh'));
    else if (signMs + maxAge <= nowMs - toleranceMs) {
      checks.push(check('signature-age', false, 'SIGNATURE_EXPIRED', `${signed}, older than ${ageText(maxAge)}`));
    } else checks.push(check('signature-age', true, undefined, signed));
  }
  // A format's own absolute bound on the signed copy (NetLicensing's `ttl`): it must be refreshed by then.
  const copyExpiresMs = license.signatureExpires ? license.signatureExpires.getTime() : null;
  if (copyExpiresMs !== null) {
    checks.push(
      isExpiredAt(copyExpiresMs, nowMs, toleranceMs)
        ? check('signature-age', false, 'SIGNATURE_EXPIRED', `valid offline until ${iso(copyExpiresMs)}: the file must be refreshed`)
        : check('signature-age', true, undefined, `valid offline until ${iso(copyExpiresMs)}`),
    );
  }
  if (signMs !== null && signMs > nowMs + toleranceMs) {
    checks.push(check('sign-date', false, 'SIGNED_IN_FUTURE', `${signed}, after now ${iso(nowMs)}: is the clock set back?`));
  } else {
    checks.push(signMs === null ? check('sign-date', null, undefined, 'no signing date') : check('sign-date', true, undefined, signed));
  }

  if (opts.machineCode !== null) {
    const m = matchMachine(license, opts.machineCode, nowMs, toleranceMs, opts.allowOverdraft);
    checks.push(check('machine', m.ok, m.ok ? undefined : 'MACHINE_MISMATCH', m.detail));
  }

  const required = opts.requireFeatures;
  if (required.length > 0) {
    const resolved = opts.features;
    // Both details in one pass: every requirement ("has …") and the missing ones ("missing …"), comma-separated.
    let all = '';
    let missing = '';
    let missed = 0;
    for (let i = 0; i < required.length; i++) {
      const label = featureLabel(required[i]!);
      all = i === 0 ? label : `${all}, ${label}`;
      if (!grantsFeature(license, resolved[i]!, entitlements)) missing = missed++ === 0 ? label : `${missing}, ${label}`;
    }
    checks.push(missed === 0 ? check('features', true, undefined, `has ${all}`) : check('features', false, 'FEATURE_MISSING', `missing ${missing}`));
  }

  const productId = opts.productId;
  if (productId !== null) {
    const same = typeof productId === 'number' ? license.productId === productId : license.product === productId;
    checks.push(
      same
        ? check('product', true, undefined, `product ${productId}`)
        : check('product', false, 'PRODUCT_MISMATCH', `license is for product ${license.product ?? license.productId}, expected ${productId}`),
    );
  }

  // The state's rules, after every other check: each runs only when its options or facts are given.
  const facts = opts.facts;
  if (clockApplies(facts)) checks.push(clockCheck(facts, nowMs, toleranceMs));
  if (licenseeSecretApplies(license, opts)) checks.push(licenseeSecretCheck(license, opts));
  if (hwidApplies(license, opts)) checks.push(hwidCheck(license, opts));
  if (revocationApplies(facts)) checks.push(revocationCheck(license, facts.revoked, facts.revocationSequence));

  const reasons: ReasonCode[] = [];
  for (let i = 0; i < checks.length; i++) if (checks[i]!.reason !== undefined) reasons.push(checks[i]!.reason!);
  return { valid: reasons.length === 0, reasons, checks, warnings };
}

/** A signature-age limit in words: whole days when it is whole days, else seconds. */
function ageText(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000} days` : `${ms / 1000} seconds`;
}

/** The signature check that passed, for callers that ran no checks of their own. */
export const SIGNATURE_OK: CheckResult = Object.freeze(check('signature', true, undefined, 'signature verifies'));
const BLOCKED: CheckResult = Object.freeze(check('block', false, 'BLOCKED', 'license is blocked'));
const NOT_BLOCKED: CheckResult = Object.freeze(check('block', true, undefined, 'not blocked'));
