/**
 * A license whose signature has verified. Only `verifyLicense` creates one, so
 * holding a `VerifiedLicense` proves the check happened. Its questions
 * (`hasFeature`, `expiresAt`, `isOnMachine`, …) are answered synchronously
 * from values computed once (when it is made, or on the first question that
 * needs them), with no re-verification.
 */
import { matchMachine } from '../rules/machines.ts';
import { evaluateLicense, type Evaluation, type FormatStatus } from '../rules/evaluate.ts';
import { grantsFeature } from '../rules/features.ts';
import {
  checkOptionsObject,
  describe,
  ownValue,
  resolveEvaluation,
  resolveFeatureName,
  resolveNow,
  resolveProduct,
  type EvaluationOptions,
  type FeatureRequirement,
  type ProductDefinition,
  type ResolvedEvaluation,
} from '../rules/options.ts';
import { isExpiredAt } from '../rules/expiry.ts';
import { FEATURE_FLAGS, type License } from './model.ts';
import { OptionError } from '../lib/errors.ts';

const CREATE = Symbol('licensekit.verified');
const NO_PRODUCT: ProductDefinition = Object.freeze({});
const NO_RESOLVED_PRODUCT = resolveProduct(undefined);
const MACHINE_OPTIONS: ReadonlySet<string> = new Set(['now', 'allowOverdraft']);
/** `now` is required here: these questions never read the clock. */
const NO_CLOCK = (): number => {
  throw new OptionError('"now" is required');
};

/** A format's own status view (the adapter's `status`), computed from a license and resolved options. */
export type StatusView = (license: License, options: ResolvedEvaluation) => unknown;

/** What `VerifiedLicense.evaluate` answers: every check, and the format's own status view (`null` when it has none). */
export interface LicenseEvaluation extends Evaluation {
  readonly status: FormatStatus | null;
}

/** @internal Creates a VerifiedLicense; called by the verification API only. */
export function createVerifiedLicense(license: License, status?: StatusView): VerifiedLicense {
  return new VerifiedLicense(CREATE, license, status);
}

/** Reads a verified license's status view (set in the class's static block: the view is a private field). */
let statusView: (license: VerifiedLicense) => StatusView | undefined;
const entitlementSets = new WeakMap<VerifiedLicense, ReadonlySet<string>>();

/** @internal The license's entitlements as a set (built once, on first use). */
export function entitlementSet(license: VerifiedLicense): ReadonlySet<string> {
  let set = entitlementSets.get(license);
  if (set === undefined) {
    set = new Set(license.entitlements);
    entitlementSets.set(license, set);
  }
  return set;
}

/** @internal The format's status view of a verified license under resolved options, or `null`. */
export function statusOf(license: VerifiedLicense, options: ResolvedEvaluation): FormatStatus | null {
  const view = statusView(license);
  return view === undefined ? null : ((view(license, options) as FormatStatus | undefined) ?? null);
}

/** Every field of License, copied one by one into a new verified license (a missing field is a compile error). */
function copyLicense(to: VerifiedLicense, from: License): void {
  const t = to as { -readonly [K in keyof License]: License[K] };
  t.format = from.format;
  t.id = from.id;
  t.key = from.key;
  t.productId = from.productId;
  t.product = from.product;
  t.issuer = from.issuer;
  t.created = from.created;
  t.notBefore = from.notBefore;
  t.expires = from.expires;
  t.signDate = from.signDate;
  t.maxSignatureAgeSeconds = from.maxSignatureAgeSeconds;
  t.signatureExpires = from.signatureExpires ?? null;
  t.features = from.features;
  t.entitlements = from.entitlements;
  t.block = from.block;
  t.activatedMachines = from.activatedMachines;
  t.allowedMachines = from.allowedMachines;
  t.maxNoOfMachines = from.maxNoOfMachines;
  t.fingerprint = from.fingerprint;
  t.floatingLeaseSeconds = from.floatingLeaseSeconds;
  t.licenseeSecret = from.licenseeSecret;
  t.bindHwid = from.bindHwid;
  t.graceDays = from.graceDays;
  t.customer = from.customer;
  t.notes = from.notes;
  t.metadata = from.metadata;
  t.claims = from.claims;
}

