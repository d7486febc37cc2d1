/**
 * Evaluation options and their validation. `now` is always explicit inside the
 * rules; only the outermost API fills it from the clock when omitted. Invalid
 * values are refused (`ERR_OPTION_INVALID`, naming the option), never silently
 * replaced.
 *
 * Options are read as OWN properties only: a value inherited from a prototype
 * (for example `Object.prototype.clockToleranceSeconds` set by prototype
 * pollution elsewhere in the host) is never an option. An own property whose
 * value is `undefined` counts as absent. An own property whose name is not an
 * option is refused, so a misspelt `machinecode` cannot silently turn
 * node-locking off.
 */
import { OptionError } from '../lib/errors.ts';
import type { FeatureNumber, LicenseeSecretMode } from '../license/model.ts';

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
  /** The expected product: a number (the license's numeric product id) or text (its product, e.g. a native license's audience). */
  readonly productId?: number | string;
  /** How the product defines its flags. */
  readonly product?: ProductDefinition;
  /** Days after expiry the license stays valid with the warning `EXPIRED_IN_GRACE` (a whole number ≥ 0); the license's own `graceDays` wins. */
  readonly graceDays?: number;
  /** The licensee secret given for this check (never stored, signed or reported in clear). */
  readonly licenseeSecret?: string;
  /** The product's licensee-secret mode, for licenses that carry no policy (Cryptolens files); a license's own signed policy always wins. */
  readonly licenseeSecretMode?: LicenseeSecretMode;
  /** This machine's HWID, checked against (or bound to) a license that binds one. */
  readonly hwid?: string;
  /** The product's default: the first validation binds the HWID, for licenses that do not ask for it themselves. */
  readonly bindHwid?: boolean;
  /** What the local state read (the state layer passes them; the rules never touch a file). */
  readonly facts?: StateFacts;
  /** The license key a Keygen license file is encrypted under (read only by verification, to decrypt; never reported). */
  readonly licenseKey?: string;
  /** The machine fingerprint a Keygen machine file is encrypted under (with `licenseKey`; read only by verification, to decrypt). */
  readonly fingerprint?: string;
}

/** Evidence of the real time on a first run: something modified later than the clock claims. */
export interface ClockEvidence {
  /** Epoch milliseconds of the evidence (a file's modification time). */
  readonly ms: number;
  /** What it was (a path, or a description), for the check's detail. */
  readonly source: string;
}

/** Facts the state layer read from the local state, for the state's rules. */
export interface StateFacts {
  /** The latest trusted time seen (epoch milliseconds): a `now` before it, less the tolerance, is `CLOCK_ROLLED_BACK`. */
  readonly trustedTimeMs?: number;
  /** First-run evidence of the real time; `null` when none was found. */
  readonly clockEvidence?: ClockEvidence | null;
  /** The client-mode licensee-secret binding (a salted hash, `secretToBind`), `null` when none is bound. */
  readonly boundSecretHash?: Uint8Array | null;
  /** The HWID binding (a salted hash, `hwidToBind`), `null` when none is bound. */
  readonly boundHwidHash?: Uint8Array | null;
  /** The stored revocation list's license ids and keys, `null` when none was imported. */
  readonly revoked?: ReadonlySet<string> | null;
  /** The stored revocation list's sequence number. */
  readonly revocationSequence?: number;
}

/** Facts after validation (hashes and the revoked set copied). */
export interface ResolvedFacts {
  readonly trustedTimeMs: number | null;
  readonly clockEvidence: ClockEvidence | null;
  readonly boundSecretHash: Uint8Array | null;
  readonly boundHwidHash: Uint8Array | null;
  readonly revoked: ReadonlySet<string> | null;
  readonly revocationSequence: number | null;
}

/** The state's options after validation; each is `null` when not given. */
export interface ResolvedStateOptions {
  readonly graceDays: number | null;
  /** Held only for the rules: never copied into a verdict. */
  readonly licenseeSecret: string | null;
  readonly licenseeSecretMode: LicenseeSecretMode | null;
  readonly hwid: string | null;
  readonly bindHwid: boolean | null;
  readonly facts: ResolvedFacts | null;
}

/** A product definition after validation: own values only, names copied into a map. */
export interface ResolvedProduct {
  readonly timeLimitedFeature: FeatureNumber | undefined;
  readonly trialFeature: FeatureNumber | undefined;
  /** `null` when the product names no flags. */
  readonly featureNames: ReadonlyMap<string, FeatureNumber> | null;
}

