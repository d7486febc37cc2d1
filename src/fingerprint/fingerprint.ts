/**
 * From a machine snapshot to a fingerprint: normalise every component, hash the
 * survivors with the product salt, derive the machine code and the environment.
 * Pure and synchronous; live collection and fixtures both come through here.
 */
import { FingerprintError } from '../lib/errors.ts';
import { COMPONENTS, COMPONENT_NAMES, isPrivilegedComponent, type ComponentKind, type ComponentName } from './components.ts';
import { environmentFromEvidence, type Environment } from './environment.ts';
import { checkProductSalt, componentHash, machineCodeDigest, stretchComponentValues } from './hash.ts';
import { classifyInterface, cpuDescriptor, normalizeIdentifier, type Normalized } from './normalize.ts';
import { parseSnapshot, type MachineSnapshot, type Reading } from './snapshot.ts';

/** Whether a component could be used, and if not, why. */
export type ComponentStatus = 'ok' | 'absent' | 'no-permission' | 'junk' | 'unreadable';

/** One component of a fingerprint. Holds salted hashes only, never the raw value. */
export interface FingerprintComponent {
  readonly name: ComponentName;
  readonly kind: ComponentKind;
  readonly weight: number;
  readonly status: ComponentStatus;
  /** Salted hashes; one for most components, one per kept adapter for `mac`; empty unless `status` is `ok`. */
  readonly hashes: readonly string[];
  /** Why a component is missing or what it was built from (`needs root`, `excluded docker0 (virtual)`). */
  readonly note?: string;
}

/** A machine's fingerprint for one product. */
export interface Fingerprint {
  /** 64 upper-case hex characters; see {@link machineCodeBasis}. Suitable for Cryptolens' `MachineCode`/`Mid`. */
  readonly machineCode: string;
  /** The one component the machine code was derived from (never a descriptor); see {@link machineCodeBasis}. */
  readonly machineCodeBasis: readonly ComponentName[];
  /** Every component in display order, whatever its status. */
  readonly components: readonly FingerprintComponent[];
  readonly environment: Environment;
  readonly platform: string;
}

/**
 * Where the machine code looks for its basis, in order; the first component
 * that reads `ok` (and that any user can read on this platform) is the basis.
 *
 * 1. `system-uuid`, `os-install-id`: the preferred identities, stable across
 *    Wi-Fi, docks, disk swaps and Docker starts.
 * 2. `system-serial`, `board-serial`, `disk-serial`: other identifying hardware
 *    (a container without a machine-id still sees its host's boot disk).
 * 3. `mac`: the permanent MACs of physical, non-USB adapters, as a set; down
 *    interfaces count, virtual and randomised ones never do, so it is stable
 *    with Wi-Fi off. Last, because a NIC is added or replaced more often.
 *
 * Descriptor components (`cpu`) are absent on purpose: every machine of the same
 * model shares them, so they never enter the basis, not even as a tie-breaker.
 */
export const MACHINE_CODE_ORDER: readonly ComponentName[] = Object.freeze([
  'system-uuid',
  'os-install-id',
  'system-serial',
  'board-serial',
  'disk-serial',
  'mac',
] as const);

function privilegeNote(platform: string): string {
  return platform === 'linux' || platform === 'darwin' ? 'needs root' : 'needs administrator rights';
}

/** Hashes one normalised component value (the real stretched hash, or a recorder for {@link fingerprintFromSnapshotAsync}). */
type Hasher = (name: ComponentName, value: string) => string;

function fromReading(
  hash: Hasher,
  platform: string,
  name: ComponentName,
  reading: Reading,
  normalize: (raw: string) => Normalized,
  okNote?: string,
): FingerprintComponent {
  const { kind, weight } = COMPONENTS[name];
  if (typeof reading !== 'string') {
    const note = reading.missing === 'no-permission' ? privilegeNote(platform) : reading.missing === 'absent' ? 'not found' : 'read failed';
    return { name, kind, weight, status: reading.missing, hashes: [], note };
  }
  const normalized = normalize(reading);
  if ('junk' in normalized) return { name, kind, weight, status: 'junk', hashes: [], note: normalized.junk };
  return { name, kind, weight, status: 'ok', hashes: [hash(name, normalized.value)], ...(okNote === undefined ? {} : { note: okNote }) };
}

