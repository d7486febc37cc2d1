/**
 * Tolerant matching of a fingerprint recorded at activation against the
 * current one: weighted components with a threshold, or Keygen-style counting
 * modes.
 *
 * Hiding is never easier than being different: a component that was recorded
 * but is unreadable now (`unknown`) counts in the denominator with no matched
 * weight, exactly as if it were readable and different. Otherwise a cloned VM
 * checked as an ordinary user (the root-only UUID and serials unreadable)
 * scores 1.00 on what is left. The one opt-in exception, for a program recorded
 * as root and run as a user on the same machine, is
 * `unknownComponents: 'ignore-no-permission'` (see {@link MatchPolicy}).
 */
import { COMPONENTS, COMPONENT_NAMES, isComponentName, type ComponentKind, type ComponentName } from './components.ts';
import type { Fingerprint } from './fingerprint.ts';
import { MIN_RECORDED_WEIGHT, parseRecordedFingerprint, recordedComponents, recordedStrength, type RecordedFingerprint } from './recorded.ts';

/**
 * How many components must match: `weighted` (default: matched weight ≥
 * `threshold` of the counted weight), `any` (one), `two`, `most` (more than
 * half of the counted ones) or `all` (every recorded component, none unknown).
 */
export type MatchMode = 'weighted' | 'any' | 'two' | 'most' | 'all';

/** Rules for {@link matchFingerprint}. */
export interface MatchPolicy {
  /** Default `weighted`. */
  readonly mode?: MatchMode;
  /** Share of the counted weight that must match in `weighted` mode, in (0, 1]. Default 0.6. */
  readonly threshold?: number;
  /**
   * What a recorded component unreadable now counts as. `count` (default): as
   * a mismatch (in the denominator, no matched weight), so hiding a component
   * never helps. `ignore-no-permission`: left out of the score when the
   * current fingerprint says it needs privileges (`no-permission`), for a
   * program recorded as root and run as a user on the same machine; a clone
   * run as a user then needs only its user-readable components to match.
   * Unknown for any other reason still counts.
   */
  readonly unknownComponents?: 'count' | 'ignore-no-permission';
  /**
   * Least identifying weight (policy weights, the CPU excluded) the recorded
   * fingerprint must hold, else `recorded-too-weak`. Default 30 (`MIN_RECORDED_WEIGHT`).
   */
  readonly minimumRecordedWeight?: number;
  /**
   * When the recorded fingerprint holds a hardware component, at least one
   * hardware component must match, so a cloned OS image (same machine-id, other
   * hardware) never passes. Default true.
   */
  readonly requireHardware?: boolean;
  /** Per-component weight overrides; 0 ignores a component. */
  readonly weights?: Readonly<Partial<Record<ComponentName, number>>>;
  /** Refuse when the current machine is a virtual machine. Default true (allowed). */
  readonly allowVirtualMachine?: boolean;
  /** Refuse when the current process runs in a container. Default true (allowed). */
  readonly allowContainer?: boolean;
  /**
   * Refuse when the environment could have been rewritten by the user: a user
   * namespace, or mounts over the files the collector reads
   * (`environment.userNamespace`, `environment.overlaidPaths`). Default true
   * (allowed: rootless containers run in user namespaces, LXCFS mounts over
   * /proc/cpuinfo).
   */
  readonly allowSpoofableEnvironment?: boolean;
}

/** What happened to one recorded component (`ignored`: unknown and left out by `unknownComponents: 'ignore-no-permission'`). */
export type ComponentOutcome = 'match' | 'mismatch' | 'unknown' | 'ignored';

/** Why a match succeeded or failed. */
export type MatchReason =
  | 'match'
  | 'below-threshold'
  | 'no-hardware-match'
  | 'nothing-identifying'
  | 'recorded-too-weak'
  | 'virtual-machine-refused'
  | 'container-refused'
  | 'spoofable-environment-refused';

/** The verdict of {@link matchFingerprint}. */
export interface MatchResult {
  readonly matched: boolean;
  readonly reason: MatchReason;
  /** Matched weight divided by counted (matched + mismatched + unknown) weight; 0 when nothing is counted. */
  readonly score: number;
  readonly matchedWeight: number;
  /** Matched + mismatched + unknown weight (unknown counts unless ignored by policy). */
  readonly comparableWeight: number;
  /** One entry per recorded component, in display order. */
  readonly components: ReadonlyArray<{ readonly name: ComponentName; readonly kind: ComponentKind; readonly weight: number; readonly outcome: ComponentOutcome }>;
  readonly matchedComponents: readonly ComponentName[];
  readonly mismatchedComponents: readonly ComponentName[];
  /** Recorded components unreadable now (ignored ones included). */
  readonly unknownComponents: readonly ComponentName[];
}

const MODES: readonly MatchMode[] = ['weighted', 'any', 'two', 'most', 'all'];

function isFingerprint(value: unknown): value is Fingerprint {
  return typeof value === 'object' && value !== null && 'machineCode' in value && 'components' in value && Array.isArray((value as Fingerprint).components);
}

