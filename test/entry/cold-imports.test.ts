/**
 * What `import 'licensekit'` loads before any call (issue 8 §5, cold start):
 * no node-forge (its own entry, `licensekit/forge`, or loaded on first use by
 * `backend: 'forge'`), no worker-thread pool (loaded by the first batch) and
 * no @noble package from node_modules (bundled into dist/node). Checked on the
 * bundles the global set-up built, statically (the esbuild metafile) and in a
 * fresh Node process for ESM and CommonJS, which also shows the lazy parts
 * load when they are used.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test, vi } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const fixture = (...p: string[]): string => join(root, 'fixtures', ...p);

interface CheckBundles {
  scanNodeMetafile(meta: unknown, entry?: string): string[];
}
const checks = (await import(new URL('../../scripts/check-bundles.mjs', import.meta.url).href)) as CheckBundles;

/**
 * A child process that loads the built Node entry (ESM `import()` or CJS
 * `require`) and reports what is loaded after each step: node-forge files in
 * the CommonJS cache (node-forge is CommonJS, also when imported from ESM),
 * @noble files there, and whether Node loaded `worker_threads`.
 */
const PROBE = `
const { readFileSync } = require('node:fs');
const [entry, mode, licenseFile, keyFile] = process.argv.slice(1);
const loaded = () => {
  const files = Object.keys(require.cache);
  return {
    forge: files.filter((f) => f.includes('/node_modules/node-forge/')).length,
    noble: files.filter((f) => f.includes('/node_modules/@noble/')).length,
    workerThreads: process.moduleLoadList.includes('NativeModule worker_threads'),
  };
};
(async () => {
  const lk = mode === 'esm' ? await import(entry) : require(entry);
  const atImport = loaded();
  const options = { key: readFileSync(keyFile, 'utf8'), now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
  const text = readFileSync(licenseFile, 'utf8');
  const sync = lk.verifyLicenseSync(text, options);
  const afterSyncVerify = loaded();
  const forged = await lk.verifyLicense(text, { ...options, backend: 'forge' });
  const afterForge = loaded();
  const batch = await lk.verifyLicenses([text], options);
  const afterBatch = loaded();
  console.log(JSON.stringify({ atImport, afterSyncVerify, afterForge, afterBatch, verdicts: [sync.valid, sync.backend, forged.valid, forged.backend, batch[0].ok && batch[0].verdict.valid] }));
})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); });
`;

async function probe(entry: string, mode: 'esm' | 'cjs', nodeFlags: string[] = []): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [...nodeFlags, '-e', PROBE, join(root, entry), mode, fixture('licenses', 'valid.skm'), fixture('keys', 'vendor-rsa2048.public.xml')], { cwd: root });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const nothing = { forge: 0, noble: 0, workerThreads: false };

