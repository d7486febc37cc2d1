/**
 * A license whose signature has verified. Only `verifyLicense` creates one, so
 * holding a `VerifiedLicense` proves the check happened. Its questions
 * (`hasFeature`, `expiresAt`, `isOnMachine`, …) are answered synchronously
 * from precomputed values, with no re-verification.
 */
import { matchMachine } from '../rules/machines.ts';
import { evaluateLicense, type Evaluation } from '../rules/evaluate.ts';
import { grantsFeature, readFeatureTemplate, resolveFeature } from '../rules/features.ts';
import { resolveEvaluation, resolveNow, type EvaluationOptions, type FeatureRequirement, type ProductDefinition } from '../rules/options.ts';
import { isExpiredAt } from '../rules/status.ts';
import { FEATURE_FLAGS, type ActivatedMachine, type DataObject, type FeatureFlag, type License, type Party } from './model.ts';

const CREATE = Symbol('licensekit.verified');
const NO_PRODUCT: ProductDefinition = Object.freeze({});

/** @internal Creates a VerifiedLicense; called by the verification API only. */
export function createVerifiedLicense(license: License): VerifiedLicense {
  return new VerifiedLicense(CREATE, license);
}

/** A license whose signature verified, with cheap synchronous questions. */
export class VerifiedLicense implements License {
  readonly format: 'cryptolens';
  readonly productId: number | null;
  readonly id: number | null;
  readonly key: string | null;
  readonly created: Date | null;
  readonly expires: Date | null;
  readonly period: number | null;
  readonly features: Readonly<Record<FeatureFlag, boolean | null>>;
  readonly notes: string | null;
  readonly block: boolean | null;
  readonly globalId: number | null;
  readonly customer: Party | null;
  readonly activatedMachines: readonly ActivatedMachine[] | null;
  readonly trialActivation: boolean | null;
  readonly maxNoOfMachines: number | null;
  readonly allowedMachines: readonly string[] | null;
  readonly dataObjects: readonly DataObject[] | null;
  readonly reseller: Party | null;
  readonly signDate: Date | null;
  readonly extra: Readonly<Record<string, unknown>>;

  readonly #expiresMs: number | null;
  readonly #flags: number;
  readonly #lockedMachines: ReadonlySet<string> | null;
  readonly #hasFloating: boolean;
  #template: ReturnType<typeof readFeatureTemplate> | undefined;

  /** @internal Use `verifyLicense`; direct construction throws. */
  constructor(token: symbol, license: License) {
    if (token !== CREATE) throw new TypeError('a VerifiedLicense comes only from verifyLicense()');
    this.format = license.format;
    this.productId = license.productId;
    this.id = license.id;
    this.key = license.key;
    this.created = license.created;
    this.expires = license.expires;
    this.period = license.period;
    this.features = license.features;
    this.notes = license.notes;
    this.block = license.block;
    this.globalId = license.globalId;
    this.customer = license.customer;
    this.activatedMachines = license.activatedMachines;
    this.trialActivation = license.trialActivation;
    this.maxNoOfMachines = license.maxNoOfMachines;
    this.allowedMachines = license.allowedMachines;
    this.dataObjects = license.dataObjects;
    this.reseller = license.reseller;
    this.signDate = license.signDate;
    this.extra = license.extra;
    this.#expiresMs = license.expires ? license.expires.getTime() : null;
    let flags = 0;
    FEATURE_FLAGS.forEach((f, i) => {
      if (license.features[f] === true) flags |= 1 << i;
    });
    this.#flags = flags;
    if (license.maxNoOfMachines === 0) {
      this.#lockedMachines = null;
    } else {
      const set = new Set<string>(license.allowedMachines ?? []);
      for (const m of license.activatedMachines ?? []) if (!m.floating && m.machineCode !== '') set.add(m.machineCode);
      this.#lockedMachines = set;
    }
    this.#hasFloating = (license.activatedMachines ?? []).some((m) => m.floating);
  }

  /**
   * True when the license grants `feature`: a number 1–8, `"F3"`, a name from
   * `product.featureNames`, or a dotted `cryptolens_features` path.
   * @example license.hasFeature(1); license.hasFeature('ModuleB.Sub 1')
   */
  hasFeature(feature: FeatureRequirement, product: ProductDefinition = NO_PRODUCT): boolean {
    if (typeof feature === 'number') return feature >= 1 && feature <= 8 && ((this.#flags >>> (feature - 1)) & 1) === 1;
    const resolved = resolveFeature(feature, product);
    if (resolved.kind === 'flag') return ((this.#flags >>> (resolved.flag - 1)) & 1) === 1;
    if (this.#template === undefined) this.#template = readFeatureTemplate(this.dataObjects);
    return grantsFeature(this, resolved, this.#template);
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
    return isExpiredAt(this.#expiresMs, typeof now === 'number' ? now : resolveNow(now, Date.now), clockToleranceSeconds * 1000);
  }

  /** Whole days left until expiry at `now` (0 when expired), or `null` without an expiry date. */
  daysLeft(now: Date | number): number | null {
    if (this.#expiresMs === null) return null;
    const nowMs = typeof now === 'number' ? now : resolveNow(now, Date.now);
    return Math.max(0, Math.floor((this.#expiresMs - nowMs) / 86_400_000));
  }

  /**
   * True when the license may run on `machineCode`: not node-locked, activated,
   * allowed, or (with `now`) holding a running floating lease.
   */
  isOnMachine(machineCode: string, options: { now?: Date | number; allowOverdraft?: boolean } = {}): boolean {
    const locked = this.#lockedMachines;
    if (locked === null || locked.has(machineCode)) return true;
    if (!this.#hasFloating) return false;
    const nowMs = resolveNow(options.now, Date.now);
    return matchMachine(this, machineCode, nowMs, 0, options.allowOverdraft === true).ok;
  }

  /** Re-runs every rule with new options, without verifying the signature again. */
  evaluate(options: EvaluationOptions = {}): Evaluation {
    return evaluateLicense(this, resolveEvaluation(options));
  }

  /** The license's data, for JSON output. */
  toJSON(): License {
    const { ...data } = this;
    return data as License;
  }
}
