/**
 * Cold start (issue 8 §5): what a game or a CLI that checks its license at
 * start-up pays, timed from outside as whole processes. Two scripts do the
 * same job: read a Cryptolens license (.skm) and the vendor's public key
 * (PEM), verify, print the verdict.
 *
 * - plain: about ten lines over node:crypto (JSON.parse, base64, crypto.verify,
 *   payload JSON.parse, the expiry check). The yardstick.
 * - licensekit: `import { verifyLicenseSync } from 'licensekit'`, resolved by
 *   package name as users do: the scripts are written to a temporary folder
 *   whose node_modules/licensekit links to this package, so Node takes the
 *   package.json "exports" to the BUILT dist/node/index.js (`npm run bench`
 *   builds first).
 *
 * Each process is started with child_process.spawn and timed from the spawn
 * to its exit; runs alternate plain, licensekit, plain, licensekit… after a
 * warm-up (the machine's speed drifts, and other work shares it), and each
 * row is the median. Both scripts must print the expected verdict, so a
 * broken path cannot look fast.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIXTURES_DIR } from '../scripts/make-fixtures.ts';
import type { BenchRow } from './harness.ts';

const GROUP = 'cold start: import + read + verify + print (whole process)';
/** The target: licensekit within this multiple of the plain script's wall time. */
export const COLD_START_TARGET = 1.15;

const LICENSE = join(FIXTURES_DIR, 'licenses', 'valid.skm');
const KEY = join(FIXTURES_DIR, 'keys', 'vendor-rsa2048.public.pem');
/** The fixtures' evaluation time (fixtures/licenses/manifest.json): valid.skm expires 2027-01-01. */
const NOW = '2026-06-01T00:00:00Z';

/** The yardstick: the least a script can do to check a Cryptolens license with node:crypto. */
const PLAIN = `import { readFileSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
const [licenseFile, keyFile, nowIso] = process.argv.slice(2);
const envelope = JSON.parse(readFileSync(licenseFile, 'utf8'));
const payload = Buffer.from(envelope.licenseKey, 'base64');
const signed = verify('sha256', payload, createPublicKey(readFileSync(keyFile)), Buffer.from(envelope.signature, 'base64'));
const license = JSON.parse(payload.toString('utf8'));
const valid = signed && license.Expires * 1000 > Date.parse(nowIso);
console.log(valid ? 'valid' : 'not valid');
`;

/** The same job with licensekit (every rule evaluated, every strictness check kept). */
const LICENSEKIT = `import { readFileSync } from 'node:fs';
import { verifyLicenseSync } from 'licensekit';
const [licenseFile, keyFile, nowIso] = process.argv.slice(2);
const verdict = verifyLicenseSync(readFileSync(licenseFile, 'utf8'), { key: readFileSync(keyFile, 'utf8'), now: new Date(nowIso) });
console.log(verdict.valid ? 'valid' : 'not valid: ' + verdict.reasons.join(', '));
`;

/** Wall time of one process, in ms; rejects unless it printed `expected` and exited 0. */
function timeProcess(script: string, cwd: string, expected: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [script, LICENSE, KEY, NOW], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0 || out.trim() !== expected) reject(new Error(`${script} exited ${code} and printed ${JSON.stringify(out.slice(0, 500))}`));
      else resolve(ms);
    });
  });
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What a cold-start run measured: every process's wall time, in run order. */
export interface ColdStartTimes {
  readonly plainMs: readonly number[];
  readonly licensekitMs: readonly number[];
}

/**
 * Runs `pairs` interleaved pairs (plain, then licensekit) after `warmup`
 * unmeasured pairs, against the package at `packageRoot` (built).
 */
export async function measureColdStart(packageRoot: string, pairs = 30, warmup = 3): Promise<ColdStartTimes> {
  const dir = mkdtempSync(join(tmpdir(), 'licensekit-cold-start-'));
  try {
    // A package of its own: `licensekit` is then the linked package in node_modules, not a self-reference.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cold-start', private: true, type: 'module' }));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(packageRoot, join(dir, 'node_modules', 'licensekit'), 'dir');
    writeFileSync(join(dir, 'plain.mjs'), PLAIN);
    writeFileSync(join(dir, 'licensekit.mjs'), LICENSEKIT);
    const plainMs: number[] = [];
    const licensekitMs: number[] = [];
    for (let i = 0; i < warmup + pairs; i++) {
      const plain = await timeProcess(join(dir, 'plain.mjs'), dir, 'valid');
      const licensekit = await timeProcess(join(dir, 'licensekit.mjs'), dir, 'valid');
      if (i >= warmup) {
        plainMs.push(plain);
        licensekitMs.push(licensekit);
      }
    }
    return { plainMs, licensekitMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Rows for the cold-start group, against the package at `packageRoot` (this
 * repository, built, by default): processes per second (1000 / median ms), so
 * the table's ratio column reads plain ÷ licensekit; the note gives the
 * medians and licensekit's time as a multiple of the plain script's.
 *
 * @example
 * ```ts
 * console.log(formatTable(await coldStartRows()));
 * ```
 */
export async function coldStartRows(packageRoot = dirname(FIXTURES_DIR)): Promise<BenchRow[]> {
  const { plainMs, licensekitMs } = await measureColdStart(packageRoot);
  const plain = median(plainMs);
  const licensekit = median(licensekitMs);
  const ratio = licensekit / plain;
  const pairRatio = median(licensekitMs.map((ms, i) => ms / plainMs[i]!));
  const verdict = ratio <= COLD_START_TARGET ? 'met' : 'NOT met';
  return [
    { group: GROUP, name: 'plain node:crypto script, ~10 lines (baseline)', opsPerSec: 1000 / plain, note: `processes/s; median ${plain.toFixed(1)} ms over ${plainMs.length} runs` },
    {
      group: GROUP,
      name: "import { verifyLicenseSync } from 'licensekit'",
      opsPerSec: 1000 / licensekit,
      note: `median ${licensekit.toFixed(1)} ms = ${ratio.toFixed(2)}x the plain script's time (median of pair ratios ${pairRatio.toFixed(2)}x); target <= ${COLD_START_TARGET}x: ${verdict}`,
    },
  ];
}