/** How a requirement resolved: the flag it maps to, or a `cryptolens_features` template path. */
export type ResolvedFeature = { readonly kind: 'flag'; readonly flag: FeatureNumber } | { readonly kind: 'path'; readonly path: string };

/** Options after validation, with `now` resolved to epoch milliseconds (the state's options included). */
export interface ResolvedEvaluation extends ResolvedStateOptions {
  readonly nowMs: number;
  readonly toleranceMs: number;
  readonly maxSignatureAgeMs: number | null;
  readonly machineCode: string | null;
  readonly allowOverdraft: boolean;
  /** The requirements as given (copied), for the check's detail. */
  readonly requireFeatures: readonly FeatureRequirement[];
  /** `requireFeatures[i]` resolved, at the same index. */
  readonly features: readonly ResolvedFeature[];
  readonly productId: number | string | null;
  readonly product: ResolvedProduct;
  /** The Keygen license key, held only to decrypt a Keygen file: never copied into a verdict. */
  readonly licenseKey: string | null;
  /** The Keygen machine fingerprint, held only to decrypt a Keygen machine file. */
  readonly fingerprint: string | null;
}

/** The options `license.evaluate()` reads. */
const STATE_OPTION_NAMES = ['graceDays', 'licenseeSecret', 'licenseeSecretMode', 'hwid', 'bindHwid', 'facts'];
const EVALUATION_OPTION_NAMES = ['now', 'clockToleranceSeconds', 'maxSignatureAgeDays', 'machineCode', 'allowOverdraft', 'requireFeatures', 'productId', 'product', ...STATE_OPTION_NAMES];
/** The options only verification reads (`evaluate` accepts and ignores them, so one options object serves both). */
const VERIFY_OPTION_NAMES = ['key', 'backend', 'maxInputBytes', 'algorithms', 'licenseKey', 'fingerprint'];
const OPTION_NAMES: ReadonlySet<string> = new Set([...EVALUATION_OPTION_NAMES, ...VERIFY_OPTION_NAMES]);
const PRODUCT_OPTION_NAMES: ReadonlySet<string> = new Set(['timeLimitedFeature', 'trialFeature', 'featureNames']);
const FACT_NAMES: ReadonlySet<string> = new Set(['trustedTimeMs', 'clockEvidence', 'boundSecretHash', 'boundHwidHash', 'revoked', 'revocationSequence']);
const EVIDENCE_NAMES: ReadonlySet<string> = new Set(['ms', 'source']);
const SECRET_MODES: readonly LicenseeSecretMode[] = ['disabled', 'predefined', 'client'];

/** The value of OWN property `name` of `object` (never an inherited one). */
export function ownValue(object: object, name: string): unknown {
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

/**
 * Refuses anything but a plain options object (`label` names it in messages),
 * and own property names outside `known`. `undefined` and `null` mean "no options"
 * only when `absentOk`.
 */
export function checkOptionsObject(options: unknown, label: string, known: ReadonlySet<string> = OPTION_NAMES): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionError(`"${label}" must be an object, got ${describe(options)}`);
  }
  for (const name in options) {
    if (!known.has(name) && Object.hasOwn(options, name)) {
      throw new OptionError(`"${label}" has no option "${name}" (known: ${[...known].join(', ')})`);
    }
  }
}

/** A short description of a value for messages (never its full text). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `string ${JSON.stringify(value)}`;
  return typeof value;
}

function isFeatureNumber(n: unknown): n is FeatureNumber {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8;
}

function nonNegative(value: unknown, label: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new OptionError(`"${label}" must be a non-negative finite number, got ${describe(value)}`);
  return value;
}

/** The largest distance from the epoch a Date can hold (ECMA-262 §21.4.1.1), in milliseconds. */
const MAX_DATE_MS = 8.64e15;

