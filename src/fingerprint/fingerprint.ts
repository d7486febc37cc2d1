/**
 * From a machine snapshot to a fingerprint: normalise every component, hash the
 * survivors with the product salt, derive the machine code and the environment.
 * Pure and synchronous; live collection and fixtures both come through here.
 */
import { COMPONENTS, COMPONENT_NAMES, isPrivilegedComponent, type ComponentKind, type ComponentName } from './components.ts';
import { environmentFromEvidence, type Environment } from './environment.ts';
import { checkProductSalt, componentHash, machineCodeDigest } from './hash.ts';
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
  /** The components the machine code was derived from. */
  readonly machineCodeBasis: readonly ComponentName[];
  /** Every component in display order, whatever its status. */
  readonly components: readonly FingerprintComponent[];
  readonly environment: Environment;
  readonly platform: string;
}

/** The components the machine code prefers, in order: stable across Wi-Fi, docks, disks and Docker starts. */
const PREFERRED_BASIS: readonly ComponentName[] = ['system-uuid', 'os-install-id'];

function privilegeNote(platform: string): string {
  return platform === 'linux' || platform === 'darwin' ? 'needs root' : 'needs administrator rights';
}

function fromReading(
  product: string,
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
  return { name, kind, weight, status: 'ok', hashes: [componentHash(product, name, normalized.value)], ...(okNote === undefined ? {} : { note: okNote }) };
}

function macComponent(product: string, snapshot: MachineSnapshot): FingerprintComponent {
  const { kind, weight } = COMPONENTS.mac;
  const kept = new Set<string>();
  const excluded: string[] = [];
  for (const entry of snapshot.network) {
    const verdict = classifyInterface(entry);
    if (verdict.kept) kept.add(verdict.mac);
    else excluded.push(`${entry.name} (${verdict.reason})`);
  }
  const hashes = [...kept].map((mac) => componentHash(product, 'mac', mac)).sort();
  const adapters = `${kept.size} adapter${kept.size === 1 ? '' : 's'}`;
  const note = excluded.length === 0 ? adapters : `${adapters}; excluded ${excluded.sort().join(', ')}`;
  return { name: 'mac', kind, weight, status: hashes.length > 0 ? 'ok' : 'absent', hashes, note };
}

function cpuComponent(product: string, platform: string, snapshot: MachineSnapshot): FingerprintComponent {
  const cpu = snapshot.cpu;
  if ('missing' in cpu) return fromReading(product, platform, 'cpu', cpu, () => ({ junk: '' }));
  const normalized = cpuDescriptor(cpu);
  const { kind, weight } = COMPONENTS.cpu;
  if ('junk' in normalized) return { name: 'cpu', kind, weight, status: 'junk', hashes: [], note: normalized.junk };
  return { name: 'cpu', kind, weight, status: 'ok', hashes: [componentHash(product, 'cpu', normalized.value)], note: cpu.model.trim() };
}

/**
 * Chooses the machine code basis: the first of the system UUID and the OS
 * install id that reads `ok` and that this platform lets any user read. So
 * Windows and macOS use the SMBIOS/platform UUID (stable across OS reinstalls,
 * distinct for VM clones), Linux uses /etc/machine-id (its DMI UUID is
 * root-only, and the code must not depend on running as root). When neither is
 * available (a container without a machine-id), it falls back to every other
 * unprivileged `ok` component except `mac`.
 */
export function machineCodeBasis(platform: string, components: readonly FingerprintComponent[]): FingerprintComponent[] {
  const usable = components.filter((c) => c.status === 'ok' && !isPrivilegedComponent(platform, c.name));
  for (const name of PREFERRED_BASIS) {
    const preferred = usable.find((c) => c.name === name);
    if (preferred !== undefined) return [preferred];
  }
  return usable.filter((c) => c.name !== 'mac');
}

/**
 * Computes the fingerprint of a snapshot for one product. Pure: the same
 * snapshot and salt always give the same fingerprint, on any machine.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_INVALID` when `snapshot` is malformed.
 * @throws {TypeError | RangeError} when `product` is not a non-empty string.
 * @example
 * const fp = fingerprintFromSnapshot(snapshot, 'acme-cad');
 * fp.machineCode // '9F2C…' (64 hex)
 */
export function fingerprintFromSnapshot(snapshot: MachineSnapshot | unknown, product: string): Fingerprint {
  const salt = checkProductSalt(product);
  const snap = parseSnapshot(snapshot);
  const platform = snap.platform;
  const diskNote = snap.diskName === undefined ? undefined : `disk ${snap.diskName}`;
  const byName: Record<ComponentName, FingerprintComponent> = {
    'system-uuid': fromReading(salt, platform, 'system-uuid', snap.systemUuid, normalizeIdentifier),
    'system-serial': fromReading(salt, platform, 'system-serial', snap.systemSerial, normalizeIdentifier),
    'board-serial': fromReading(salt, platform, 'board-serial', snap.boardSerial, normalizeIdentifier),
    'disk-serial': fromReading(salt, platform, 'disk-serial', snap.diskSerial, normalizeIdentifier, diskNote),
    mac: macComponent(salt, snap),
    'os-install-id': fromReading(salt, platform, 'os-install-id', snap.osInstallId, normalizeIdentifier),
    cpu: cpuComponent(salt, platform, snap),
  };
  const components = COMPONENT_NAMES.map((name) => Object.freeze({ ...byName[name], hashes: Object.freeze([...byName[name].hashes]) }));
  const basis = machineCodeBasis(platform, components);
  return Object.freeze({
    machineCode: machineCodeDigest(basis),
    machineCodeBasis: Object.freeze(basis.map((c) => c.name)),
    components: Object.freeze(components),
    environment: environmentFromEvidence(snap.evidence),
    platform,
  });
}
