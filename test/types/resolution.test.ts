/**
 * The package's types resolve for a consumer under every moduleResolution
 * TypeScript offers for Node: node16, nodenext and bundler (with and without
 * the "node" custom condition), ESM and CommonJS. Each consumer is a tiny
 * project compiled by tsc against the BUILT package: its declarations are
 * built into a copy of the package (package.json + dist/types) under
 * test-results/, beside the bundles the global set-up built. A plain
 * JavaScript consumer then issues a license without naming a backend (the
 * issuer defaults to node:crypto) and verifies it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = join(root, 'test-results', 'types-consumers');
const pkg = join(work, 'node_modules', 'licensekit');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const run = promisify(execFile);

/**
 * Writes `files` (path → text) under `dir`, with a package.json of its own:
 * without one, the nearest package.json would be licensekit's, and Node and
 * TypeScript would resolve `licensekit` as a self-reference to the repository
 * instead of the copy in node_modules.
 */
function writeProject(dir: string, files: Record<string, string | object>): void {
  for (const [name, content] of Object.entries({ 'package.json': { name: 'consumer', private: true }, ...files })) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

/** Compiles a consumer project; resolves with tsc's output (empty when it type-checks). */
async function typecheck(dir: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return `${stdout}${stderr}` || String(error);
  }
}

/**
 * Strict options every consumer shares: a Node project (no DOM lib). Most
 * projects skip checking libraries (`skipLibCheck: true`); one test below
 * checks the package's own declarations as well.
 */
const strict = { strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', lib: ['ES2022'], types: ['node'] };

/** What a Node consumer does with each entry point. */
const nodeUse = (nodeEntry: string) => `
import { verifyLicense, isLicenseKitError, ERROR_CODES, type Verdict, type ErrorCode } from 'licensekit';
import { nodeBackend } from '${nodeEntry}';
import { machineCode, matchFingerprint } from 'licensekit/fingerprint';
import { generateVendorKeyPair, issueCryptolensLicense } from 'licensekit/issuer';

export async function roundTrip(): Promise<boolean> {
  const pair = await generateVendorKeyPair();
  const text: string = await issueCryptolensLicense({ productId: 1 }, { privateJwk: pair.privateJwk });
  const verdict: Verdict = await verifyLicense(text, { key: pair.publicKeyPem, now: new Date(), backend: nodeBackend });
  const code: string = await machineCode({ product: 'p' });
  const codes: ErrorCode[] = [ERROR_CODES.ERR_KEY_PRIVATE.error === 'KeyError' ? 'ERR_KEY_PRIVATE' : 'ERR_KEY_INVALID'];
  return verdict.valid && code.length > 0 && typeof matchFingerprint === 'function' && isLicenseKitError(null) === false && codes.length === 1;
}
`;

const cjsUse = `
import licensekit = require('licensekit');
import issuer = require('licensekit/issuer');
import fingerprint = require('licensekit/fingerprint');
export async function roundTrip(): Promise<boolean> {
  const pair = await issuer.generateVendorKeyPair();
  const text: string = await issuer.issueCryptolensLicense({ productId: 1 }, { privateJwk: pair.privateJwk });
  const verdict: licensekit.Verdict = licensekit.verifyLicenseSync(text, { key: pair.publicKeyPem, now: new Date(), backend: licensekit.nodeBackend });
  return verdict.valid && typeof fingerprint.machineCode === 'function';
}
`;

const CONSUMERS: Record<string, Record<string, string | object>> = {
  node16: {
    'package.json': { name: 'consumer', private: true, type: 'module' },
    'tsconfig.json': { compilerOptions: { ...strict, module: 'node16', moduleResolution: 'node16' }, files: ['esm.ts', 'cjs.cts'] },
    'esm.ts': nodeUse('licensekit'),
    'cjs.cts': cjsUse,
  },
  nodenext: {
    'package.json': { name: 'consumer', private: true, type: 'module' },
    'tsconfig.json': { compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.ts', 'cjs.cts'] },
    'esm.ts': nodeUse('licensekit'),
    'cjs.cts': cjsUse,
  },
  // A bundler build for Node, importing the Node entry by its explicit subpath.
  'bundler (licensekit/node)': {
    'tsconfig.json': { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler' }, files: ['index.ts'] },
    'index.ts': nodeUse('licensekit/node'),
  },
  // A bundler build for Node that tells TypeScript what its bundler is told: the "node" condition.
  'bundler (customConditions node)': {
    'tsconfig.json': { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', customConditions: ['node'] }, files: ['index.ts'] },
    'index.ts': nodeUse('licensekit'),
  },
  // A bundler build for a browser: the universal API, and no Node backend to import by mistake.
  'bundler (browser)': {
    'tsconfig.json': { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] }, files: ['index.ts'] },
    'index.ts': `
import { verifyLicense, webcryptoBackend, purejsBackend, ERROR_CODES, type Verdict } from 'licensekit';
// @ts-expect-error the browser entry has no node:crypto backend
import { nodeBackend } from 'licensekit';
export async function check(text: string, key: string): Promise<Verdict> {
  void nodeBackend;
  void ERROR_CODES;
  return verifyLicense(text, { key, now: new Date(), backend: webcryptoBackend.name === 'webcrypto' ? webcryptoBackend : purejsBackend });
}
`,
  },
};

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), readFileSync(join(root, 'package.json')));
  // The JavaScript bundles are the ones the global set-up built; the declarations are built here, into the copy.
  for (const part of ['node', 'browser']) symlinkSync(join(root, 'dist', part), join(pkg, 'dist', part), 'dir');
  const script = new URL('../../scripts/build.mjs', import.meta.url).href;
  const { buildTypes } = (await import(script)) as { buildTypes(outDir: string): Promise<void> };
  await buildTypes(join(pkg, 'dist', 'types'));
  for (const [name, files] of Object.entries(CONSUMERS)) writeProject(join(work, name.replace(/\W+/g, '-')), files);
}, 120_000);

