/**
 * `npm run bench`: every benchmark in one run, printed as one Markdown table
 * with the machine and date, ready for bench/RESULTS.md.
 */
import { cpus, totalmem } from 'node:os';
import { backendRows } from './backends.ts';
import { batchRows } from './batch.ts';
import { bundleSizes, formatBundleTable } from './bundles.ts';
import { fingerprintRows } from './fingerprint.ts';
import { formatTable, type BenchRow } from './harness.ts';
import { verifyRows } from './verify.ts';

const rows: BenchRow[] = [];
const sections: [string, () => Promise<BenchRow[]>][] = [
  ['verify + evaluate', verifyRows],
  ['signature backends', backendRows],
  ['batch', batchRows],
  ['fingerprint', fingerprintRows],
];
for (const [name, run] of sections) {
  process.stderr.write(`[bench] ${name}…\n`);
  rows.push(...(await run()));
}
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(formatTable(rows));
console.log('\nBundles (npm run build):\n');
console.log(formatBundleTable(await bundleSizes()));