function macComponent(hash: Hasher, snapshot: MachineSnapshot): FingerprintComponent {
  const { kind, weight } = COMPONENTS.mac;
  const kept = new Set<string>();
  const excluded: string[] = [];
  for (const entry of snapshot.network) {
    const verdict = classifyInterface(entry);
    if (verdict.kept) kept.add(verdict.mac);
    else excluded.push(`${entry.name} (${verdict.reason})`);
  }
  const hashes = [...kept].map((mac) => hash('mac', mac)).sort();
  const adapters = `${kept.size} adapter${kept.size === 1 ? '' : 's'}`;
  const note = excluded.length === 0 ? adapters : `${adapters}; excluded ${excluded.sort().join(', ')}`;
  return { name: 'mac', kind, weight, status: hashes.length > 0 ? 'ok' : 'absent', hashes, note };
}

function cpuComponent(hash: Hasher, platform: string, snapshot: MachineSnapshot): FingerprintComponent {
  const cpu = snapshot.cpu;
  if ('missing' in cpu) return fromReading(hash, platform, 'cpu', cpu, () => ({ junk: '' }));
  const normalized = cpuDescriptor(cpu);
  const { kind, weight } = COMPONENTS.cpu;
  if ('junk' in normalized) return { name: 'cpu', kind, weight, status: 'junk', hashes: [], note: normalized.junk };
  return { name: 'cpu', kind, weight, status: 'ok', hashes: [hash('cpu', normalized.value)], note: cpu.model.trim() };
}

/**
 * Chooses the machine code basis: the first component of
 * {@link MACHINE_CODE_ORDER} that reads `ok` and that this platform lets any
 * user read. So Windows and macOS use the SMBIOS/platform UUID (stable across OS
 * reinstalls, distinct for VM clones), Linux uses /etc/machine-id (its DMI UUID
 * and serials are root-only, and the code must not depend on running as root),
 * and a Linux container without a machine-id falls back to the boot disk serial,
 * then to the permanent MACs of its physical adapters.
 *
 * Returns one component, or an empty list when nothing identifying is readable.
 * A descriptor (`cpu`) is never returned: the code it would give is shared by
 * every machine of the same model. {@link fingerprintFromSnapshot} turns the
 * empty case into a {@link MachineCodeUnavailableError}.
 */
export function machineCodeBasis(platform: string, components: readonly FingerprintComponent[]): FingerprintComponent[] {
  for (const name of MACHINE_CODE_ORDER) {
    if (COMPONENTS[name].kind === 'descriptor' || isPrivilegedComponent(platform, name)) continue;
    const candidate = components.find((c) => c.name === name);
    if (candidate !== undefined && candidate.status === 'ok' && candidate.hashes.length > 0) return [candidate];
  }
  return [];
}

/** `disk-serial (absent: not found)`: a component's status and note, for messages. */
function describeStatus(component: FingerprintComponent): string {
  return `${component.name} (${component.status}${component.note === undefined ? '' : `: ${component.note}`})`;
}

/** Why no component could serve as the machine code basis, in words, grouped by reason. */
function whyNoBasis(platform: string, components: readonly FingerprintComponent[]): string {
  const descriptor = components.filter((c) => COMPONENTS[c.name].kind === 'descriptor');
  const privileged = components.filter((c) => COMPONENTS[c.name].kind !== 'descriptor' && isPrivilegedComponent(platform, c.name));
  const unreadable = components.filter((c) => !descriptor.includes(c) && !privileged.includes(c));
  const groups: string[] = [];
  if (unreadable.length > 0) groups.push(`Not readable: ${unreadable.map(describeStatus).join(', ')}.`);
  if (privileged.length > 0) groups.push(`Root-only on ${platform}, so never used for the machine code: ${privileged.map((c) => `${c.name} (${c.status})`).join(', ')}.`);
  if (descriptor.length > 0) groups.push(`Shared by every machine of the model, so never used for the machine code: ${descriptor.map((c) => `${c.name} (${c.status})`).join(', ')}.`);
  return groups.join(' ');
}

/**
 * No identifying component of this machine is readable, so no machine code can
 * be derived: hashing what is left (a CPU model, or nothing) would give every
 * machine of the model, or every machine at all, the same code. Carries the
 * components (salted hashes and notes only, never raw values) and the
 * environment, so a caller can still show what was read and why.
 */