/** True for epoch milliseconds a Date can hold (finite and within ±8.64e15). */
function isEpochMs(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/** Converts a `now` option to epoch milliseconds, refusing invalid dates (and numbers no Date can hold). */
export function resolveNow(now: unknown, clock: () => number): number {
  if (now === undefined) return clock();
  const ms = now instanceof Date ? now.getTime() : now;
  if (!isEpochMs(ms)) throw new OptionError(`"now" must be a valid Date or finite epoch milliseconds, got ${now instanceof Date ? 'an invalid Date' : describe(now)}`);
  return ms;
}

const NO_PRODUCT: ResolvedProduct = Object.freeze({ timeLimitedFeature: undefined, trialFeature: undefined, featureNames: null });

/** Validates a product definition (own properties only; `label` names it in messages). */
export function resolveProduct(product: unknown, label = 'product'): ResolvedProduct {
  if (product === undefined) return NO_PRODUCT;
  checkOptionsObject(product, label, PRODUCT_OPTION_NAMES);
  const flag = (name: 'timeLimitedFeature' | 'trialFeature'): FeatureNumber | undefined => {
    const n = ownValue(product, name);
    if (n !== undefined && !isFeatureNumber(n)) throw new OptionError(`"${label}.${name}" must be a feature number 1–8, got ${describe(n)}`);
    return n;
  };
  const timeLimitedFeature = flag('timeLimitedFeature');
  const trialFeature = flag('trialFeature');
  const names = ownValue(product, 'featureNames');
  let featureNames: Map<string, FeatureNumber> | null = null;
  if (names !== undefined) {
    if (typeof names !== 'object' || names === null || Array.isArray(names)) {
      throw new OptionError(`"${label}.featureNames" must be an object of name → feature number, got ${describe(names)}`);
    }
    featureNames = new Map();
    for (const name of Object.keys(names)) {
      const n = (names as Record<string, unknown>)[name];
      if (!isFeatureNumber(n)) throw new OptionError(`"${label}.featureNames.${name}" must be a feature number 1–8, got ${describe(n)}`);
      featureNames.set(name, n);
    }
  }
  if (timeLimitedFeature === undefined && trialFeature === undefined && featureNames === null) return NO_PRODUCT;
  return Object.freeze({ timeLimitedFeature, trialFeature, featureNames });
}

const FLAG_NAME = /^[Ff]([1-8])$/;
const FLAG_LIKE = /^[Ff]\d+$/;

/** ASCII lower case, for the "did you mean" check only. */
const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/**
 * Resolves one requirement, refusing what can only be the integrator's typo
 * (`label` names it in messages). In order:
 * - a number must be an integer 1–8;
 * - a name `product.featureNames` defines (own keys) is that flag;
 * - `F1`–`F8` (either case) is that flag; any other `F<digits>` (`F0`, `F9`) is refused;
 * - a name that differs from a `featureNames` name only in ASCII case is refused;
 * - anything else is a path in the license's `cryptolens_features` template
 *   (`ModuleA`, `ModuleB.Sub 1`): segments separated by `.`, none empty or
 *   blank. Whether the path exists is license data, so it is a verdict
 *   (`FEATURE_MISSING`), never an option error.
 */
export function resolveRequirement(requirement: unknown, product: ResolvedProduct, label: string): ResolvedFeature {
  if (typeof requirement === 'number') {
    if (!isFeatureNumber(requirement)) throw new OptionError(`"${label}" must be a feature number 1–8 (an integer) or a name, got ${describe(requirement)}`);
    return { kind: 'flag', flag: requirement };
  }
  if (typeof requirement !== 'string' || requirement.length === 0) {
    throw new OptionError(`"${label}" must be a feature number 1–8 or a non-empty name, got ${describe(requirement)}`);
  }
  const resolved = resolveFeatureName(requirement, product);
  if (resolved.kind === 'flag') return resolved;
  if (FLAG_LIKE.test(requirement)) throw new OptionError(`"${label}" is ${JSON.stringify(requirement)}, but the feature flags are F1–F8`);
  if (product.featureNames !== null) {
    const folded = fold(requirement);
    for (const name of product.featureNames.keys()) {
      if (fold(name) === folded) throw new OptionError(`"${label}" is ${JSON.stringify(requirement)}, which product.featureNames does not define; did you mean ${JSON.stringify(name)}?`);
    }
  }
  for (const segment of requirement.split('.')) {
    if (segment.trim() === '') {
      throw new OptionError(`"${label}" ${JSON.stringify(requirement)} is neither F1–F8, a product.featureNames name, nor a cryptolens_features path (empty segment)`);
    }
  }
  return resolved;
}

/**
 * Resolves a feature name without judging it: a `featureNames` name, then
 * `F1`–`F8`, else a template path. `VerifiedLicense.hasFeature` answers with
 * this (an unknown name is simply not granted).
 */
export function resolveFeatureName(name: string, product: ResolvedProduct): ResolvedFeature {
  const named = product.featureNames === null ? undefined : product.featureNames.get(name);
  if (named !== undefined) return { kind: 'flag', flag: named };
  const m = FLAG_NAME.exec(name);
  if (m) return { kind: 'flag', flag: Number(m[1]) as FeatureNumber };
  return { kind: 'path', path: name };
}

const NONE: readonly never[] = Object.freeze([]);

/** A salted hash from the state: 32 bytes (HMAC-SHA-256), copied; `null` and `undefined` are none. */
function boundHash(value: unknown, label: string): Uint8Array | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array) || value.length !== 32) throw new OptionError(`"${label}" must be a 32-byte Uint8Array (a salted hash) or null, got ${value instanceof Uint8Array ? `${value.length} bytes` : describe(value)}`);
  return value.slice();
}

