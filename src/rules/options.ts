/**
 * Evaluation options and their validation. `now` is always explicit inside the
 * rules; only the outermost API fills it from the clock when omitted. Invalid
 * values are refused (`ERR_OPTION_INVALID`), never silently replaced.
 */
import { OptionError } from '../lib/errors.ts';
import type { FeatureNumber } from '../license/model.ts';

/** How a product uses its feature flags (Cryptolens "feature definitions"). */
export interface ProductDefinition {
  /** The F flag that marks a license time-limited; when set, expiry applies only to licenses with that flag. */
  readonly timeLimitedFeature?: FeatureNumber;
  /** The F flag that marks a trial license. */
  readonly trialFeature?: FeatureNumber;
  /** Names for F flags, e.g. `{ "Pro": 1, "Export": 4 }`. */
  readonly featureNames?: Readonly<Record<string, FeatureNumber>>;
}

/** A required feature: a flag number, a flag name (`F3`), a defined name, or a dotted `cryptolens_features` path. */
export type FeatureRequirement = FeatureNumber | string;

/** What the rules check, besides the signature. */
export interface EvaluationOptions {
  /** The time to evaluate at (Date or epoch milliseconds). Defaults to the clock at the outermost API only. */
  readonly now?: Date | number;
  /** Clock tolerance in seconds for every time comparison (default 0). */
  readonly clockToleranceSeconds?: number;
  /** Cryptolens' signatureExpirationInterval: the file must have been signed within this many days. */
  readonly maxSignatureAgeDays?: number;
  /** The machine this runs on; when given, the license must list it. */
  readonly machineCode?: string;
  /** Accept `floating:overdraft:` activations for this machine. */
  readonly allowOverdraft?: boolean;
  /** Features that must be granted. */
  readonly requireFeatures?: readonly FeatureRequirement[];
  /** The expected product id. */
  readonly productId?: number;
  /** How the product defines its flags. */
  readonly product?: ProductDefinition;
}

/** Options after validation, with `now` resolved to epoch milliseconds. */
export interface ResolvedEvaluation {
  readonly nowMs: number;
  readonly toleranceMs: number;
  readonly maxSignatureAgeMs: number | null;
  readonly machineCode: string | null;
  readonly allowOverdraft: boolean;
  readonly requireFeatures: readonly FeatureRequirement[];
  readonly productId: number | null;
  readonly product: ProductDefinition;
}

function isFeatureNumber(n: unknown): n is FeatureNumber {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8;
}

/** Converts a `now` option to epoch milliseconds, refusing invalid dates. */
export function resolveNow(now: Date | number | undefined, clock: () => number): number {
  if (now === undefined) return clock();
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new OptionError('"now" must be a valid Date or finite epoch milliseconds');
  return ms;
}

/** Validates options and resolves `now` (the clock is consulted only when `now` is absent). */
export function resolveEvaluation(options: EvaluationOptions, clock: () => number = Date.now): ResolvedEvaluation {
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new OptionError('"clockToleranceSeconds" must be a non-negative number');
  }
  const age = options.maxSignatureAgeDays;
  if (age !== undefined && (typeof age !== 'number' || !Number.isFinite(age) || age < 0)) {
    throw new OptionError('"maxSignatureAgeDays" must be a non-negative number');
  }
  if (options.productId !== undefined && !Number.isSafeInteger(options.productId)) throw new OptionError('"productId" must be an integer');
  if (options.machineCode !== undefined && (typeof options.machineCode !== 'string' || options.machineCode.trim() === '')) {
    throw new OptionError('"machineCode" must be a non-empty string');
  }
  const product = options.product ?? {};
  for (const [label, n] of [['timeLimitedFeature', product.timeLimitedFeature], ['trialFeature', product.trialFeature]] as const) {
    if (n !== undefined && !isFeatureNumber(n)) throw new OptionError(`"product.${label}" must be a feature number 1–8`);
  }
  if (product.featureNames !== undefined && (typeof product.featureNames !== 'object' || product.featureNames === null || Array.isArray(product.featureNames))) {
    throw new OptionError('"product.featureNames" must be an object of name → feature number');
  }
  for (const [name, n] of Object.entries(product.featureNames ?? {})) {
    if (!isFeatureNumber(n)) throw new OptionError(`feature name "${name}" must map to a feature number 1–8`);
  }
  const required = options.requireFeatures ?? [];
  if (!Array.isArray(required)) throw new OptionError('"requireFeatures" must be an array of feature numbers or names');
  for (const r of required) {
    if (typeof r === 'number' ? !isFeatureNumber(r) : typeof r !== 'string' || r.length === 0) {
      throw new OptionError(`required feature ${JSON.stringify(r)} must be a number 1–8 or a non-empty name`);
    }
  }
  return {
    nowMs: resolveNow(options.now, clock),
    toleranceMs: tolerance * 1000,
    maxSignatureAgeMs: age === undefined ? null : age * 86_400_000,
    machineCode: options.machineCode === undefined ? null : options.machineCode.trim(),
    allowOverdraft: options.allowOverdraft === true,
    requireFeatures: required,
    productId: options.productId ?? null,
    product,
  };
}