/** The fields `copyLicense` assigns: keep in step with it. */
type CopiedField =
  | 'format' | 'id' | 'key' | 'productId' | 'product' | 'issuer' | 'created' | 'notBefore' | 'expires' | 'signDate' | 'maxSignatureAgeSeconds' | 'signatureExpires' | 'features'
  | 'entitlements' | 'block' | 'activatedMachines' | 'allowedMachines' | 'maxNoOfMachines' | 'fingerprint' | 'floatingLeaseSeconds'
  | 'licenseeSecret' | 'bindHwid' | 'graceDays' | 'customer' | 'notes' | 'metadata' | 'claims';
/** Compile-time only: a field added to License and not to `CopiedField` (and so, by review, to `copyLicense`) fails to type-check here. */
const COPIES_EVERY_FIELD: [Exclude<keyof License, CopiedField>] extends [never] ? true : never = true;
void COPIES_EVERY_FIELD;

/** A license whose signature verified: every `License` field, plus cheap synchronous questions. */
// Declaration merging gives the class every License field, assigned in the constructor.
export interface VerifiedLicense extends License {}

/**
 * A license whose signature verified, with cheap synchronous questions. Every
 * `License` field is an own enumerable property, so `console.log`, a spread,
 * `JSON.stringify` and `structuredClone` show all of it; a spread or a
 * structured clone is plain data (the methods stay on the original).
 */
export class VerifiedLicense {
  readonly #expiresMs: number | null;
  /** F1-F8 as bits; -1 until the first `hasFeature` (a verification that asks nothing builds nothing). */
  #flags = -1;
  /** Exact and allowed machine codes; `null` when not node-locked; built on the first `isOnMachine`. */
  #lockedMachines: ReadonlySet<string> | null | undefined;
  /** Whether any activation is a floating lease; `undefined` until an `isOnMachine` needs it. */
  #hasFloating: boolean | undefined;
  /** The format's own status view, if it has one. */
  readonly #status: StatusView | undefined;

  static {
    statusView = (license) => license.#status;
  }

  /** @internal Use `verifyLicense`; direct construction throws. */
  constructor(token: symbol, license: License, status?: StatusView) {
    if (token !== CREATE) throw new TypeError('a VerifiedLicense comes only from verifyLicense()');
    // Field by field, in the model's order (one hidden class for every license, cheaper than Object.assign);
    // `copyLicense` below is checked by the compiler to name every field of License.
    copyLicense(this, license);
    this.#status = status;
    this.#expiresMs = license.expires ? license.expires.getTime() : null;
    this.#lockedMachines = license.maxNoOfMachines === 0 ? null : undefined;
    Object.freeze(this); // the claims of a verified license cannot be edited afterwards
  }