/** Validates the state layer's facts (own properties only; hashes and the revoked set copied). */
export function resolveFacts(facts: unknown, label = 'facts'): ResolvedFacts | null {
  if (facts === undefined) return null;
  checkOptionsObject(facts, label, FACT_NAMES);
  const trusted = ownValue(facts, 'trustedTimeMs');
  if (trusted !== undefined && !isEpochMs(trusted)) throw new OptionError(`"${label}.trustedTimeMs" must be epoch milliseconds a Date can hold, got ${describe(trusted)}`);
  const evidence = ownValue(facts, 'clockEvidence');
  let clockEvidence: ClockEvidence | null = null;
  if (evidence !== undefined && evidence !== null) {
    checkOptionsObject(evidence, `${label}.clockEvidence`, EVIDENCE_NAMES);
    const ms = ownValue(evidence, 'ms');
    const source = ownValue(evidence, 'source');
    if (!isEpochMs(ms)) throw new OptionError(`"${label}.clockEvidence.ms" must be epoch milliseconds a Date can hold, got ${describe(ms)}`);
    if (typeof source !== 'string' || source.trim() === '') throw new OptionError(`"${label}.clockEvidence.source" must be a non-empty string, got ${describe(source)}`);
    clockEvidence = Object.freeze({ ms, source });
  }
  const list = ownValue(facts, 'revoked');
  let revoked: Set<string> | null = null;
  if (list !== undefined && list !== null) {
    if (!(list instanceof Set)) throw new OptionError(`"${label}.revoked" must be a Set of license ids and keys or null, got ${describe(list)}`);
    revoked = new Set();
    for (const entry of list as Set<unknown>) {
      if (typeof entry !== 'string') throw new OptionError(`"${label}.revoked" must hold only strings (license ids and keys), got ${describe(entry)}`);
      revoked.add(entry);
    }
  }
  const sequence = ownValue(facts, 'revocationSequence');
  if (sequence !== undefined && (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0)) {
    throw new OptionError(`"${label}.revocationSequence" must be a whole number >= 0, got ${describe(sequence)}`);
  }
  return {
    trustedTimeMs: trusted === undefined ? null : trusted,
    clockEvidence,
    boundSecretHash: boundHash(ownValue(facts, 'boundSecretHash'), `${label}.boundSecretHash`),
    boundHwidHash: boundHash(ownValue(facts, 'boundHwidHash'), `${label}.boundHwidHash`),
    revoked,
    revocationSequence: sequence === undefined ? null : sequence,
  };
}

const NO_STATE: ResolvedStateOptions = Object.freeze({ graceDays: null, licenseeSecret: null, licenseeSecretMode: null, hwid: null, bindHwid: null, facts: null });

/**
 * Validates the state's options (`graceDays`, `licenseeSecret`,
 * `licenseeSecretMode`, `hwid`, `bindHwid`, `facts`) of an options object
 * already checked by `checkOptionsObject`.
 */
export function resolveStateOptions(options: object): ResolvedStateOptions {
  const graceDays = ownValue(options, 'graceDays');
  const facts = ownValue(options, 'facts');
  if (graceDays !== undefined && (typeof graceDays !== 'number' || !Number.isSafeInteger(graceDays) || graceDays < 0)) {
    throw new OptionError(`"graceDays" must be a whole number of days >= 0, got ${describe(graceDays)}`);
  }
  const secret = ownValue(options, 'licenseeSecret');
  // The message never quotes the value: it is a secret.
  if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0)) throw new OptionError(`"licenseeSecret" must be a non-empty string, got ${typeof secret === 'string' ? 'an empty string' : secret === null ? 'null' : typeof secret}`);
  const mode = ownValue(options, 'licenseeSecretMode');
  if (mode !== undefined && !SECRET_MODES.includes(mode as LicenseeSecretMode)) {
    throw new OptionError(`"licenseeSecretMode" must be one of ${SECRET_MODES.join(', ')}, got ${describe(mode)}`);
  }
  const hwid = ownValue(options, 'hwid');
  if (hwid !== undefined && (typeof hwid !== 'string' || hwid.trim() === '')) throw new OptionError(`"hwid" must be a non-empty string, got ${describe(hwid)}`);
  const bindHwid = ownValue(options, 'bindHwid');
  if (bindHwid !== undefined && typeof bindHwid !== 'boolean') throw new OptionError(`"bindHwid" must be true or false, got ${describe(bindHwid)}`);
  // The hot path (none of them given) allocates nothing.
  if (graceDays === undefined && secret === undefined && mode === undefined && hwid === undefined && bindHwid === undefined && facts === undefined) return NO_STATE;
  return {
    graceDays: graceDays === undefined ? null : graceDays,
    licenseeSecret: secret === undefined ? null : secret,
    licenseeSecretMode: mode === undefined ? null : (mode as LicenseeSecretMode),
    hwid: hwid === undefined ? null : hwid,
    bindHwid: bindHwid === undefined ? null : bindHwid,
    facts: resolveFacts(facts),
  };
}

