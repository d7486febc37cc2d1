/**
 * A machine snapshot: the raw, un-normalised values a collector read, each with
 * the reason it is missing when it could not be read. Live collection and the
 * recorded fixtures share this one shape, so both go through exactly the same
 * normalisation and hashing. Snapshots hold raw serial numbers: they stay in
 * the process and are never written into a license.
 */
import { FingerprintError } from '../lib/errors.ts';

/** Why a raw value could not be read. */
export type MissingReason = 'absent' | 'no-permission' | 'unreadable';

/** A raw value, or why there is none. */
export type Reading = string | { readonly missing: MissingReason };

/** One network interface as a collector saw it. */
export interface NetworkInterfaceReading {
  /** Interface name (`eth0`, `en0`, `Ethernet 2`). */
  readonly name: string;
  /** The hardware address as read (any case and separators). */
  readonly mac: string;
  /** False when the OS says the address is not the burned-in one (random, set or stolen); absent when unknown. */
  readonly permanent?: boolean;
  /** False when the interface has no backing device (software interface); absent when unknown. */
  readonly physical?: boolean;
  /** True for adapters on a USB bus (dongles, tethered phones): removable, so weak. */
  readonly usb?: boolean;
  /** True for wireless adapters. */
  readonly wireless?: boolean;
  /** Link state at collection time. Informational only: down interfaces still count. */
  readonly up?: boolean;
}

/** A CPU as a collector saw it. */
export interface CpuReading {
  readonly vendor: string;
  readonly model: string;
  readonly family: string;
  readonly modelNumber: string;
  readonly stepping: string;
}

/** Raw clues for virtual machine and container detection. */
export interface EnvironmentEvidence {
  /** The CPU reports the `hypervisor` flag (CPUID leaf 1, ECX bit 31). */
  readonly hypervisorFlag?: boolean;
  /** DMI system vendor (readable without root). */
  readonly dmiVendor?: string;
  /** DMI product name (readable without root). */
  readonly dmiProduct?: string;
  /** Contents of /sys/hypervisor/type (Xen). */
  readonly hypervisorType?: string;
  /** The collector's own verdict (systeminformation's `system().virtual`). */
  readonly reportedVirtual?: boolean;
  /** /.dockerenv exists. */
  readonly dockerenv?: boolean;
  /** /run/.containerenv exists (Podman). */
  readonly containerenv?: boolean;
  /** Contents of /proc/self/cgroup. */
  readonly cgroup?: string;
  /** Contents of /proc/self/uid_map (Linux): anything but `0 0 4294967295` means a user namespace. */
  readonly uidMap?: string;
  /**
   * The lines of /proc/self/mountinfo whose mount point is, contains or lies
   * under a path the collector reads (see `COLLECTOR_READ_PATHS`), for
   * detecting bind mounts over them. Absent when mountinfo was not read.
   */
  readonly mountinfo?: string;
}

/** Everything a collector read about one machine, version 1. */
export interface MachineSnapshot {
  readonly v: 1;
  /** `process.platform` of the machine (`linux`, `win32`, `darwin`, …). */
  readonly platform: string;
  /** Which collector produced it (`sysfs`, `systeminformation`, or a note for fixtures). */
  readonly source: string;
  readonly systemUuid: Reading;
  readonly systemSerial: Reading;
  readonly boardSerial: Reading;
  readonly diskSerial: Reading;
  /** Name of the disk the serial belongs to, for notes. */
  readonly diskName?: string;
  readonly network: readonly NetworkInterfaceReading[];
  readonly osInstallId: Reading;
  readonly cpu: CpuReading | { readonly missing: MissingReason };
  readonly evidence: EnvironmentEvidence;
}

const MAX_STRING = 1024;
const MAX_INTERFACES = 256;
const MISSING_REASONS: readonly string[] = ['absent', 'no-permission', 'unreadable'];

