/**
 * `licensekit/fingerprint`: hardware fingerprints for node-locking. Separate
 * from the core (Node-only; the core and browser bundles never load it).
 *
 * - {@link fingerprint} / {@link machineCode}: this machine, salted per product, cached in the process.
 * - {@link matchFingerprint}: tolerant matching against the fingerprint recorded at activation.
 * - {@link recordFingerprint} / {@link serializeFingerprint} / {@link parseRecordedFingerprint}: the form stored in a license.
 * - {@link fingerprintFromSnapshot}: the pure path, for recorded snapshots.
 *
 * @example
 * import { fingerprint, matchFingerprint, recordFingerprint, serializeFingerprint } from 'licensekit/fingerprint';
 * const fp = await fingerprint({ product: 'acme-cad' });
 * const stored = serializeFingerprint(recordFingerprint(fp)); // at activation
 * matchFingerprint(stored, await fingerprint({ product: 'acme-cad' })).matched; // later: true
 */
import { currentSnapshot, clearSnapshotCache, snapshotGeneration, type CollectOptions } from './collect/current.ts';
import type { Environment } from './environment.ts';
import { environmentFromEvidence } from './environment.ts';
import { fingerprintFromSnapshotAsync, type Fingerprint } from './fingerprint.ts';
import { checkProductSalt } from './hash.ts';
import type { MachineSnapshot } from './snapshot.ts';
import { cryptolensMachineCode, type CryptolensMachineCodeOptions } from './cryptolens.ts';

export { COMPONENTS, COMPONENT_NAMES, type ComponentKind, type ComponentName, type ComponentSpec } from './components.ts';
export { COLLECTOR_READ_PATHS, environmentFromEvidence, type Environment } from './environment.ts';
export { fingerprintFromSnapshot, fingerprintFromSnapshotAsync, MACHINE_CODE_ORDER, machineCodeBasis, MachineCodeUnavailableError, type ComponentStatus, type Fingerprint, type FingerprintComponent } from './fingerprint.ts';
export { COMPONENT_HASH_HEX_LENGTH, COMPONENT_KDF } from './hash.ts';
export { matchFingerprint, type ComponentOutcome, type MatchMode, type MatchPolicy, type MatchReason, type MatchResult } from './match.ts';
export { canonicalMac, classifyInterface, JUNK_VALUES, normalizeIdentifier, type InterfaceVerdict } from './normalize.ts';
export { MAX_RECORDED_LENGTH, MIN_RECORDED_WEIGHT, parseRecordedFingerprint, recordFingerprint, serializeFingerprint, type RecordedFingerprint, type RecordOptions } from './recorded.ts';
export { parseSnapshot, type EnvironmentEvidence, type MachineSnapshot, type MissingReason, type NetworkInterfaceReading, type Reading } from './snapshot.ts';
export type { CollectOptions, CollectorChoice } from './collect/current.ts';
export { CRYPTOLENS_COMPAT_VARIANTS, cryptolensMachineCode, cryptolensNodeDigest, type CryptolensCompat, type CryptolensMachineCodeOptions } from './cryptolens.ts';

/** Options of {@link fingerprint} and {@link machineCode}. */
export interface FingerprintOptions extends CollectOptions {
  /** The product salt (for example the product id): fingerprints of different products cannot be linked. */
  readonly product: string;
}

/** Most products whose fingerprint is kept warm at once. */
const MAX_CACHED_PRODUCTS = 16;
const byProduct = new Map<string, Fingerprint>();
let byProductGeneration = -1;

/**
 * Collects this machine's raw component readings (cached in the process).
 * They contain raw serial numbers: keep them local.
 */
export function collectSnapshot(options: CollectOptions = {}): Promise<MachineSnapshot> {
  return currentSnapshot(options);
}

/**
 * This machine's fingerprint for one product: every component with its status
 * and salted hashes, the machine code and the environment. The first call
 * collects (a few milliseconds on Linux); later calls return the cached,
 * frozen result until `refresh: true` or {@link clearFingerprintCache}.
 *
 * @throws {TypeError | RangeError} when `product` is not a non-empty string.
 * @throws {MachineCodeUnavailableError} `ERR_FINGERPRINT_UNAVAILABLE` (a
 *   `FingerprintError`) when no identifying component is readable (for example
 *   a container with no machine-id, no disk serial and only virtual adapters):
 *   a code from the CPU model alone, or from nothing, would be shared by other
 *   machines. The error carries the components and environment that were read.
 * @example
 * const { machineCode, components } = await fingerprint({ product: 'acme-cad' });
 */
export async function fingerprint(options: FingerprintOptions): Promise<Fingerprint> {
  const product = checkProductSalt(options?.product);
  const cacheable = (options.collector ?? 'auto') === 'auto';
  const snapshotPromise = currentSnapshot(options);
  const generation = snapshotGeneration();
  if (cacheable && generation === byProductGeneration) {
    const hit = byProduct.get(product);
    if (hit !== undefined) return hit;
  }
  const result = await fingerprintFromSnapshotAsync(await snapshotPromise, product);
  if (cacheable && generation === snapshotGeneration()) {
    if (byProductGeneration !== generation) {
      byProduct.clear();
      byProductGeneration = generation;
    }
    if (byProduct.size >= MAX_CACHED_PRODUCTS) byProduct.delete(byProduct.keys().next().value!);
    byProduct.set(product, result);
  }
  return result;
}

/**
 * This machine's code for one product: 64 upper-case hex characters, for
 * Cryptolens' machine code (`Mid`). Derived from one identity any user can
 * read: the system UUID on Windows and macOS, /etc/machine-id on Linux (whose
 * DMI UUID is root-only); failing those, a system, board or boot disk serial,
 * then the permanent MACs of physical adapters (see {@link MACHINE_CODE_ORDER};
 * never the CPU model). It stays the same with Wi-Fi off, Docker started, a
 * disk swapped (unless the disk serial is the basis), and with or without
 * root. On Linux, clones of one VM image share it: refuse clones with
 * {@link matchFingerprint} on the full component set recorded at activation.
 *
 * With `compat: 'cryptolens-node'` (or `'cryptolens-node-short'`) it returns
 * instead the code the official Cryptolens Node client computes on this
 * machine, read directly (see {@link cryptolensMachineCode}), for licenses
 * activated with that client.
 *
 * @throws {MachineCodeUnavailableError} `ERR_FINGERPRINT_UNAVAILABLE` when no
 *   identifying component is readable; see {@link fingerprint}.
 * @example
 * const mid = await machineCode({ product: 'acme-cad' }); // '5E0A…'
 * const legacy = await machineCode({ compat: 'cryptolens-node' }); // as the official client's Helpers.GetMachineCode()
 */
export async function machineCode(options: FingerprintOptions | CryptolensMachineCodeOptions): Promise<string> {
  if (options !== null && typeof options === 'object' && 'compat' in options && options.compat !== undefined) return cryptolensMachineCode(options);
  return (await fingerprint(options as FingerprintOptions)).machineCode;
}

/**
 * Detects whether this process runs in a virtual machine or a container.
 *
 * @example
 * const env = await detectEnvironment();
 * if (env.container) console.log(`running in ${env.containerRuntime}`);
 */
export async function detectEnvironment(options: CollectOptions = {}): Promise<Environment> {
  return environmentFromEvidence((await currentSnapshot(options)).evidence);
}

/** Forgets the cached snapshot and fingerprints; the next call collects again. */
export function clearFingerprintCache(): void {
  clearSnapshotCache();
  byProduct.clear();
}
