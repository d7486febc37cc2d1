/**
 * Fingerprint benchmarks: systeminformation reading the same components (the
 * baseline), a cold licensekit fingerprint (cache cleared before every run) and
 * a warm one (cached in the process). The cold row also reports the longest
 * event-loop stall seen while collecting.
 *
 * Standalone: `npx esbuild bench/fingerprint.ts --bundle --platform=node --format=esm --packages=external --outfile=bench-fp.mjs && node bench-fp.mjs`
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { clearFingerprintCache, fingerprint } from '../src/fingerprint/index.ts';
import { formatTable, measureAsync, type BenchRow } from './harness.ts';

const PRODUCT = 'bench-product';

function ms(opsPerSec: number): string {
  const value = 1000 / opsPerSec;
  return value >= 1 ? `${value.toFixed(1)} ms` : `${value.toFixed(4)} ms`;
}

/** Reads the fingerprint components with systeminformation, as an application would without licensekit. */
async function systeminformationComponents(): Promise<unknown> {
  const module = (await import('systeminformation')) as typeof import('systeminformation') & { default?: typeof import('systeminformation') };
  const si = module.default ?? module;
  return Promise.all([si.system(), si.baseboard(), si.uuid(), si.diskLayout(), si.networkInterfaces(), si.cpu()]);
}

/** The fingerprint rows for the main bench table. */
export async function fingerprintRows(): Promise<BenchRow[]> {
  const group = `fingerprint (${process.platform})`;
  const baseline = await measureAsync(systeminformationComponents, 2000);

  const cold = await measureAsync(() => {
    clearFingerprintCache();
    return fingerprint({ product: PRODUCT });
  }, 1000);

  // Event-loop stalls, per isolated cold call (back-to-back calls would measure the loop's own load):
  // the longest delay the loop saw during each call and a short settle after it, over 30 calls.
  const stalls: number[] = [];
  for (let i = 0; i < 30; i++) {
    clearFingerprintCache();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await fingerprint({ product: PRODUCT });
    await new Promise((resolve) => setTimeout(resolve, 20));
    delay.disable();
    stalls.push(delay.max / 1e6);
  }
  stalls.sort((a, b) => a - b);
  const stallMedian = stalls[15]!;
  const stallP90 = stalls[27]!;
  // The same monitor on an idle loop: on a shared machine, scheduling noise alone stalls a few ms.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 500));
  idle.disable();
  const idleMs = idle.max / 1e6;

  await fingerprint({ product: PRODUCT });
  const warm = await measureAsync(() => fingerprint({ product: PRODUCT }), 600);

  return [
    { group, name: 'systeminformation, same components (baseline)', opsPerSec: baseline, note: `${ms(baseline)} per read` },
    { group, name: 'licensekit fingerprint, cold', opsPerSec: cold, note: `cold <= 25 ms; measured ${ms(cold)}; event-loop stall per call median ${stallMedian.toFixed(1)} ms, p90 ${stallP90.toFixed(1)} ms (idle loop max ${idleMs.toFixed(1)} ms)` },
    { group, name: 'licensekit fingerprint, warm (cached)', opsPerSec: warm, note: `warm <= 0.1 ms; measured ${ms(warm)}` },
  ];
}

if (process.argv[1] !== undefined && /bench-fp|fingerprint\.[cm]?js$/.test(process.argv[1])) {
  console.log(formatTable(await fingerprintRows()));
}