function fail(path: string, expected: string): never {
  throw new FingerprintError('ERR_FINGERPRINT_INVALID', `snapshot ${path}: expected ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length > MAX_STRING) fail(path, `a string of at most ${MAX_STRING} characters`);
  return value;
}

function optional<T>(value: unknown, path: string, check: (v: unknown, p: string) => T): T | undefined {
  return value === undefined ? undefined : check(value, path);
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'a boolean');
  return value;
}

function missing(value: unknown, path: string): { missing: MissingReason } {
  if (!isRecord(value) || typeof value.missing !== 'string' || !MISSING_REASONS.includes(value.missing)) {
    fail(path, `a string or { "missing": ${MISSING_REASONS.map((r) => `"${r}"`).join(' | ')} }`);
  }
  return { missing: value.missing as MissingReason };
}

function reading(value: unknown, path: string): Reading {
  return typeof value === 'string' ? str(value, path) : missing(value, path);
}

function networkInterface(value: unknown, path: string): NetworkInterfaceReading {
  if (!isRecord(value)) fail(path, 'an object');
  const out: { -readonly [K in keyof NetworkInterfaceReading]: NetworkInterfaceReading[K] } = {
    name: str(value.name, `${path}.name`),
    mac: str(value.mac, `${path}.mac`),
  };
  for (const key of ['permanent', 'physical', 'usb', 'wireless', 'up'] as const) {
    const flag = optional(value[key], `${path}.${key}`, bool);
    if (flag !== undefined) out[key] = flag;
  }
  return out;
}

function cpu(value: unknown, path: string): MachineSnapshot['cpu'] {
  if (isRecord(value) && 'missing' in value) return missing(value, path);
  if (!isRecord(value)) fail(path, 'an object');
  return {
    vendor: str(value.vendor, `${path}.vendor`),
    model: str(value.model, `${path}.model`),
    family: str(value.family, `${path}.family`),
    modelNumber: str(value.modelNumber, `${path}.modelNumber`),
    stepping: str(value.stepping, `${path}.stepping`),
  };
}

function evidence(value: unknown, path: string): EnvironmentEvidence {
  if (!isRecord(value)) fail(path, 'an object');
  const out: { -readonly [K in keyof EnvironmentEvidence]: EnvironmentEvidence[K] } = {};
  for (const key of ['hypervisorFlag', 'reportedVirtual', 'dockerenv', 'containerenv'] as const) {
    const flag = optional(value[key], `${path}.${key}`, bool);
    if (flag !== undefined) out[key] = flag;
  }
  for (const key of ['dmiVendor', 'dmiProduct', 'hypervisorType', 'cgroup', 'uidMap', 'mountinfo'] as const) {
    const text = optional(value[key], `${path}.${key}`, (v, p) => (typeof v === 'string' && v.length <= 65536 ? v : fail(p, 'a string')));
    if (text !== undefined) out[key] = text;
  }
  return out;
}

/**
 * Checks an untrusted value (for example a parsed fixture) against the snapshot
 * shape and returns a clean copy holding only known fields.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_INVALID` naming the first bad field.
 * @example
 * const snapshot = parseSnapshot(JSON.parse(readFileSync('fixtures/fingerprints/linux-server.json', 'utf8')).snapshot);
 */
export function parseSnapshot(value: unknown): MachineSnapshot {
  if (!isRecord(value)) fail('', 'an object');
  if (value.v !== 1) fail('.v', 'the version number 1');
  if (!Array.isArray(value.network) || value.network.length > MAX_INTERFACES) {
    fail('.network', `an array of at most ${MAX_INTERFACES} interfaces`);
  }
  const diskName = optional(value.diskName, '.diskName', str);
  return {
    v: 1,
    platform: str(value.platform, '.platform'),
    source: str(value.source, '.source'),
    systemUuid: reading(value.systemUuid, '.systemUuid'),
    systemSerial: reading(value.systemSerial, '.systemSerial'),
    boardSerial: reading(value.boardSerial, '.boardSerial'),
    diskSerial: reading(value.diskSerial, '.diskSerial'),
    ...(diskName === undefined ? {} : { diskName }),
    network: value.network.map((entry, i) => networkInterface(entry, `.network[${i}]`)),
    osInstallId: reading(value.osInstallId, '.osInstallId'),
    cpu: cpu(value.cpu, '.cpu'),
    evidence: evidence(value.evidence ?? {}, '.evidence'),
  };
}
