/**
 * A tiny benchmark harness: fixtures are built by the caller outside the timed
 * region; each row runs its function in batches until a time budget is spent
 * and reports operations per second. A sink keeps results observable so the
 * engine cannot optimise the work away.
 */

/** One measured row of the results table. */
export interface BenchRow {
  /** Group the row belongs to (e.g. "verify RSA-2048"). */
  readonly group: string;
  /** What was measured (e.g. "licensekit verify+evaluate (node)"). */
  readonly name: string;
  /** Operations per second. */
  readonly opsPerSec: number;
  /** Optional target text, e.g. ">= 0.8x raw crypto.verify". */
  readonly note?: string;
}

/** Values written by benchmarks so work is never dead code. */
export const sink: { value: unknown } = { value: undefined };

/** Measures a synchronous function: returns operations per second. */
export function measureSync(fn: () => unknown, budgetMs = 600, batch = 64): number {
  for (let i = 0; i < Math.max(8, batch); i++) sink.value = fn(); // warm-up
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < batch; i++) sink.value = fn();
    ops += batch;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

/** Measures an async function run `concurrency` at a time: returns operations per second. */
export async function measureAsync(fn: () => Promise<unknown>, budgetMs = 600, concurrency = 1): Promise<number> {
  for (let i = 0; i < 8; i++) sink.value = await fn();
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < concurrency; i++) batch.push(fn());
    sink.value = await Promise.all(batch);
    ops += concurrency;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

/** Formats rows as a Markdown table with a ratio against the first row of each group. */
export function formatTable(rows: readonly BenchRow[]): string {
  const out = ['| group | measurement | ops/s | ratio to group baseline | target |', '|---|---|---:|---:|---|'];
  const baseline = new Map<string, number>();
  for (const row of rows) {
    if (!baseline.has(row.group)) baseline.set(row.group, row.opsPerSec);
    const ratio = row.opsPerSec / baseline.get(row.group)!;
    out.push(`| ${row.group} | ${row.name} | ${formatOps(row.opsPerSec)} | ${ratio.toFixed(2)}x | ${row.note ?? ''} |`);
  }
  return out.join('\n');
}

/** Formats an operations-per-second figure with thousands separators. */
export function formatOps(ops: number): string {
  return ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toFixed(1);
}
