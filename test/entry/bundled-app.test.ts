/**
 * An app that bundles licensekit's Node build (esbuild, `--platform=node`, as
 * the README's "TypeScript and bundlers" says), ESM and CommonJS output, run
 * from a folder with no node_modules anywhere above it: the parts Node's entry
 * loads on first use (dist/node/lazy/: Keygen's and NetLicensing's readers, the
 * pure-JS and WebCrypto backends, the worker pool) must be in the bundle, not
 * looked for beside it. Each is named by a literal `require()` or `import()` in
 * the built entry for that reason (scripts/build.mjs).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, expect, test } from 'vitest';
import { licenseDocument, makeKeygenFile, testKeys } from '../formats/keygen/make.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
// Where the app is built (node_modules/licensekit links to this repository, as an installed package would be)
// and, apart from it, where the bundle runs (no node_modules above it).
const source = mkdtempSync(join(tmpdir(), 'licensekit-bundled-app-src-'));
const work = mkdtempSync(join(tmpdir(), 'licensekit-bundled-app-'));
mkdirSync(join(source, 'node_modules'));
symlinkSync(root, join(source, 'node_modules', 'licensekit'), 'dir');
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(source, { recursive: true, force: true });
});

const APP = `
import { readFileSync } from 'node:fs';
import { verifyLicense, verifyLicenseSync, verifyLicenses, LicenseInputError, UnsupportedFormatError, LicenseKitError } from 'licensekit/node';
const i = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const now = new Date(i.now);
const out = {};
out.cryptolens = verifyLicenseSync(i.cryptolens, { key: i.cryptolensKey, now }).valid;
out.purejs = verifyLicenseSync(i.cryptolens, { key: i.cryptolensKey, now, backend: 'purejs' }).backend;
const k = verifyLicenseSync(i.keygen, { key: i.keygenKey, licenseKey: i.licenseKey, now });
out.keygen = [k.valid, k.format];
try { verifyLicenseSync('<license/>', { key: i.cryptolensKey, now }); out.xml = 'no error'; }
catch (e) { out.xml = [e.code, e instanceof LicenseKitError, e instanceof LicenseInputError || e instanceof UnsupportedFormatError]; }
Promise.all([verifyLicenses([i.cryptolens, i.cryptolens], { key: i.cryptolensKey, now }), verifyLicense(i.cryptolens, { key: i.cryptolensKey, now, backend: 'webcrypto' })]).then(([batch, web]) => {
  out.batch = batch.map((r) => r.ok && r.verdict.valid);
  out.webcrypto = [web.valid, web.backend];
  console.log(JSON.stringify(out));
});
`;

test.each(['esm', 'cjs'] as const)('an app bundled for Node (%s output) carries the lazy parts and verifies every format', async (format) => {
  const inputs = {
    cryptolens: readFileSync(join(root, 'fixtures', 'licenses', 'valid.skm'), 'utf8'),
    cryptolensKey: readFileSync(join(root, 'fixtures', 'keys', 'vendor-rsa2048.public.pem'), 'utf8'),
    keygen: makeKeygenFile(licenseDocument({ expiry: '2030-01-01T00:00:00.000Z' }), { encrypt: { licenseKey: 'BUNDLED-APP' } }),
    keygenKey: testKeys().ed25519.publicHex,
    licenseKey: 'BUNDLED-APP',
    now: '2026-06-01T00:00:00Z',
  };
  const dir = mkdtempSync(join(work, `${format}-`));
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify(inputs));
  // A customer's stand-ins beside the bundle, where an unbundled entry would look: the bundle must use the parts it carries.
  mkdirSync(join(dir, 'lazy'));
  for (const part of ['keygen', 'netlicensing', 'purejs', 'webcrypto']) writeFileSync(join(dir, 'lazy', `${part}.cjs`), `console.log('STAND-IN ${part} LOADED'); module.exports = {};`);
  const outfile = join(dir, format === 'esm' ? 'app.mjs' : 'app.cjs');
  // `licensekit/node` resolved as an installed package (its package.json "exports"); the bundle written where no node_modules is.
  await build({ stdin: { contents: APP, resolveDir: source, sourcefile: 'app.mjs', loader: 'js' }, bundle: true, platform: 'node', format, outfile, logLevel: 'silent' });
  const { stdout } = await run(process.execPath, [outfile, join(dir, 'inputs.json')], { cwd: dir });
  expect(stdout).not.toContain('STAND-IN');
  expect(JSON.parse(stdout)).toEqual({
    cryptolens: true,
    purejs: 'purejs',
    keygen: [true, 'keygen'],
    xml: [expect.any(String), true, true],
    batch: [true, true],
    webcrypto: [true, 'webcrypto'],
  });
}, 120_000);
