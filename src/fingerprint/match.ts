/**
 * Tolerant matching of a fingerprint recorded at activation against the
 * current one: weighted components with a threshold, or Keygen-style counting
 * modes. Components unreadable now count as neither match nor mismatch.
 */
import { COMPONENTS, COMPONENT_NAMES, isComponentName, type ComponentKind, type ComponentName } from './components.ts';
import type { Fingerprint } from './fingerprint.ts';
import { parseRecordedFingerprint, recordFingerprint, type RecordedFingerprint } from './recorded.ts';

/**
 * How many components must match: `weighted` (default: matched weight ≥
 * `threshold` of the comparable weight), `any` (one), `two`, `most` (more than
 * half of the comparable ones) or `all` (every recorded component, none unknown).
 */
export type MatchMode = 'weighted' | 'any' | 'two' | 'most' | 'all';

/** Rules for {@link matchFingerprint}. */
export interface MatchPolicy {
  /** Default `weighted`. */
  readonly mode?: MatchMode;
  /** Share of the comparable weight that must match in `weighted` mode, in (0, 1]. Default 0.6. */
  readonly threshold?: number;
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
}

/** What happened to one recorded component. */
export type ComponentOutcome = 'match' | 'mismatch' | 'unknown';

/** Why a match succeeded or failed. */
export type MatchReason =
  | 'match'
  | 'below-threshold'
  | 'no-hardware-match'
  | 'nothing-identifying'
  | 'virtual-machine-refused'
  | 'container-refused';

/** The verdict of {@link matchFingerprint}. */
export interface MatchResult {
  readonly matched: boolean;
  readonly reason: MatchReason;
  /** Matched weight divided by comparable (matched + mismatched) weight; 0 when nothing is comparable. */
  readonly score: number;
  readonly matchedWeight: number;
  readonly comparableWeight: number;
  /** One entry per recorded component, in display order. */
  readonly components: ReadonlyArray<{ readonly name: ComponentName; readonly kind: ComponentKind; readonly weight: number; readonly outcome: ComponentOutcome }>;
  readonly matchedComponents: readonly ComponentName[];
  readonly mismatchedComponents: readonly ComponentName[];
  readonly unknownComponents: readonly ComponentName[];
}

const MODES: readonly MatchMode[] = ['weighted', 'any', 'two', 'most', 'all'];

function isFingerprint(value: unknown): value is Fingerprint {
  return typeof value === 'object' && value !== null && 'machineCode' in value && 'components' in value && Array.isArray((value as Fingerprint).components);
}

function checkPolicy(policy: MatchPolicy): Required<Omit<MatchPolicy, 'weights'>> & { weights: Record<ComponentName, number> } {
  const mode = policy.mode ?? 'weighted';
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
    requireHardware: policy.requireHardware ?? true,
    allowVirtualMachine: policy.allowVirtualMachine ?? true,
    allowContainer: policy.allowContainer ?? true,
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
  const before = isFingerprint(recorded) ? recordFingerprint(recorded) : parseRecordedFingerprint(recorded);
  const now = isFingerprint(current) ? recordFingerprint(current) : parseRecordedFingerprint(current);

  const components: Array<MatchResult['components'][number]> = [];
  for (const name of COMPONENT_NAMES) {
    const weight = rules.weights[name];
    const then = before.components[name];
    if (then === undefined || weight === 0) continue;
    const present = now.components[name];
    const outcome: ComponentOutcome = present === undefined ? 'unknown' : present.some((hash) => then.includes(hash)) ? 'match' : 'mismatch';
    components.push({ name, kind: COMPONENTS[name].kind, weight, outcome });
  }
  const pick = (outcome: ComponentOutcome) => components.filter((c) => c.outcome === outcome);
  const matched = pick('match');
  const mismatched = pick('mismatch');
  const unknown = pick('unknown');
  const matchedWeight = matched.reduce((sum, c) => sum + c.weight, 0);
  const comparableWeight = matchedWeight + mismatched.reduce((sum, c) => sum + c.weight, 0);
  const score = comparableWeight === 0 ? 0 : matchedWeight / comparableWeight;

  const reason = ((): MatchReason => {
    if (isFingerprint(current)) {
      if (!rules.allowVirtualMachine && current.environment.virtualMachine) return 'virtual-machine-refused';
      if (!rules.allowContainer && current.environment.container) return 'container-refused';
    }
    if (!matched.some((c) => c.kind !== 'descriptor')) return 'nothing-identifying';
    if (rules.requireHardware && components.some((c) => c.kind === 'hardware') && !matched.some((c) => c.kind === 'hardware')) {
      return 'no-hardware-match';
    }
    const comparable = matched.length + mismatched.length;
    const enough =
      rules.mode === 'weighted' ? score >= rules.threshold
      : rules.mode === 'any' ? matched.length >= 1
      : rules.mode === 'two' ? matched.length >= 2
      : rules.mode === 'most' ? matched.length * 2 > comparable
      : matched.length === components.length;
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
    unknownComponents: names(unknown),
  });
}