describe('import of the built Node entry', () => {
  test('the metafile check passes on dist/node (no node-forge, worker pool or node:worker_threads in the static imports)', () => {
    const meta = JSON.parse(readFileSync(join(root, 'dist', 'meta', 'node.json'), 'utf8')) as unknown;
    expect(checks.scanNodeMetafile(meta)).toEqual([]);
  });

  test('the metafile check fails on an entry that imports node-forge or the pool statically (so it can fail)', () => {
    const meta = {
      inputs: { 'src/index.node.ts': {}, 'src/backends/forge.ts': {}, 'node_modules/cbor-x/index.js': {} },
      outputs: {
        'dist/node/index.js': { inputs: { 'src/index.node.ts': {}, 'node_modules/@noble/ciphers/aes.js': {} }, imports: [{ path: 'dist/node/chunks/c.js', kind: 'import-statement' }, { path: 'dist/node/chunks/lazy.js', kind: 'dynamic-import' }] },
        'dist/node/chunks/c.js': { inputs: { 'src/backends/forge.ts': {} }, imports: [{ path: 'node-forge', kind: 'import-statement', external: true }, { path: 'node:worker_threads', kind: 'import-statement', external: true }] },
        'dist/node/chunks/lazy.js': { inputs: { 'src/backends/node-parallel.ts': {} }, imports: [] },
      },
    };
    const problems = checks.scanNodeMetafile(meta);
    expect(problems.some((p) => p.includes('loads src/backends/forge.ts'))).toBe(true);
    expect(problems.some((p) => p.includes('imports node-forge'))).toBe(true);
    expect(problems.some((p) => p.includes('imports node:worker_threads'))).toBe(true);
    expect(problems.some((p) => p.includes('bundles node_modules/cbor-x'))).toBe(true);
    expect(problems.some((p) => p.includes('loads node_modules/@noble/ciphers/aes.js'))).toBe(true); // its AES tables cost ~12 ms at load
    expect(problems.some((p) => p.includes('node-parallel'))).toBe(false); // reached only by import()
  });

  test('the metafile check fails on an entry that compiles a lazy part at import (Keygen, NetLicensing, WebCrypto, pure JS)', () => {
    const eager = ['src/formats/keygen/envelope.ts', 'src/formats/netlicensing/xml.ts', 'src/backends/purejs/rsa.ts', 'src/backends/webcrypto.ts', 'node_modules/@noble/ed25519/index.js'];
    const kept = ['src/formats/keygen/detect.ts', 'src/formats/netlicensing/detect.ts', 'src/formats/netlicensing/claims.ts', 'src/index.node.ts'];
    const inputs = Object.fromEntries([...eager, ...kept].map((i) => [i, {}]));
    const meta = { inputs, outputs: { 'dist/node/index.js': { inputs, imports: [] } } };
    const problems = checks.scanNodeMetafile(meta);
    for (const input of eager) expect(problems.some((p) => p.includes(`loads ${input}`))).toBe(true);
    for (const input of kept) expect(problems.some((p) => p.includes(`loads ${input}`))).toBe(false);
  });

  test.each([
    ['dist/node/index.js', 'esm'],
    ['dist/node/index.cjs', 'cjs'],
  ] as const)('%s (%s) loads node-forge and the worker pool only when they are used', async (entry, mode) => {
    const out = await probe(entry, mode);
    expect(out.error).toBeUndefined();
    expect(out.atImport).toEqual(nothing);
    expect(out.afterSyncVerify).toEqual(nothing);
    expect(out.verdicts).toEqual([true, 'node', true, 'forge', true]);
    // The positive controls: the probe does see node-forge and worker_threads once they are loaded.
    expect((out.afterForge as typeof nothing).forge).toBeGreaterThan(10);
    expect((out.afterForge as typeof nothing).workerThreads).toBe(false);
    expect((out.afterBatch as typeof nothing).workerThreads).toBe(true);
  });

  test('require() of the CJS entry works where Node cannot require ES modules (@noble is bundled, not required)', async () => {
    const out = await probe('dist/node/index.cjs', 'cjs', ['--no-experimental-require-module']);
    expect(out.error).toBeUndefined();
    expect(out.atImport).toEqual(nothing);
    expect(out.verdicts).toEqual([true, 'node', true, 'forge', true]);
  });
});

describe('the worker-thread pool failing to load (it is imported by the first batch)', () => {
  afterEach(() => {
    vi.doUnmock('../../src/backends/node-parallel.ts');
    vi.resetModules();
  });

  test('each batch item is a typed ERR_BACKEND_UNAVAILABLE, never a SIGNATURE_INVALID verdict', async () => {
    vi.resetModules();
    vi.doMock('../../src/backends/node-parallel.ts', () => {
      throw new Error('worker_threads unavailable');
    });
    const fresh = await import('../../src/index.node.ts');
    const options = { key: readFileSync(fixture('keys', 'vendor-rsa2048.public.xml'), 'utf8'), now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
    const text = readFileSync(fixture('licenses', 'valid.skm'), 'utf8');
    const results = await fresh.verifyLicenses([text, text], options);
    expect(results.map((r) => (r.ok ? r.verdict.reasons : r.error.code))).toEqual(['ERR_BACKEND_UNAVAILABLE', 'ERR_BACKEND_UNAVAILABLE']);
    expect(fresh.verifyLicenseSync(text, options).valid).toBe(true); // single verifications never need the pool
  });
});