export class MachineCodeUnavailableError extends FingerprintError {
  static override readonly errorName = 'MachineCodeUnavailableError';
  declare readonly code: 'ERR_FINGERPRINT_UNAVAILABLE';
  readonly platform: string;
  /** Every component in display order, as {@link Fingerprint.components}. */
  readonly components: readonly FingerprintComponent[];
  readonly environment: Environment;
  constructor(platform: string, components: readonly FingerprintComponent[], environment: Environment) {
    super(
      'ERR_FINGERPRINT_UNAVAILABLE',
      `no machine code can be derived on this ${platform} machine: no identifying component is readable, and a code from the CPU model or from nothing would be shared by other machines. ${whyNoBasis(platform, components)}`,
    );
    this.platform = platform;
    this.components = components;
    this.environment = environment;
  }
}

/**
 * Computes the fingerprint of a snapshot for one product. Pure: the same
 * snapshot and salt always give the same fingerprint, on any machine.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_INVALID` when `snapshot` is malformed.
 * @throws {MachineCodeUnavailableError} `ERR_FINGERPRINT_UNAVAILABLE` (a
 *   {@link FingerprintError}) when no identifying component is readable, so the
 *   machine code would not tell machines apart; see {@link machineCodeBasis}.
 * @throws {TypeError | RangeError} when `product` is not a non-empty string.
 * @example
 * const fp = fingerprintFromSnapshot(snapshot, 'acme-cad');
 * fp.machineCode // '9F2C…' (64 hex)
 */
export function fingerprintFromSnapshot(snapshot: MachineSnapshot | unknown, product: string): Fingerprint {
  const salt = checkProductSalt(product);
  return build(parseSnapshot(snapshot), (name, value) => componentHash(salt, name, value));
}

/**
 * {@link fingerprintFromSnapshot} with the key stretching done on libuv's
 * thread pool, all components in parallel, so the event loop is never blocked
 * for the KDF (tens of milliseconds per value the first time in a process).
 * Same result, same errors.
 *
 * @example
 * const fp = await fingerprintFromSnapshotAsync(snapshot, 'acme-cad');
 */
export async function fingerprintFromSnapshotAsync(snapshot: MachineSnapshot | unknown, product: string): Promise<Fingerprint> {
  const salt = checkProductSalt(product);
  const snap = parseSnapshot(snapshot);
  const needed: Array<readonly [ComponentName, string]> = [];
  try {
    build(snap, (name, value) => {
      needed.push([name, value]);
      return '0'.repeat(32);
    });
  } catch (error) {
    if (!(error instanceof MachineCodeUnavailableError)) throw error;
  }
  await stretchComponentValues(salt, needed);
  return build(snap, (name, value) => componentHash(salt, name, value));
}

function build(snap: MachineSnapshot, hash: Hasher): Fingerprint {
  const platform = snap.platform;
  const diskNote = snap.diskName === undefined ? undefined : `disk ${snap.diskName}`;
  const byName: Record<ComponentName, FingerprintComponent> = {
    'system-uuid': fromReading(hash, platform, 'system-uuid', snap.systemUuid, normalizeIdentifier),
    'system-serial': fromReading(hash, platform, 'system-serial', snap.systemSerial, normalizeIdentifier),
    'board-serial': fromReading(hash, platform, 'board-serial', snap.boardSerial, normalizeIdentifier),
    'disk-serial': fromReading(hash, platform, 'disk-serial', snap.diskSerial, normalizeIdentifier, diskNote),
    mac: macComponent(hash, snap),
    'os-install-id': fromReading(hash, platform, 'os-install-id', snap.osInstallId, normalizeIdentifier),
    cpu: cpuComponent(hash, platform, snap),
  };
  const components = COMPONENT_NAMES.map((name) => Object.freeze({ ...byName[name], hashes: Object.freeze([...byName[name].hashes]) }));
  const environment = environmentFromEvidence(snap.evidence);
  const basis = machineCodeBasis(platform, components);
  if (basis.length === 0) throw new MachineCodeUnavailableError(platform, Object.freeze(components), environment);
  return Object.freeze({
    machineCode: machineCodeDigest(basis),
    machineCodeBasis: Object.freeze(basis.map((c) => c.name)),
    components: Object.freeze(components),
    environment,
    platform,
  });
}
