/**
 * The plugin-host bundle in a bare engine: QuickJS evaluates the real
 * dist/licensekit.iife.js (built by the globalSetup) with no crypto,
 * TextEncoder, TextDecoder, atob, Buffer, process or require, and the public
 * `licensekit.verifyLicense` gives every golden fixture its manifest verdict.
 * QuickJS promises settle only when the job queue is pumped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQuickJS, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR, type FixtureExpectation } from '../../scripts/make-fixtures.ts';

const ROOT = join(FIXTURES_DIR, '..');
const manifest = JSON.parse(readFileSync(join(FIXTURES_DIR, 'licenses', 'manifest.json'), 'utf8')) as FixtureExpectation[];
const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');

let runtime: QuickJSRuntime;
let vm: QuickJSContext;

/** Evaluates `expression` (a promise of a JSON-able value) in QuickJS, pumping jobs until it settles. */
function settle(expression: string): unknown {
  const setup = vm.evalCode(`globalThis.__r = undefined; Promise.resolve(${expression}).then(
      (v) => { globalThis.__r = { ok: JSON.stringify(v) }; },
      (e) => { globalThis.__r = { error: { name: e && e.name, code: e && e.code, message: String(e && e.message) } }; });`);
  vm.unwrapResult(setup).dispose();
  for (let i = 0; i < 100_000; i++) {
    runtime.executePendingJobs().unwrap();
    const handle = vm.unwrapResult(vm.evalCode('JSON.stringify(globalThis.__r === undefined ? null : globalThis.__r)'));
    const state = JSON.parse(vm.getString(handle)) as { ok?: string; error?: unknown } | null;
    handle.dispose();
    if (state === null) continue;
    if (state.error !== undefined) return { rejected: state.error };
    return JSON.parse(state.ok!);
  }
  throw new Error('the QuickJS promise never settled');
}

beforeAll(async () => {
  const QuickJS = await getQuickJS();
  runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(512 * 1024 * 1024);
  vm = runtime.newContext();
  const bundle = readFileSync(join(ROOT, 'dist', 'licensekit.iife.js'), 'utf8');
  vm.unwrapResult(vm.evalCode(bundle, 'licensekit.iife.js')).dispose();
});

afterAll(() => {
  vm?.dispose();
  runtime?.dispose();
});

describe('dist/licensekit.iife.js in QuickJS', () => {
  test('the host has none of the globals the bundle must not need, and the bundle defines `licensekit`', () => {
    const handle = vm.unwrapResult(
      vm.evalCode(`JSON.stringify([typeof crypto, typeof TextEncoder, typeof TextDecoder, typeof atob, typeof btoa, typeof Buffer, typeof process, typeof require,
        typeof licensekit.verifyLicense, typeof licensekit.verifyLicenses, typeof licensekit.importPublicKey])`),
    );
    expect(JSON.parse(vm.getString(handle))).toEqual([...Array(8).fill('undefined'), 'function', 'function', 'function']);
    handle.dispose();
  });

  test.each(manifest.map((m) => [m.file, m] as const))('%s: licensekit.verifyLicense gives the manifest verdict', (_, m) => {
    const args = JSON.stringify([read('licenses', m.file), { key: read('keys', m.key), ...m.options }, m.now]);
    const out = settle(`(async () => {
      const [text, options, now] = ${args};
      const v = await licensekit.verifyLicense(text, { ...options, now: new Date(now) });
      return { valid: v.valid, reasons: v.reasons, warnings: v.warnings, backend: v.backend, licensed: v.license !== null };
    })()`) as { valid: boolean; reasons: string[]; warnings: string[]; backend: string; licensed: boolean };
    expect(out.valid).toBe(m.valid);
    expect([...out.reasons].sort()).toEqual([...m.reasons].sort());
    expect(out.warnings).toEqual(m.warnings);
    expect(out.backend).toBe('purejs');
    expect(out.licensed).toBe(!m.reasons.includes('SIGNATURE_INVALID'));
  });

  test('an intact and a tampered license, and a batch with garbage, through the public API', () => {
    const args = JSON.stringify([read('licenses', 'valid.skm'), read('licenses', 'tampered-expires.skm'), read('keys', 'vendor-rsa2048.public.xml')]);
    const out = settle(`(async () => {
      const [valid, tampered, key] = ${args};
      const options = { key, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
      const batch = await licensekit.verifyLicenses([valid, 'not a license', tampered], options);
      return batch.map((r) => (r.ok ? [r.verdict.valid, r.verdict.reasons] : r.error.code));
    })()`);
    expect(out).toEqual([[true, []], 'ERR_INPUT_NOT_JSON', [false, ['SIGNATURE_INVALID']]]);
  });

  test('a crypto.subtle defined after the bundle loaded is never used: a tampered license stays SIGNATURE_INVALID', () => {
    const args = JSON.stringify([read('licenses', 'tampered-expires.skm'), read('keys', 'vendor-rsa2048.public.xml')]);
    const out = settle(`(async () => {
      const [tampered, key] = ${args};
      const yes = async () => true;
      globalThis.crypto = { subtle: { importKey: async () => ({}), verify: yes, sign: yes, generateKey: yes, exportKey: yes }, getRandomValues: (a) => a };
      try {
        const options = { key, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A' };
        const auto = await licensekit.verifyLicense(tampered, options);
        const forced = await licensekit.verifyLicense(tampered, { ...options, backend: 'webcrypto' }).then((v) => v.reasons, (e) => e.code);
        const batch = await licensekit.verifyLicenses([tampered], options);
        return { auto: [auto.valid, auto.reasons, auto.backend], forced, batch: batch[0].verdict.reasons };
      } finally {
        delete globalThis.crypto;
      }
    })()`);
    expect(out).toEqual({ auto: [false, ['SIGNATURE_INVALID'], 'purejs'], forced: 'ERR_BACKEND_UNAVAILABLE', batch: ['SIGNATURE_INVALID'] });
  });

  test('a bad key rejects with its typed error', () => {
    const out = settle(`licensekit.verifyLicense(${JSON.stringify(read('licenses', 'valid.skm'))}, { key: '<RSAKeyValue></RSAKeyValue>' })`);
    expect(out).toMatchObject({ rejected: { name: 'KeyError', code: 'ERR_KEY_INVALID' } });
  });
});
