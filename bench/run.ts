/**
 * `npm run bench`: every benchmark in one run, printed as one Markdown table
 * with the machine and date, ready for bench/RESULTS.md. Arguments, if any,
 * keep only the sections whose name contains one of them
 * (`npm run bench -- "cold start"`); the bundle table is printed by a full run.
 */
import { cpus, totalmem } from 'node:os';
import { backendRows } from './backends.ts';
import { batchRows } from './batch.ts';
import { bundleSizes, formatBundleTable } from './bundles.ts';
import { coldStartRows } from './cold-start.ts';
import { fingerprintRows } from './fingerprint.ts';
import { formatTable, type BenchRow } from './harness.ts';
import { verifyRows } from './verify.ts';

const rows: BenchRow[] = [];
const sections: [string, () => Promise<BenchRow[]>][] = [
  // First: whole processes, timed before this one has started worker threads or grown its heap.
  ['cold start', () => coldStartRows()],
  ['verify + evaluate', verifyRows],
  ['signature backends', backendRows],
  ['batch', batchRows],
  ['fingerprint', fingerprintRows],
];
const only = process.argv.slice(2);
for (const [name, run] of sections) {
  if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
  process.stderr.write(`[bench] ${name}…\n`);
  rows.push(...(await run()));
}
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(formatTable(rows));
if (only.length === 0) {
  console.log('\nBundles (npm run build):\n');
  console.log(formatBundleTable(await bundleSizes()));
}
