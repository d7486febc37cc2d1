/**
 * Node's `licensekit` keeps Keygen's and NetLicensing's readers and the
 * WebCrypto and pure-JavaScript backends out of the file `import 'licensekit'`
 * compiles (issue 8 §5, cold start): each is built into dist/node/lazy/ and
 * loaded on first use (src/lazy/load.node.ts). On the built package, in a
 * fresh process, for ESM and CommonJS: nothing of them loads at import or for
 * a Cryptolens license; each loads when its file or backend first comes; the
 * verdicts are the sources' own; and an error thrown by a part's own copy of
 * the error classes is `instanceof` the entry's classes.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { verifyLicenseSync } from '../../src/index.node.ts';
import { licenseDocument, makeKeygenFile, testKeys } from '../formats/keygen/make.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'licensekit-lazy-parts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LICENSE_KEY = 'LAZY-PARTS-KEY';
const keygenFile = makeKeygenFile(licenseDocument({ entitlements: ['PRO'], expiry: '2030-01-01T00:00:00.000Z' }), { encrypt: { licenseKey: LICENSE_KEY } });
const inputs = {
  cryptolens: readFileSync(join(root, 'fixtures', 'licenses', 'valid.skm'), 'utf8'),
  cryptolensKey: readFileSync(join(root, 'fixtures', 'keys', 'vendor-rsa2048.public.xml'), 'utf8'),
  keygen: keygenFile,
  keygenKey: testKeys().ed25519.publicHex,
  licenseKey: LICENSE_KEY,
  now: '2026-06-01T00:00:00Z',
};
const inputFile = join(work, 'inputs.json');
writeFileSync(inputFile, JSON.stringify(inputs));

const PROBE = `
const { readFileSync } = require('node:fs');
const [entry, mode, inputFile] = process.argv.slice(1);
const i = JSON.parse(readFileSync(inputFile, 'utf8'));
const loaded = () => Object.keys(require.cache).filter((f) => f.includes('/dist/node/lazy/')).map((f) => f.replace(/.*\\/lazy\\//, '')).sort();
(async () => {
  const lk = mode === 'cjs' ? require(entry) : await import(entry);
  const out = { atImport: loaded() };
  const now = new Date(i.now);
  const c = lk.verifyLicenseSync(i.cryptolens, { key: i.cryptolensKey, now });
  out.cryptolens = { valid: c.valid, backend: c.backend, keyId: c.keyId, loaded: loaded() };
  const k = lk.verifyLicenseSync(i.keygen, { key: i.keygenKey, licenseKey: i.licenseKey, requireFeatures: ['PRO'], now });
  out.keygen = { valid: k.valid, reasons: k.reasons, format: k.format, id: k.license && k.license.id, loaded: loaded() };
  try { lk.verifyLicenseSync('<license/>', { key: i.cryptolensKey, now }); out.xml = 'no error'; }
  catch (e) { out.xml = { code: e.code, name: e.name, input: e instanceof lk.LicenseInputError, unsupported: e instanceof lk.UnsupportedFormatError, base: e instanceof lk.LicenseKitError, key: e instanceof lk.KeyError, typed: lk.isLicenseKitError(e), loaded: loaded() }; }
  try { lk.verifyLicenseSync(i.keygen, { key: i.keygenKey, licenseKey: 'WRONG', now }); out.wrongKey = 'no error'; }
  catch (e) { out.wrongKey = { code: e.code, input: e instanceof lk.LicenseInputError, option: e instanceof lk.OptionError }; }
  const p = lk.verifyLicenseSync(i.cryptolens, { key: i.cryptolensKey, now, backend: 'purejs' });
  out.purejs = { valid: p.valid, backend: p.backend, loaded: loaded() };
  const w = await lk.verifyLicense(i.cryptolens, { key: i.cryptolensKey, now, backend: 'webcrypto' });
  out.webcrypto = { valid: w.valid, backend: w.backend, loaded: loaded() };
  out.shapes = [lk.purejsBackend, lk.webcryptoBackend].map((b) => [b.name, typeof b.verifySync, typeof b.sign, typeof b.generateKeyPair, Object.isFrozen(b)]);
  out.formats = lk.FORMAT_ADAPTERS_WITH_KEYGEN.map((a) => a.name).concat(lk.netlicensingFormat.name);
  console.log(JSON.stringify(out));
})().catch((e) => console.log(JSON.stringify({ error: String((e && e.stack) || e) })));
`;

function expectedXmlError(): { code: string; name: string } {
  try {
    verifyLicenseSync('<license/>', { key: inputs.cryptolensKey, now: new Date(inputs.now) });
  } catch (e) {
    return { code: (e as { code: string }).code, name: (e as Error).name };
  }
  throw new Error('the sources accepted <license/>');
}

describe.each([
  ['dist/node/index.js', 'esm'],
  ['dist/node/index.cjs', 'cjs'],
] as const)('%s (%s): the lazy parts', (entry, mode) => {
  test('load only when used, verify as the sources do, and throw errors the entry recognises', async () => {
    const { stdout } = await run(process.execPath, ['-e', PROBE, join(root, entry), mode, inputFile], { cwd: root });
    const out = JSON.parse(stdout) as Record<string, any>;
    expect(out.error).toBeUndefined();
    expect(out.atImport).toEqual([]);
    // The key id (an RFC 7638 thumbprint): SHA-256 from node:crypto in the build (src/lib/sha2.node.ts), @noble/hashes' in the sources.
    const cryptolens = verifyLicenseSync(inputs.cryptolens, { key: inputs.cryptolensKey, now: new Date(inputs.now) });
    expect(out.cryptolens).toEqual({ valid: true, backend: 'node', keyId: cryptolens.keyId, loaded: [] });
    expect(cryptolens.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const source = verifyLicenseSync(keygenFile, { key: inputs.keygenKey, licenseKey: LICENSE_KEY, requireFeatures: ['PRO'], now: new Date(inputs.now) });
    expect(source.valid).toBe(true);
    expect(out.keygen).toEqual({ valid: true, reasons: [], format: 'keygen', id: source.license!.id, loaded: ['keygen.cjs'] });
    const xml = expectedXmlError();
    expect(out.xml).toMatchObject({ code: xml.code, name: xml.name, base: true, key: false, typed: true, loaded: ['keygen.cjs', 'netlicensing.cjs'] });
    // The part's error is an instance of the entry's class of its name, and of no other.
    expect(out.xml.input).toBe(xml.name === 'LicenseInputError');
    expect(out.xml.unsupported).toBe(xml.name === 'UnsupportedFormatError');
    expect(out.wrongKey).toEqual({ code: 'ERR_LICENSE_KEY_WRONG', input: true, option: false });
    expect(out.purejs).toEqual({ valid: true, backend: 'purejs', loaded: ['keygen.cjs', 'netlicensing.cjs', 'purejs.cjs'] });
    expect(out.webcrypto).toEqual({ valid: true, backend: 'webcrypto', loaded: ['keygen.cjs', 'netlicensing.cjs', 'purejs.cjs', 'webcrypto.cjs'] });
    expect(out.shapes).toEqual([
      // Frozen as the real ones are: the pure-JS backend is a plain object, WebCrypto's is frozen.
      ['purejs', 'function', 'function', 'function', false],
      ['webcrypto', 'undefined', 'function', 'function', true],
    ]);
    expect(out.formats).toEqual(['keygen', 'native', 'elsewhere', 'cryptolens', 'netlicensing']);
  }, 60_000);
});

test('the ESM entry makes its `require` on the first load: importing it does not set up import.meta (a third of a millisecond of a cold start)', async () => {
  const script = `const { verifyLicenseSync } = await import(${JSON.stringify(join(root, 'dist', 'node', 'index.js'))});
const seen = () => process.moduleLoadList.includes('NativeModule internal/modules/esm/initialize_import_meta');
const atImport = seen();
verifyLicenseSync(${JSON.stringify(keygenFile)}, { key: ${JSON.stringify(inputs.keygenKey)}, licenseKey: ${JSON.stringify(LICENSE_KEY)}, now: new Date(${JSON.stringify(inputs.now)}) });
console.log(JSON.stringify({ atImport, afterKeygen: seen() }));`;
  const out = JSON.parse((await run(process.execPath, ['--input-type=module', '-e', script], { cwd: work })).stdout) as Record<string, boolean>;
  expect(out).toEqual({ atImport: false, afterKeygen: true });
}, 60_000);

test('a part missing beside the entry is a typed error, and a global require (node -e) is never asked for it', async () => {
  // A copy of Node's entry without its NetLicensing part, and a customer's stand-in where a global require would look.
  const pkg = mkdtempSync(join(work, 'pkg-'));
  copyFileSync(join(root, 'dist', 'node', 'index.js'), join(pkg, 'index.js'));
  cpSync(join(root, 'dist', 'node', 'lazy'), join(pkg, 'lazy'), { recursive: true });
  rmSync(join(pkg, 'lazy', 'netlicensing.cjs'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ type: 'module' }));
  const cwd = mkdtempSync(join(work, 'cwd-'));
  mkdirSync(join(cwd, 'lazy'));
  writeFileSync(join(cwd, 'lazy', 'netlicensing.cjs'), "console.log('STAND-IN LOADED'); module.exports = { netlicensingFormat: { name: 'netlicensing', detect: () => true } };");
  const script = `import(${JSON.stringify(join(pkg, 'index.js'))}).then((lk) => {
  try { lk.inspectLicense('<license/>'); console.log(JSON.stringify('no error')); }
  catch (e) { console.log(JSON.stringify([typeof require, e.code, e.name, e instanceof lk.UnsupportedFormatError, /reinstall licensekit/.test(e.message)])); }
  // The parts that are there still load.
  console.log(JSON.stringify(lk.verifyLicenseSync(${JSON.stringify(inputs.cryptolens)}, { key: ${JSON.stringify(inputs.cryptolensKey)}, now: new Date(${JSON.stringify(inputs.now)}), backend: 'purejs' }).backend));
});`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd });
  expect(stdout).not.toContain('STAND-IN');
  const [refused, backend] = stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
  expect(refused).toEqual(['function', 'ERR_FORMAT_UNSUPPORTED', 'UnsupportedFormatError', true, true]);
  expect(backend).toBe('purejs');
}, 60_000);
