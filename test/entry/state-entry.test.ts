/**
 * `licensekit/state` (issue 9): the local state is a subpath of its own. It
 * resolves by package name for ESM and CommonJS consumers (with declarations
 * for each), activates and validates a license there, and the main entry does
 * not load it: `import 'licensekit'` stays as cold as before.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { issueNativeLicense, type NativeLicenseClaims } from '../../src/issuer/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const keyFile = (name: string) => join(root, 'fixtures', 'keys', name);

interface CheckBundles {
  staticClosure(meta: unknown, entry: string): Iterable<string>;
}

describe('licensekit/state by package name (the built package)', () => {
  const work = join(root, 'test-results', 'state-consumer');

  test('ESM import and CommonJS require resolve it; it activates (binding the HWID) and validates Whop-style with a MemoryStore', async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'node_modules'), { recursive: true });
    symlinkSync(root, join(work, 'node_modules', 'licensekit'), 'dir');
    // A package.json of its own, so `licensekit` is the copy in node_modules, not a self-reference.
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const claims = { product: 'acme-cad', key: 'AAAAA-BBBBB-CCCCC-DDDDD', id: Uint8Array.of(0xa1), expires: new Date('2027-06-01T00:00:00Z'), bindHwid: true } as NativeLicenseClaims;
    const privateJwk = JSON.parse(readFileSync(keyFile('vendor-ed25519.private.jwk.json'), 'utf8')) as Record<string, string>;
    writeFileSync(join(work, 'license.lic'), (await issueNativeLicense(claims, { privateJwk, now: new Date('2026-06-01T00:00:00Z') })).text);
    const body = `
const key = readFileSync(process.argv[2], 'utf8');
const state = await openState({ program: 'acme-cad', key, store: new MemoryStore(), machineCode: 'MACHINE-A', clockEvidence: false });
const day = (d) => new Date(Date.parse('2026-06-01T00:00:00Z') + d * 86400000);
const activated = await state.activate(readFileSync(process.argv[3], 'utf8'), { now: day(1), hwid: 'HWID-1' });
const same = await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: day(2), hwid: 'HWID-1' });
const other = await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: day(3), hwid: 'HWID-2' });
const unknown = await state.validate('ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ', { now: day(3) });
const pick = (r) => [r.outcome, r.status, r.reasons];
console.log(JSON.stringify({ activated: [activated.verdict.valid, activated.bound], same: pick(same), other: pick(other), unknown: pick(unknown), licenses: (await state.status()).licenses.length }));`;
    writeFileSync(join(work, 'esm.mjs'), `import { readFileSync } from 'node:fs';\nimport { MemoryStore, openState } from 'licensekit/state';\n${body}`);
    writeFileSync(join(work, 'cjs.cjs'), `const { readFileSync } = require('node:fs');\nconst { MemoryStore, openState } = require('licensekit/state');\n(async () => {${body}\n})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); });`);
    const expected = {
      activated: [true, ['hwid']],
      same: ['valid', 201, []],
      other: ['mismatch', 400, ['HWID_MISMATCH']],
      unknown: ['not-found', 404, []],
      licenses: 1,
    };
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const { stdout } = await run(process.execPath, [join(work, file), keyFile('vendor-ed25519.public.pem'), join(work, 'license.lic')], { cwd: work });
      expect(JSON.parse(stdout), file).toEqual(expected);
    }
  });

  test('under CommonJS, isLicenseKitError from licensekit recognises errors thrown by licensekit/state (each CJS entry bundles its own classes)', async () => {
    const code = `const { isLicenseKitError } = require('licensekit');
const { MemoryStore, openState } = require('licensekit/state');
(async () => {
  const state = await openState({ program: 'p', key: require('node:fs').readFileSync(process.argv[2], 'utf8'), store: new MemoryStore(), machineCode: 'M', clockEvidence: false });
  try { await state.importMessage('not a message'); } catch (e) { console.log(JSON.stringify([isLicenseKitError(e), e.code, e.name])); }
  console.log(JSON.stringify([isLicenseKitError(new Error('x')), isLicenseKitError({ code: 'ERR_X' })]));
})();`;
    writeFileSync(join(work, 'brand.cjs'), code);
    const { stdout } = await run(process.execPath, [join(work, 'brand.cjs'), keyFile('vendor-ed25519.public.pem')], { cwd: work });
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([[true, 'ERR_MESSAGE_INVALID', 'StateError'], [false, false]]);
  });

  test('package.json maps ./state to the built files and their declarations, like the other subpaths', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./state']).toEqual({
      import: { types: './dist/types/state/index.node.d.ts', default: './dist/node/state.js' },
      require: { types: './dist/types/state/index.node.d.cts', default: './dist/node/state.cjs' },
    });
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { files: string[] };
    expect(build.files).toContain('src/state/index.node.ts'); // so dist/types/state/index.node.d.ts is emitted
  });

  test('the main entry loads none of the state layer at import (it is built as its own entry)', async () => {
    const checks = (await import(new URL('../../scripts/check-bundles.mjs', import.meta.url).href)) as CheckBundles;
    type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };
    // Node's main entry is a build of its own (dist/meta/node.json); the other entries share chunks (node-entries.json).
    const meta = JSON.parse(readFileSync(join(root, 'dist', 'meta', 'node.json'), 'utf8')) as Meta;
    const entries = JSON.parse(readFileSync(join(root, 'dist', 'meta', 'node-entries.json'), 'utf8')) as Meta;
    expect(Object.keys(entries.outputs)).toContain('dist/node/state.js');
    const loaded = [...checks.staticClosure(meta, 'dist/node/index.js')].flatMap((out) => Object.keys(meta.outputs[out]!.inputs));
    expect(loaded.some((input) => input.startsWith('src/verify'))).toBe(true); // the scan sees the entry's own code
    expect(loaded.filter((input) => input.startsWith('src/state/'))).toEqual([]);
    const state = [...checks.staticClosure(entries, 'dist/node/state.js')].flatMap((out) => Object.keys(entries.outputs[out]!.inputs));
    expect(state).toContain('src/state/state.ts');
  });
});