function checkPolicy(policy: MatchPolicy): Required<Omit<MatchPolicy, 'weights'>> & { weights: Record<ComponentName, number> } {
  const mode = policy.mode ?? 'weighted';
  const unknownComponents = policy.unknownComponents ?? 'count';
  if (unknownComponents !== 'count' && unknownComponents !== 'ignore-no-permission') {
    throw new RangeError(`"policy.unknownComponents" expected count or ignore-no-permission, got ${String(unknownComponents)}`);
  }
  const minimumRecordedWeight = policy.minimumRecordedWeight ?? MIN_RECORDED_WEIGHT;
  if (typeof minimumRecordedWeight !== 'number' || !Number.isFinite(minimumRecordedWeight) || minimumRecordedWeight <= 0) {
    throw new RangeError(`"policy.minimumRecordedWeight" expected a finite number > 0, got ${String(minimumRecordedWeight)}`);
  }
  if (!MODES.includes(mode)) throw new RangeError(`"policy.mode" expected one of ${MODES.join(', ')}, got ${String(mode)}`);
  const threshold = policy.threshold ?? 0.6;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) throw new RangeError(`"policy.threshold" expected a number in (0, 1], got ${String(threshold)}`);
  const weights = {} as Record<ComponentName, number>;
  for (const name of COMPONENT_NAMES) weights[name] = COMPONENTS[name].weight;
  for (const [name, weight] of Object.entries(policy.weights ?? {})) {
    if (!isComponentName(name)) throw new RangeError(`"policy.weights" names unknown component "${name}"`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw new RangeError(`"policy.weights.${name}" expected a finite number >= 0, got ${String(weight)}`);
    weights[name] = weight;
  }
  return {
    mode,
    threshold,
    weights,
    unknownComponents,
    minimumRecordedWeight,
    requireHardware: policy.requireHardware ?? true,
    allowVirtualMachine: policy.allowVirtualMachine ?? true,
    allowContainer: policy.allowContainer ?? true,
    allowSpoofableEnvironment: policy.allowSpoofableEnvironment ?? true,
  };
}

/**
 * Matches the fingerprint recorded at activation against the current one.
 * `recorded` may be a {@link RecordedFingerprint}, its JSON text, or a full
 * fingerprint; `current` is normally the live fingerprint (whose unreadable
 * components count as unknown and whose environment the policy can refuse).
 * The result is independent of component and hash order.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_INVALID` when `recorded` is malformed.
 * @throws {RangeError} when the policy is invalid.
 * @example
 * const result = matchFingerprint(license.data.fingerprint, await fingerprint({ product: 'acme-cad' }));
 * if (!result.matched) console.log(result.reason, result.mismatchedComponents);
 */
export function matchFingerprint(
  recorded: RecordedFingerprint | Fingerprint | string,
  current: Fingerprint | RecordedFingerprint,
  policy: MatchPolicy = {},
): MatchResult {
  const rules = checkPolicy(policy);
  const before = isFingerprint(recorded) ? recordedComponents(recorded) : parseRecordedFingerprint(recorded);
  const now = isFingerprint(current) ? recordedComponents(current) : parseRecordedFingerprint(current);
  const statusNow = (name: ComponentName) => (isFingerprint(current) ? current.components.find((c) => c.name === name)?.status : undefined);

  const components: Array<MatchResult['components'][number]> = [];
  for (const name of COMPONENT_NAMES) {
    const weight = rules.weights[name];
    const then = before.components[name];
    if (then === undefined || weight === 0) continue;
    const present = now.components[name];
    const outcome: ComponentOutcome =
      present !== undefined ? (present.some((hash) => then.includes(hash)) ? 'match' : 'mismatch')
      : rules.unknownComponents === 'ignore-no-permission' && statusNow(name) === 'no-permission' ? 'ignored'
      : 'unknown';
    components.push({ name, kind: COMPONENTS[name].kind, weight, outcome });
  }
  const pick = (outcome: ComponentOutcome) => components.filter((c) => c.outcome === outcome);
  const matched = pick('match');
  const mismatched = pick('mismatch');
  const unknown = pick('unknown');
  const weightOf = (list: typeof components) => list.reduce((sum, c) => sum + c.weight, 0);
  const matchedWeight = weightOf(matched);
  // Unknown weight counts as if it were different: hiding a component never raises the score.
  const comparableWeight = matchedWeight + weightOf(mismatched) + weightOf(unknown);
  const score = comparableWeight === 0 ? 0 : matchedWeight / comparableWeight;
  const strength = recordedStrength(before, rules.weights);

  const reason = ((): MatchReason => {
    if (isFingerprint(current)) {
      if (!rules.allowVirtualMachine && current.environment.virtualMachine) return 'virtual-machine-refused';
      if (!rules.allowContainer && current.environment.container) return 'container-refused';
      const env = current.environment;
      if (!rules.allowSpoofableEnvironment && (env.userNamespace || env.overlaidPaths.length > 0)) return 'spoofable-environment-refused';
    }
    if (strength.weight < rules.minimumRecordedWeight || (rules.requireHardware && !strength.hardware)) return 'recorded-too-weak';
    if (!matched.some((c) => c.kind !== 'descriptor')) return 'nothing-identifying';
    if (rules.requireHardware && components.some((c) => c.kind === 'hardware') && !matched.some((c) => c.kind === 'hardware')) {
      return 'no-hardware-match';
    }
    const comparable = matched.length + mismatched.length + unknown.length;
    const enough =
      rules.mode === 'weighted' ? score >= rules.threshold
      : rules.mode === 'any' ? matched.length >= 1
      : rules.mode === 'two' ? matched.length >= 2
      : rules.mode === 'most' ? matched.length * 2 > comparable
      : matched.length === components.length - pick('ignored').length && unknown.length === 0;
    return enough ? 'match' : 'below-threshold';
  })();

  const names = (list: typeof components) => Object.freeze(list.map((c) => c.name));
  return Object.freeze({
    matched: reason === 'match',
    reason,
    score,
    matchedWeight,
    comparableWeight,
    components: Object.freeze(components),
    matchedComponents: names(matched),
    mismatchedComponents: names(mismatched),
    unknownComponents: names([...unknown, ...pick('ignored')].sort((a, b) => COMPONENT_NAMES.indexOf(a.name) - COMPONENT_NAMES.indexOf(b.name))),
  });
}