  /** Whether flag `n` (1-8) is granted. */
  #flag(n: number): boolean {
    if (this.#flags < 0) {
      let flags = 0;
      for (let i = 0; i < 8; i++) if (this.features[FEATURE_FLAGS[i]!] === true) flags |= 1 << i;
      this.#flags = flags;
    }
    return ((this.#flags >>> (n - 1)) & 1) === 1;
  }

  /**
   * True when the license grants `feature`: a number 1–8, `"F3"`, a name from
   * `product.featureNames`, or a dotted `cryptolens_features` path. A number
   * that is not an integer (`1.5`), or a value that is neither a number nor a
   * string, is refused (`ERR_OPTION_INVALID`); an integer outside 1–8 or an
   * unknown name is simply not granted.
   * @example license.hasFeature(1); license.hasFeature('ModuleB.Sub 1')
   */
  hasFeature(feature: FeatureRequirement, product: ProductDefinition = NO_PRODUCT): boolean {
    if (typeof feature === 'number') {
      if (!Number.isInteger(feature)) throw new OptionError(`"feature" must be an integer 1–8 or a name, got ${describe(feature)}`);
      return feature >= 1 && feature <= 8 && this.#flag(feature);
    }
    if (typeof feature !== 'string') throw new OptionError(`"feature" must be an integer 1–8 or a name, got ${describe(feature)}`);
    const resolved = resolveFeatureName(feature, product === NO_PRODUCT ? NO_RESOLVED_PRODUCT : resolveProduct(product));
    if (resolved.kind === 'flag') return this.#flag(resolved.flag);
    return grantsFeature(this, resolved, entitlementSet(this));
  }

  /** The expiry date (a fresh Date), or `null` when the license has none. */
  expiresAt(): Date | null {
    return this.#expiresMs === null ? null : new Date(this.#expiresMs);
  }

  /** Expiry as epoch milliseconds, or `null`. */
  expiresAtMs(): number | null {
    return this.#expiresMs;
  }

  /** True when `Expires` is at or before `now` − tolerance (regardless of any time-limited flag). */
  isExpired(now: Date | number, clockToleranceSeconds = 0): boolean {
    if (!Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0) throw new OptionError('"clockToleranceSeconds" must be a non-negative number');
    return isExpiredAt(this.#expiresMs, resolveNow(now, NO_CLOCK), clockToleranceSeconds * 1000);
  }

  /** Whole days left until expiry at `now` (0 when expired), or `null` without an expiry date. */
  daysLeft(now: Date | number): number | null {
    if (this.#expiresMs === null) return null;
    return Math.max(0, Math.floor((this.#expiresMs - resolveNow(now, NO_CLOCK)) / 86_400_000));
  }

  /**
   * True when the license may run on `machineCode`: not node-locked, activated,
   * allowed, or holding a floating lease that runs at `now`. Only a floating
   * lease needs the time: give `now`, or the clock is read for it.
   */
  isOnMachine(machineCode: string, options: { now?: Date | number; allowOverdraft?: boolean } = {}): boolean {
    if (typeof machineCode !== 'string') throw new OptionError(`"machineCode" must be a string, got ${describe(machineCode)}`);
    checkOptionsObject(options, 'options', MACHINE_OPTIONS);
    const allowOverdraft = ownValue(options, 'allowOverdraft');
    if (allowOverdraft !== undefined && typeof allowOverdraft !== 'boolean') throw new OptionError(`"allowOverdraft" must be true or false, got ${describe(allowOverdraft)}`);
    let locked = this.#lockedMachines;
    if (locked === undefined) {
      const set = new Set<string>(this.allowedMachines ?? []);
      for (const m of this.activatedMachines ?? []) if (!m.floating && m.machineCode !== '') set.add(m.machineCode);
      locked = this.#lockedMachines = set;
    }
    if (locked === null || locked.has(machineCode)) return true;
    if (!(this.#hasFloating ??= this.activatedMachines !== null && this.activatedMachines.some((m) => m.floating))) return false;
    const nowMs = resolveNow(ownValue(options, 'now'), Date.now);
    return matchMachine(this, machineCode, nowMs, 0, allowOverdraft === true).ok;
  }

  /** Re-runs every rule with new options, without verifying the signature again. */
  evaluate(options: EvaluationOptions = {}): LicenseEvaluation {
    const resolved = resolveEvaluation(options);
    const e = evaluateLicense(this, resolved, undefined, entitlementSet(this));
    return { valid: e.valid, reasons: e.reasons, checks: e.checks, warnings: e.warnings, status: statusOf(this, resolved) };
  }

  /** The license's data, for JSON output. */
  toJSON(): License {
    const { ...data } = this;
    return data as License;
  }
}