describe('types of the built package', () => {
  test.each(Object.keys(CONSUMERS))('a %s consumer type-checks', async (name) => {
    expect(await typecheck(join(work, name.replace(/\W+/g, '-')))).toBe('');
  });

  test('the declarations themselves type-check in a Node project without the DOM lib (skipLibCheck: false)', async () => {
    const dir = join(work, 'declarations-checked');
    writeProject(dir, {
      'package.json': { name: 'consumer', private: true, type: 'module' },
      'tsconfig.json': { compilerOptions: { ...strict, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.ts', 'cjs.cts'] },
      'esm.ts': nodeUse('licensekit'),
      'cjs.cts': cjsUse,
    });
    expect(await typecheck(dir)).toBe('');
  });

  test('a bundler consumer without the "node" condition sees the browser types (why licensekit/node exists)', async () => {
    const dir = join(work, 'bundler-plain-node-import');
    writeProject(dir, {
      'tsconfig.json': { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler' }, files: ['index.ts'] },
      'index.ts': `import { nodeBackend } from 'licensekit';\nexport const b = nodeBackend;\n`,
    });
    expect(await typecheck(dir)).toMatch(/has no exported member named 'nodeBackend'|has no exported member 'nodeBackend'/);
  });
});

describe('the built issuer in plain JavaScript', () => {
  test('issues without a backend (node:crypto by default), and the license verifies', async () => {
    const dir = join(work, 'plain-js');
    writeProject(dir, {
      'issue.mjs': `
import { generateVendorKeyPair, issueCryptolensLicense } from 'licensekit/issuer';
import { verifyLicense } from 'licensekit/node';
const pair = await generateVendorKeyPair();
const text = await issueCryptolensLicense({ productId: 7, expires: new Date(Date.UTC(2100, 0, 1)) }, { privateJwk: pair.privateJwk, now: new Date(Date.UTC(2030, 0, 1)) });
const verdict = await verifyLicense(text, { key: pair.publicKeyPem, now: new Date(Date.UTC(2030, 0, 2)) });
console.log(JSON.stringify({ valid: verdict.valid, backend: verdict.backend }));
`,
    });
    const { stdout, stderr } = await run(process.execPath, ['issue.mjs'], { cwd: dir });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({ valid: true, backend: 'node' });
  });
});