/**
 * Validates options and resolves `now` (the clock is consulted only when `now`
 * is absent). Every problem is an `OptionError` (`ERR_OPTION_INVALID`) naming
 * the option.
 */
export function resolveEvaluation(options: unknown, clock: () => number = Date.now, label = 'options'): ResolvedEvaluation {
  checkOptionsObject(options, label);
  const toleranceSeconds = nonNegative(ownValue(options, 'clockToleranceSeconds'), 'clockToleranceSeconds') ?? 0;
  const age = nonNegative(ownValue(options, 'maxSignatureAgeDays'), 'maxSignatureAgeDays');
  const productId = ownValue(options, 'productId');
  if (productId !== undefined && !(typeof productId === 'number' ? Number.isSafeInteger(productId) : typeof productId === 'string' && productId.trim() !== '')) {
    throw new OptionError(`"productId" must be an integer or a non-empty string, got ${describe(productId)}`);
  }
  const machineCode = ownValue(options, 'machineCode');
  if (machineCode !== undefined && (typeof machineCode !== 'string' || machineCode.trim() === '')) {
    throw new OptionError(`"machineCode" must be a non-empty string, got ${describe(machineCode)}`);
  }
  const allowOverdraft = ownValue(options, 'allowOverdraft');
  if (allowOverdraft !== undefined && typeof allowOverdraft !== 'boolean') throw new OptionError(`"allowOverdraft" must be true or false, got ${describe(allowOverdraft)}`);
  const product = resolveProduct(ownValue(options, 'product'));
  const required = ownValue(options, 'requireFeatures');
  let requireFeatures: readonly FeatureRequirement[] = NONE;
  let features: readonly ResolvedFeature[] = NONE;
  if (required !== undefined) {
    if (!Array.isArray(required)) throw new OptionError(`"requireFeatures" must be an array of feature numbers or names, got ${describe(required)}`);
    if (required.length > 0) {
      // Copied: a caller changing the array during an await changes nothing.
      const copy: FeatureRequirement[] = [];
      const resolved: ResolvedFeature[] = [];
      for (let i = 0; i < required.length; i++) {
        const r: unknown = Object.hasOwn(required, i) ? required[i] : undefined;
        resolved.push(resolveRequirement(r, product, `requireFeatures[${i}]`));
        copy.push(r as FeatureRequirement);
      }
      requireFeatures = copy;
      features = resolved;
    }
  }
  const state = resolveStateOptions(options);
  const licenseKey = decryptionInput(options, 'licenseKey');
  const fingerprint = decryptionInput(options, 'fingerprint');
  return {
    nowMs: resolveNow(ownValue(options, 'now'), clock),
    toleranceMs: toleranceSeconds * 1000,
    maxSignatureAgeMs: age === undefined ? null : age * 86_400_000,
    machineCode: machineCode === undefined ? null : machineCode.trim(),
    allowOverdraft: allowOverdraft === true,
    requireFeatures,
    features,
    productId: productId === undefined ? null : (productId as number | string),
    product,
    graceDays: state.graceDays,
    licenseeSecret: state.licenseeSecret,
    licenseeSecretMode: state.licenseeSecretMode,
    hwid: state.hwid,
    bindHwid: state.bindHwid,
    facts: state.facts,
    licenseKey,
    fingerprint,
  };
}

/** `licenseKey` or `fingerprint`: a non-empty string (the message never quotes it: it unlocks a file), or `null` when absent. */
export function decryptionInput(options: object, name: 'licenseKey' | 'fingerprint'): string | null {
  const value = ownValue(options, name);
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) throw new OptionError(`"${name}" must be a non-empty string, got ${typeof value === 'string' ? 'an empty string' : value === null ? 'null' : typeof value}`);
  return value;
}
