/**
 * The plugin-host bundle in a bare engine: QuickJS evaluates the real
 * dist/licensekit.iife.js (built by the globalSetup) with no crypto,
 * TextEncoder, TextDecoder, atob, Buffer, process or require, and the public
 * `licensekit.verifyLicense` gives every golden fixture its manifest verdict
 * (Cryptolens and native; binary native licenses are passed as Uint8Array, and
 * an entry that expects a typed error gets it). Native licenses go through the
 * bundle's own base64 and strict UTF-8 readers here, since the host has
 * neither atob nor TextDecoder. QuickJS promises settle only when the job
 * queue is pumped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQuickJS, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR, readFixtureLicense, readManifests } from '../../scripts/make-fixtures.ts';
import { isLicenseKitError, verifyLicenseSync } from '../../src/index.node.ts';

const ROOT = join(FIXTURES_DIR, '..');
const manifest = readManifests();
const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
/** A license as JSON can carry it into QuickJS: text, or `{ bytes: [...] }` that the script turns into a Uint8Array. */
const carried = (input: string | Uint8Array): string | { bytes: number[] } => (typeof input === 'string' ? input : { bytes: Array.from(input) });
/** Script text: the carried license back as a string or a Uint8Array. */
const UNCARRY = `const uncarry = (x) => (typeof x === 'string' ? x : new Uint8Array(x.bytes));`;

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
    const args = JSON.stringify([carried(readFixtureLicense(m)), { key: read('keys', m.key), ...m.options }, m.now]);
    const out = settle(`(async () => {
      ${UNCARRY}
      const [license, options, now] = ${args};
      const input = uncarry(license);
      const v = await licensekit.verifyLicense(input, { ...options, now: new Date(now) });
      return { valid: v.valid, reasons: v.reasons, warnings: v.warnings, backend: v.backend, licensed: v.license !== null, format: v.format, binary: input instanceof Uint8Array };
    })()`) as { valid: boolean; reasons: string[]; warnings: string[]; backend: string; licensed: boolean; format: string; binary: boolean; rejected?: { code: string } };
    if (m.error !== undefined) {
      expect(out).toMatchObject({ rejected: { code: m.error } });
      return;
    }
    expect(out.rejected).toBeUndefined();
    expect(out.binary).toBe(m.binary === true);
    expect(out.format).toBe(m.file.startsWith('native/') ? 'native' : 'cryptolens');
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

  test('native licenses: armoured text, its UTF-8 bytes and the binary file, intact and tampered, one by one and in a batch', () => {
    const entry = (file: string) => manifest.find((m) => m.file === file)!;
    const valid = entry('native/valid.lic');
    const armoured = readFixtureLicense(valid) as string;
    const inputs = [armoured, new TextEncoder().encode(armoured), readFixtureLicense(entry('native/valid-binary.lic')), readFixtureLicense(entry('native/tampered.lic')), readFixtureLicense(entry('native/tampered-binary.lic'))];
    const args = JSON.stringify([inputs.map(carried), { key: read('keys', valid.key), ...valid.options }, valid.now]);
    const out = settle(`(async () => {
      ${UNCARRY}
      const [licenses, options, now] = ${args};
      const all = { ...options, now: new Date(now) };
      const one = [];
      for (const l of licenses) {
        const v = await licensekit.verifyLicense(uncarry(l), all);
        one.push([v.valid, v.reasons, v.format, v.algorithm, v.license && v.license.key, v.license && v.license.entitlements]);
      }
      const batch = await licensekit.verifyLicenses(licenses.map(uncarry), all);
      return { one, batch: batch.map((r) => (r.ok ? [r.verdict.valid, r.verdict.reasons] : r.error.code)) };
    })()`);
    const intact = [true, [], 'native', 'EdDSA', 'ABCDE-FGHIJ-KLMNO-PQRST', ['Pro', 'Cloud']];
    const tampered = [false, ['SIGNATURE_INVALID'], 'native', 'EdDSA', null, null];
    expect(out).toEqual({ one: [intact, intact, intact, tampered, tampered], batch: [[true, []], [true, []], [true, []], [false, ['SIGNATURE_INVALID']], [false, ['SIGNATURE_INVALID']]] });
  });

  /** The armour with the character before its `=` padding raised by one: same bytes to a lax decoder, refused by a strict one. */
  const nonCanonical = (armoured: string): string => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const at = armoured.indexOf('=\n') - 1;
    expect(ALPHABET.indexOf(armoured[at]!) % 4).toBe(0); // one padding character: the last 2 bits of this one are padding
    return armoured.slice(0, at) + ALPHABET[ALPHABET.indexOf(armoured[at]!) + 1] + armoured.slice(at + 1);
  };

  test('bad native input gives the same typed errors without TextDecoder or atob as under Node', () => {
    const valid = manifest.find((m) => m.file === 'native/valid.lic')!;
    const armoured = readFixtureLicense(valid) as string;
    const utf8 = new TextEncoder().encode(armoured);
    const inputs: Array<string | Uint8Array> = [
      Uint8Array.of(...utf8, 0xff), // armoured bytes that are not UTF-8: the strict reader refuses them
      Uint8Array.of(...utf8.subarray(0, 40), 0xc0, 0x80, ...utf8.subarray(40)), // an overlong encoding
      armoured.replace(/\n([A-Za-z0-9+/])/, '\n*$1'), // not base64
      armoured.replace(/=(?=\n)/, 'A'), // one more base64 character: a byte after the message
      nonCanonical(armoured), // padding bits that are not zero: non-canonical base64
      Uint8Array.of(0xd2, 0x84, 0x40, 0xa0, 0x40), // a truncated COSE_Sign1
      Uint8Array.of(0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa0, 0x41, 0xa0, 0x40, 0x00), // trailing bytes
    ];
    const options = { key: read('keys', valid.key), now: new Date(valid.now) };
    const underNode = inputs.map((input) => {
      try {
        const v = verifyLicenseSync(input, options);
        return [v.valid, v.reasons];
      } catch (error) {
        if (!isLicenseKitError(error)) throw error;
        return error.code;
      }
    });
    const args = JSON.stringify([inputs.map(carried), options.key, valid.now]);
    const out = settle(`(async () => {
      ${UNCARRY}
      const [licenses, key, now] = ${args};
      const out = [];
      for (const l of licenses) out.push(await licensekit.verifyLicense(uncarry(l), { key, now: new Date(now) }).then((v) => [v.valid, v.reasons], (e) => e.code));
      return out;
    })()`);
    expect(underNode).toEqual(['ERR_ENVELOPE_INVALID', 'ERR_ENVELOPE_INVALID', 'ERR_BASE64_INVALID', 'ERR_CBOR_INVALID', 'ERR_BASE64_INVALID', 'ERR_CBOR_INVALID', 'ERR_CBOR_INVALID']);
    expect(out).toEqual(underNode);
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
