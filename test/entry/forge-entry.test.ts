/**
 * node-forge's backend lives in `licensekit/forge` (issue 8 §5): the main
 * entry no longer exports or imports it. By name, `backend: 'forge'` still
 * works for the async API (loaded on first use) and is refused with a typed
 * error by the sync API; the object from `licensekit/forge` works for both.
 * The subpath resolves by package name for ESM and CommonJS consumers, with
 * types for each.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { forgeBackend } from '../../src/index.forge.ts';
import { forgeBackend as forgeBackendModule } from '../../src/backends/forge.ts';
import * as nodeEntry from '../../src/index.node.ts';
import { ALGORITHMS, BackendError, isLicenseKitError, verifyLicense, verifyLicenseSync, type SignatureAlgorithm } from '../../src/index.node.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const read = (...p: string[]): string => readFileSync(join(root, 'fixtures', ...p), 'utf8');
const options = { key: read('keys', 'vendor-rsa2048.public.xml'), now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001 };
const valid = read('licenses', 'valid.skm');
const tampered = read('licenses', 'tampered-expires.skm');

describe('backend: forge from the main entry', () => {
  test('the main entry exports no forgeBackend; licensekit/forge exports the backend itself', () => {
    expect('forgeBackend' in nodeEntry).toBe(false);
    expect(forgeBackend).toBe(forgeBackendModule);
    expect(forgeBackend.name).toBe('forge');
  });

  test('verifyLicense by name loads node-forge and verifies as the backend object does', async () => {
    for (const text of [valid, tampered]) {
      const byName = await verifyLicense(text, { ...options, backend: 'forge' });
      const byObject = await verifyLicense(text, { ...options, backend: forgeBackend });
      expect([byName.valid, byName.reasons, byName.backend]).toEqual([byObject.valid, byObject.reasons, 'forge']);
    }
    expect((await verifyLicense(tampered, { ...options, backend: 'forge' })).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  test('verifyLicenseSync refuses it by name with ERR_BACKEND_ASYNC_ONLY, and verifies with the object', () => {
    let thrown: unknown;
    try {
      verifyLicenseSync(valid, { ...options, backend: 'forge' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackendError);
    expect(isLicenseKitError(thrown) && thrown.code).toBe('ERR_BACKEND_ASYNC_ONLY');
    const verdict = verifyLicenseSync(valid, { ...options, backend: forgeBackend });
    expect([verdict.valid, verdict.backend]).toEqual([true, 'forge']);
  });

  test('by name it claims every algorithm licensekit knows, which the reference implementation supports', () => {
    for (const algorithm of Object.keys(ALGORITHMS) as SignatureAlgorithm[]) expect(forgeBackend.supports(algorithm), algorithm).toBe(true);
  });
});

describe('node-forge failing to load', () => {
  afterEach(() => {
    vi.doUnmock('../../src/backends/forge.ts');
    vi.resetModules();
  });

  test('is a typed ERR_BACKEND_UNAVAILABLE, never a SIGNATURE_INVALID verdict', async () => {
    vi.resetModules();
    vi.doMock('../../src/backends/forge.ts', () => {
      throw new Error('Cannot find package node-forge');
    });
    const fresh = await import('../../src/index.node.ts');
    const outcome = await fresh.verifyLicense(valid, { ...options, backend: 'forge' }).then(
      (verdict) => ({ verdict: verdict.reasons }),
      (error: unknown) => ({ code: fresh.isLicenseKitError(error) ? error.code : String(error) }),
    );
    expect(outcome).toEqual({ code: 'ERR_BACKEND_UNAVAILABLE' });
    // The node:crypto default is not affected.
    expect((await fresh.verifyLicense(valid, options)).valid).toBe(true);
  });
});

describe('licensekit/forge by package name (the built package)', () => {
  const work = join(root, 'test-results', 'forge-consumer');

  test('ESM import and CommonJS require resolve it, and it verifies synchronously', async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'node_modules'), { recursive: true });
    symlinkSync(root, join(work, 'node_modules', 'licensekit'), 'dir');
    // A package.json of its own, so `licensekit` is the copy in node_modules, not a self-reference.
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const use = (load: string) => `${load}
const { readFileSync } = require('node:fs');
const options = { key: readFileSync(process.argv[2], 'utf8'), now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', backend: forgeBackend };
const out = [readFileSync(process.argv[3], 'utf8'), readFileSync(process.argv[4], 'utf8')].map((t) => verifyLicenseSync(t, options)).map((v) => [v.valid, v.reasons, v.backend]);
console.log(JSON.stringify(out));`;
    writeFileSync(join(work, 'esm.mjs'), use(`import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\nimport { verifyLicenseSync } from 'licensekit';\nimport { forgeBackend } from 'licensekit/forge';`).replace("const { readFileSync } = require('node:fs');", "import { readFileSync } from 'node:fs';"));
    writeFileSync(join(work, 'cjs.cjs'), use(`const { verifyLicenseSync } = require('licensekit');\nconst { forgeBackend } = require('licensekit/forge');`));
    const args = [join(root, 'fixtures', 'keys', 'vendor-rsa2048.public.xml'), join(root, 'fixtures', 'licenses', 'valid.skm'), join(root, 'fixtures', 'licenses', 'tampered-expires.skm')];
    const expected = [
      [true, [], 'forge'],
      [false, ['SIGNATURE_INVALID'], 'forge'],
    ];
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const { stdout } = await run(process.execPath, [join(work, file), ...args], { cwd: work });
      expect(JSON.parse(stdout), file).toEqual(expected);
    }
  });

  test('package.json maps ./forge to the built files and their declarations, like the other subpaths', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./forge']).toEqual({
      import: { types: './dist/types/index.forge.d.ts', default: './dist/node/forge.js' },
      require: { types: './dist/types/index.forge.d.cts', default: './dist/node/forge.cjs' },
    });
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { files: string[] };
    expect(build.files).toContain('src/index.forge.ts'); // so dist/types/index.forge.d.ts is emitted
  });
});
