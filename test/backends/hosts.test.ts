/**
 * Hosts with less than Node: WebCrypto absent, no CSPRNG, and a bare
 * JavaScript engine (QuickJS) with only BigInt and Uint8Array, where the
 * pure-JavaScript backend must still verify.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { build } from 'esbuild';
import { getQuickJS } from 'quickjs-emscripten';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import { purejsBackend } from '../../src/backends/purejs/index.ts';
import { probeWebCryptoEd25519, webcryptoBackend } from '../../src/backends/webcrypto.ts';
import { toHex } from '../../src/lib/bytes.ts';
import { publicKeyFromJwk } from './keys.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('webcrypto backend', () => {
  test('Ed25519 support is probed and cached (Node 20 has it)', async () => {
    expect(await probeWebCryptoEd25519()).toBe(true);
    expect(webcryptoBackend.supports('EdDSA')).toBe(true);
    expect(webcryptoBackend.supports('RS256')).toBe(true);
    expect(webcryptoBackend.verifySync).toBeUndefined();
  });

  test('without globalThis.crypto it supports nothing and verify says ERR_BACKEND_UNAVAILABLE', async () => {
    const pair = await nodeBackend.generateKeyPair!('EdDSA');
    const key = publicKeyFromJwk(pair.publicJwk);
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    expect(webcryptoBackend.supports('RS256')).toBe(false);
    expect(webcryptoBackend.supports('EdDSA')).toBe(false);
    await expect(webcryptoBackend.verify('EdDSA', key, new Uint8Array(1), new Uint8Array(64))).rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
  });
});

describe('purejs backend without a CSPRNG', () => {
  test('still verifies, but refuses to generate keys (never Math.random)', async () => {
    const pair = await nodeBackend.generateKeyPair!('EdDSA');
    const key = publicKeyFromJwk(pair.publicJwk);
    const data = Uint8Array.of(7);
    const signature = await nodeBackend.sign!('EdDSA', pair.privateJwk, data);
    vi.stubGlobal('crypto', undefined);
    expect(purejsBackend.verifySync!('EdDSA', key, data, signature)).toBe(true);
    expect(await purejsBackend.sign!('EdDSA', pair.privateJwk, data)).toEqual(signature); // Ed25519 signing is deterministic
    for (const algorithm of ['EdDSA', 'RS256'] as const) {
      await expect(purejsBackend.generateKeyPair!(algorithm)).rejects.toMatchObject({ name: 'BackendError', code: 'ERR_BACKEND_UNAVAILABLE' });
    }
  });
});

describe('purejs backend in QuickJS (no crypto, TextEncoder, atob or Buffer)', () => {
  test('verifies RS256 and Ed25519 signatures made by node:crypto', async () => {
    const bundle = await build({
      entryPoints: ['src/backends/purejs/index.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'licensekitPurejs',
      platform: 'browser',
      target: 'es2020',
    });
    const code = bundle.outputFiles[0]!.text;
    expect(code).not.toMatch(/\bnode:/);

    const data = Uint8Array.from([...'{"licensee":"ACME"}'].map((c) => c.charCodeAt(0)));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    const cases = {
      data: toHex(data),
      rsaKey: rsa.publicKey.export({ format: 'jwk' }),
      rsaSig: toHex(sign('sha256', data, rsa.privateKey)),
      edKey: ed.publicKey.export({ format: 'jwk' }),
      edSig: toHex(sign(null, data, ed.privateKey)),
    };

    const QuickJS = await getQuickJS();
    const vm = QuickJS.newContext();
    try {
      vm.unwrapResult(vm.evalCode(code)).dispose();
      const script = `
        const cases = ${JSON.stringify(cases)};
        const hex = (h) => Uint8Array.from(h.match(/../g) || [], (b) => parseInt(b, 16));
        const b64u = (t) => {
          const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          let bits = 0, acc = 0; const out = [];
          for (const ch of t) { acc = (acc << 6) | a.indexOf(ch); bits += 6; if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 255); } }
          return Uint8Array.from(out);
        };
        const b = licensekitPurejs.purejsBackend;
        const rsaKey = { type: 'rsa', algorithm: 'RS256', rsa: { n: b64u(cases.rsaKey.n), e: b64u(cases.rsaKey.e) } };
        const edKey = { type: 'ed25519', algorithm: 'EdDSA', ed25519: b64u(cases.edKey.x) };
        const data = hex(cases.data);
        const bad = hex(cases.data); bad[0] ^= 1;
        JSON.stringify({
          host: [typeof crypto, typeof TextEncoder, typeof atob, typeof Buffer],
          rsa: b.verifySync('RS256', rsaKey, data, hex(cases.rsaSig)),
          rsaBad: b.verifySync('RS256', rsaKey, bad, hex(cases.rsaSig)),
          ed: b.verifySync('EdDSA', edKey, data, hex(cases.edSig)),
          edBad: b.verifySync('EdDSA', edKey, bad, hex(cases.edSig)),
        });`;
      const result = vm.unwrapResult(vm.evalCode(script));
      const out = JSON.parse(vm.getString(result)) as unknown;
      result.dispose();
      expect(out).toEqual({ host: ['undefined', 'undefined', 'undefined', 'undefined'], rsa: true, rsaBad: false, ed: true, edBad: false });
    } finally {
      vm.dispose();
    }
  });
});
