/**
 * The current machine's snapshot, collected once per process and cached. Linux
 * reads sysfs directly; other platforms go through systeminformation, imported
 * only when needed. Concurrent cold callers share one collection.
 */
import type { MachineSnapshot } from '../snapshot.ts';

/** Which collector to use: `auto` (sysfs on Linux, systeminformation elsewhere; cached) or a forced one (never cached). */
export type CollectorChoice = 'auto' | 'sysfs' | 'systeminformation';

/** Options of {@link currentSnapshot}. */
export interface CollectOptions {
  /** Collect again instead of returning the cached snapshot. Default false. */
  readonly refresh?: boolean;
  /** Default `auto`. */
  readonly collector?: CollectorChoice;
}

let cached: Promise<MachineSnapshot> | undefined;
let generation = 0;

async function collect(collector: Exclude<CollectorChoice, 'auto'>): Promise<MachineSnapshot> {
  if (collector === 'sysfs') {
    const { collectLinuxSnapshot } = await import('./linux.ts');
    return collectLinuxSnapshot();
  }
  const { collectWithSysteminformation } = await import('./systeminformation.ts');
  return collectWithSysteminformation();
}

/**
 * Returns this machine's snapshot, from the in-process cache unless `refresh`
 * is set or a collector is forced.
 *
 * @throws {RangeError} for an unknown `collector`.
 */
export function currentSnapshot(options: CollectOptions = {}): Promise<MachineSnapshot> {
  const collector = options.collector ?? 'auto';
  if (collector !== 'auto' && collector !== 'sysfs' && collector !== 'systeminformation') {
    throw new RangeError(`"collector" expected auto, sysfs or systeminformation, got ${String(collector)}`);
  }
  if (collector !== 'auto') return collect(collector);
  if (cached === undefined || options.refresh === true) {
    generation++;
    const pending = collect(process.platform === 'linux' ? 'sysfs' : 'systeminformation');
    cached = pending;
    pending.catch(() => {
      if (cached === pending) cached = undefined;
    });
  }
  return cached;
}

/** A number that changes whenever a new snapshot replaces the cached one, so derived caches know to drop their entries. */
export function snapshotGeneration(): number {
  return generation;
}

/** Forgets the cached snapshot; the next call collects again. */
export function clearSnapshotCache(): void {
  cached = undefined;
  generation++;
}
