// Cold start (issue 8 §5): the functions a start-up verification runs, compiled
// as the entry loads rather than on their first call.
//
// V8 compiles a function lazily: when a module loads it only pre-parses the
// function, and the first call parses it again in full and makes its bytecode.
// A start-up check calls about a hundred and seventy of the main entry's
// functions once each, so it paid for two parses of each. V8 compiles a
// function wrapped in parentheses at once (its "PIFE" heuristic, meant for
// functions called immediately), in one parse. This step:
//
// 1. runs the built entry once, in a child process with V8's function-event
//    log, over representative start-up verifications (Cryptolens and native
//    licenses, keys as PEM, XML, JWK and binary input);
// 2. finds the top-level function declarations that ran, and rewrites each
//    `function f(…) {…}` as `var f = (function f(…) {…});`;
// 3. runs the same verifications on the rewritten file and requires the same
//    verdicts, and that it still loads (a rewritten function is no longer
//    hoisted: one called during the module's own evaluation before its line
//    would fail here, not at a user's).
//
// Measured on 2026-12-02 (Node 20.20, 2 × EPYC): the first verifyLicenseSync
// went from 5.2 to 2.8 ms and the import from 12.8 to 11.4 ms (25 interleaved
// runs each).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** What the child runs: the start-up verifications, printing their verdicts. */
const TRAINING = `
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const [file, mode, fixtures] = process.argv.slice(1);
(async () => {
  const lk = mode === 'esm' ? await import(file) : require(file);
  const read = (...p) => readFileSync(join(fixtures, ...p));
  const now = new Date('2026-06-01T00:00:00Z');
  const out = [];
  const run = (input, key, extra) => {
    const v = lk.verifyLicenseSync(input, { key, now, ...extra });
    out.push([v.valid, v.reasons, v.warnings, v.format, v.keyId, v.license && v.license.id]);
  };
  const cryptolens = read('licenses', 'valid.skm').toString();
  run(cryptolens, read('keys', 'vendor-rsa2048.public.pem').toString(), { machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] });
  run(cryptolens, read('keys', 'vendor-rsa2048.public.xml').toString(), {});
  run(read('licenses', 'native', 'valid.lic').toString(), read('keys', 'vendor-ed25519.public.pem').toString(), {});
  run(new Uint8Array(read('licenses', 'native', 'valid-binary.lic')), JSON.parse(read('keys', 'vendor-ed25519.public.jwk.json').toString()), {});
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Runs `training` on `file`; with `log`, under V8's function-event log. Returns what it printed. */
function train(training, file, format, fixtures, log, stage) {
  const flags = log ? ['--log-function-events', `--logfile=${log}`, '--no-logfile-per-isolate'] : [];
  const child = spawnSync(process.execPath, [...flags, '-e', training, file, format, fixtures], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`eager-compile: the training run of ${file} ${stage} failed: ${child.stderr}`);
  return child.stdout.trim();
}

/** Offsets (into the file's text) where the functions that ran start, from V8's log. */
function ranFunctions(log, file) {
  const scripts = new Map();
  const starts = new Set();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const p = line.split(',');
    if (p[0] === 'script-details' && p[2] && p[2].endsWith(file.replace(/\\/g, '/'))) scripts.set(p[1], true);
    else if (p[0] === 'function' && p[1] === 'first-execution' && scripts.has(p[2])) starts.add(Number(p[3]));
  }
  return [...starts].sort((a, b) => a - b);
}

/**
 * Rewrites the top-level function declarations of the built Node entry at
 * `file` (`format` 'esm' or 'cjs') that a start-up verification runs, so V8
 * compiles them as the file loads. `training` is the script the child runs
 * (`-e`, with the file, the format and `fixtures` as arguments; by default the
 * start-up verifications above); what it prints must not change. Returns the
 * names rewritten.
 */
export function eagerCompileHot(file, format, fixtures, training = TRAINING) {
  const ts = require('typescript');
  const dir = mkdtempSync(join(tmpdir(), 'licensekit-eager-'));
  try {
    const log = join(dir, 'v8.log');
    const before = train(training, file, format, fixtures, log, 'as built');
    const ran = ranFunctions(log, file);
    if (ran.length === 0) throw new Error(`eager-compile: V8's log names no function of ${file} (did the log format change?)`);
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const rewrites = [];
    for (const statement of source.statements) {
      if (!ts.isFunctionDeclaration(statement) || !statement.name || !statement.body) continue;
      const start = statement.getStart(source);
      const bodyStart = statement.body.getStart(source);
      // V8 logs a function where its parameters begin: between the declaration's start and its body.
      if (ran.some((at) => at >= start && at <= bodyStart)) rewrites.push({ start, end: statement.end, name: statement.name.text });
    }
    let out = text;
    for (const { start, end, name } of rewrites.reverse()) out = `${out.slice(0, start)}var ${name}=(${out.slice(start, end)});${out.slice(end)}`;
    writeFileSync(file, out);
    const after = train(training, file, format, fixtures, null, 'once rewritten');
    if (after !== before) throw new Error(`eager-compile: ${file} verifies differently once rewritten:\n${before}\n${after}`);
    return rewrites.map((r) => r.name).reverse();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
