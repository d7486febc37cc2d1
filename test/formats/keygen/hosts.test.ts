/**
 * Keygen's formats on every host: the `licensekit/keygen` browser entry
 * (src/keygen.ts), bundled as an IIFE, verifies and decrypts Keygen files in
 * bare QuickJS (no crypto, TextEncoder, atob or Buffer: AES-GCM and SHA-256
 * are pure JavaScript), with the verdict Node gives; the `licensekit` browser
 * and IIFE bundles do not carry it (their 40 KiB budget).
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQuickJS } from 'quickjs-emscripten';
import { expect, test } from 'vitest';
import { verifyLicenseSync } from '../../../src/index.node.ts';
import { licenseDocument, machineDocument, makeKeygenFile, makeSignedKey, testKeys } from './make.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LK = 'QJS-LICENSE-KEY';
const FP = 'c'.repeat(64);

test('the licensekit/keygen IIFE verifies and decrypts Keygen files in bare QuickJS, as Node does', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'licensekit-keygen-iife-')), 'keygen.iife.js');
  await build({ entryPoints: [join(ROOT, 'src', 'keygen.ts')], bundle: true, outfile: out, platform: 'browser', format: 'iife', globalName: 'licensekit', minify: true, target: 'es2022', logLevel: 'silent' });
  const key = testKeys().ed25519.publicHex;
  const files = [
    makeKeygenFile(licenseDocument({ entitlements: ['PRO'], expiry: '2024-06-15T00:00:00.000Z' }), { encrypt: { licenseKey: LK } }),
    makeKeygenFile(machineDocument(FP, { maxMachines: 1 }), { kind: 'machine', encrypt: { licenseKey: LK, fingerprint: FP } }),
    makeKeygenFile(licenseDocument({ suspended: true }), { encrypt: null, signature: 'rsa-sha256' }),
    makeSignedKey('{"license":{"id":"Q1"}}'),
  ];
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  const vm = runtime.newContext();
  try {
    vm.unwrapResult(vm.evalCode(readFileSync(out, 'utf8'), 'keygen.iife.js')).dispose();
    for (const [i, file] of files.entries()) {
      const options = { key: i === 2 ? testKeys().rsa.publicPem : key, licenseKey: LK, fingerprint: FP, machineCode: i === 1 ? FP : undefined, requireFeatures: i === 0 ? ['PRO'] : [], now: '2024-07-01T00:00:00Z' };
      const handle = vm.unwrapResult(
        vm.evalCode(`(() => {
          const o = ${JSON.stringify(options)};
          const v = licensekit.verifyLicenseSync(${JSON.stringify(file)}, { ...o, now: new Date(o.now) });
          return JSON.stringify({ valid: v.valid, reasons: v.reasons, backend: v.backend, id: v.license && v.license.id, crypto: typeof crypto, te: typeof TextEncoder });
        })()`),
      );
      const got = JSON.parse(vm.getString(handle)) as { reasons: string[]; backend: string; id: string; crypto: string; te: string };
      handle.dispose();
      const node = verifyLicenseSync(file, { ...options, now: new Date(options.now) });
      expect(got).toMatchObject({ backend: 'purejs', crypto: 'undefined', te: 'undefined', reasons: node.reasons, id: node.license?.id });
    }
    // A wrong license key: the same typed error in QuickJS.
    const wrong = vm.unwrapResult(vm.evalCode(`(() => { try { licensekit.verifyLicenseSync(${JSON.stringify(files[0])}, { key: ${JSON.stringify(key)}, licenseKey: 'WRONG', now: new Date(0) }); return 'no error'; } catch (e) { return e.code; } })()`));
    expect(vm.getString(wrong)).toBe('ERR_LICENSE_KEY_WRONG');
    wrong.dispose();
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}, 120_000);

test('the licensekit browser and IIFE bundles do not carry Keygen (built by the global set-up or npm run build)', () => {
  for (const bundle of ['dist/licensekit.iife.js', 'dist/browser/index.js']) {
    const text = readFileSync(join(ROOT, bundle), 'utf8');
    expect(text).not.toContain('BEGIN MACHINE FILE');
  }
  expect(readFileSync(join(ROOT, 'dist/browser/keygen.js'), 'utf8')).toContain('BEGIN MACHINE FILE');
});
