/**
 * Hosts with less than Node: WebCrypto absent, no CSPRNG, and a bare
 * JavaScript engine (QuickJS) with only BigInt and Uint8Array, where the
 * pure-JavaScript backend must still verify. The host's primitives are
 * captured when a backend module loads: a global defined or swapped later
 * changes nothing.
 */
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { build } from 'esbuild';
import { getQuickJS } from 'quickjs-emscripten';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import { createWebCryptoBackend, probeWebCryptoEd25519, webcryptoBackend } from '../../src/backends/webcrypto.ts';
import { toHex } from '../../src/lib/bytes.ts';
import { publicKeyFromJwk } from './keys.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A fresh instance of a module, evaluated against the globals as they are now (as on a host that loads it now). */
async function freshModule<T>(path: string): Promise<T> {
  vi.resetModules();
  return (await import(/* @vite-ignore */ path)) as T;
}

describe('webcrypto backend', () => {
  test('Ed25519 support is probed and cached (Node 20 has it)', async () => {
    expect(await probeWebCryptoEd25519()).toBe(true);
    expect(webcryptoBackend.supports('EdDSA')).toBe(true);
    expect(webcryptoBackend.supports('RS256')).toBe(true);
    expect(webcryptoBackend.supports('PS256')).toBe(true);
    expect(webcryptoBackend.verifySync).toBeUndefined();
  });

  test('a host without crypto when the module loads: it supports nothing and verify says ERR_BACKEND_UNAVAILABLE', async () => {
    const pair = await nodeBackend.generateKeyPair!('EdDSA');
    const key = publicKeyFromJwk(pair.publicJwk);
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    const bare = await freshModule<typeof import('../../src/backends/webcrypto.ts')>('../../src/backends/webcrypto.ts');
    expect(bare.webcryptoBackend.supports('RS256')).toBe(false);
    expect(bare.webcryptoBackend.supports('EdDSA')).toBe(false);
    await expect(bare.webcryptoBackend.verify('EdDSA', key, new Uint8Array(1), new Uint8Array(64))).rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
  });

  test('crypto.subtle is captured at load: a fake one defined later is never used, nor a later-removed one missed', async () => {
    const pair = await nodeBackend.generateKeyPair!('EdDSA');
    const key = publicKeyFromJwk(pair.publicJwk);
    const data = Uint8Array.of(1, 2, 3);
    const forged = new Uint8Array(64);
    const fake = { importKey: async () => ({}), verify: async () => true, sign: async () => new ArrayBuffer(0), generateKey: async () => ({}), exportKey: async () => ({}) };
    // Loaded with no crypto, then a script defines a yes-saying one: still unavailable.
    vi.stubGlobal('crypto', undefined);
    const bare = await freshModule<typeof import('../../src/backends/webcrypto.ts')>('../../src/backends/webcrypto.ts');
    vi.stubGlobal('crypto', { subtle: fake, getRandomValues: (a: Uint8Array) => a });
    expect(bare.webcryptoBackend.supports('RS256')).toBe(false);
    await expect(bare.webcryptoBackend.verify('EdDSA', key, data, forged)).rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
    // Loaded with the real one, then the global is swapped for the fake: the real one still answers.
    vi.unstubAllGlobals();
    const real = await freshModule<typeof import('../../src/backends/webcrypto.ts')>('../../src/backends/webcrypto.ts');
    vi.stubGlobal('crypto', { subtle: fake });
    expect(real.webcryptoBackend.supports('RS256')).toBe(true);
    expect(await real.webcryptoBackend.verify('EdDSA', key, data, forged)).toBe(false);
    const signature = await nodeBackend.sign!('EdDSA', pair.privateJwk, data);
    expect(await real.webcryptoBackend.verify('EdDSA', key, data, signature)).toBe(true);
  });

  test('an explicit SubtleCrypto gives a backend bound to it', async () => {
    const pair = await nodeBackend.generateKeyPair!('RS256');
    const key = publicKeyFromJwk(pair.publicJwk);
    const data = Uint8Array.of(9);
    const signature = await nodeBackend.sign!('RS256', pair.privateJwk, data);
    const backend = createWebCryptoBackend(globalThis.crypto.subtle);
    vi.stubGlobal('crypto', undefined);
    expect(await backend.verify('RS256', key, data, signature)).toBe(true);
    expect(await backend.verify('RS256', key, Uint8Array.of(8), signature)).toBe(false);
  });
});

describe('purejs backend without a CSPRNG', () => {
  test('a host without crypto when the module loads: still verifies, but refuses to generate keys (never Math.random)', async () => {
    const pair = await nodeBackend.generateKeyPair!('EdDSA');
    const key = publicKeyFromJwk(pair.publicJwk);
    const data = Uint8Array.of(7);
    const signature = await nodeBackend.sign!('EdDSA', pair.privateJwk, data);
    vi.stubGlobal('crypto', undefined);
    const { purejsBackend: bare } = await freshModule<typeof import('../../src/backends/purejs/index.ts')>('../../src/backends/purejs/index.ts');
    expect(bare.verifySync!('EdDSA', key, data, signature)).toBe(true);
    expect(await bare.sign!('EdDSA', pair.privateJwk, data)).toEqual(signature); // Ed25519 signing is deterministic
    // A CSPRNG defined after load is not picked up either.
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => a });
    for (const algorithm of ['EdDSA', 'RS256'] as const) {
      await expect(bare.generateKeyPair!(algorithm)).rejects.toMatchObject({ name: 'BackendError', code: 'ERR_BACKEND_UNAVAILABLE' });
    }
  });

  test('PS256 needs a random salt: without a CSPRNG at load, purejs refuses to sign PS256 (never Math.random), and still verifies it', async () => {
    const pair = await nodeBackend.generateKeyPair!('RS256');
    const key = publicKeyFromJwk(pair.publicJwk);
    const data = Uint8Array.of(7);
    const signature = await nodeBackend.sign!('PS256', pair.privateJwk, data);
    vi.stubGlobal('crypto', undefined);
    const { purejsBackend: bare } = await freshModule<typeof import('../../src/backends/purejs/index.ts')>('../../src/backends/purejs/index.ts');
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => a });
    expect(bare.verifySync!('PS256', key, data, signature)).toBe(true);
    await expect(bare.sign!('PS256', pair.privateJwk, data)).rejects.toMatchObject({ name: 'BackendError', code: 'ERR_BACKEND_UNAVAILABLE' });
    expect((await bare.sign!('RS256', pair.privateJwk, data)).length).toBe(256); // RS256 needs no randomness (no blinding then)
  });

  test('the PS256 salt comes from the CSPRNG captured at load, not from one swapped in later', async () => {
    const pair = await nodeBackend.generateKeyPair!('RS256');
    const key = publicKeyFromJwk(pair.publicJwk);
    const { purejsBackend: loaded } = await freshModule<typeof import('../../src/backends/purejs/index.ts')>('../../src/backends/purejs/index.ts');
    let calls = 0;
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => ((calls++, a.fill(0))) });
    const data = Uint8Array.of(3);
    const a = await loaded.sign!('PS256', pair.privateJwk, data);
    const b = await loaded.sign!('PS256', pair.privateJwk, data);
    expect(calls).toBe(0);
    expect(a).not.toEqual(b);
    expect([nodeBackend.verifySync!('PS256', key, data, a), nodeBackend.verifySync!('PS256', key, data, b)]).toEqual([true, true]);
  });

  test('getRandomValues is captured at load: replacing it later does not feed key generation', async () => {
    let calls = 0;
    const { purejsBackend: loaded } = await freshModule<typeof import('../../src/backends/purejs/index.ts')>('../../src/backends/purejs/index.ts');
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => ((calls++, a.fill(0))) });
    const a = await loaded.generateKeyPair!('EdDSA');
    const b = await loaded.generateKeyPair!('EdDSA');
    expect(calls).toBe(0);
    expect(a.publicJwk.x).not.toBe(b.publicJwk.x);
  });
});

describe('purejs backend in QuickJS (no crypto, TextEncoder, atob or Buffer)', () => {
  test('verifies RS256, PS256 and Ed25519 signatures made by node:crypto', async () => {
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
      psSig: toHex(sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })),
      psSalt20: toHex(sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 })),
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
        const rsaKey = { type: 'rsa', algorithm: 'RS256', algorithms: ['RS256', 'PS256'], rsa: { n: b64u(cases.rsaKey.n), e: b64u(cases.rsaKey.e) } };
        const edKey = { type: 'ed25519', algorithm: 'EdDSA', ed25519: b64u(cases.edKey.x) };
        const data = hex(cases.data);
        const bad = hex(cases.data); bad[0] ^= 1;
        JSON.stringify({
          host: [typeof crypto, typeof TextEncoder, typeof atob, typeof Buffer],
          rsa: b.verifySync('RS256', rsaKey, data, hex(cases.rsaSig)),
          rsaBad: b.verifySync('RS256', rsaKey, bad, hex(cases.rsaSig)),
          ps: b.verifySync('PS256', rsaKey, data, hex(cases.psSig)),
          psBad: b.verifySync('PS256', rsaKey, bad, hex(cases.psSig)),
          psSalt20: b.verifySync('PS256', rsaKey, data, hex(cases.psSalt20)),
          psAsRs: b.verifySync('RS256', rsaKey, data, hex(cases.psSig)),
          ed: b.verifySync('EdDSA', edKey, data, hex(cases.edSig)),
          edBad: b.verifySync('EdDSA', edKey, bad, hex(cases.edSig)),
        });`;
      const result = vm.unwrapResult(vm.evalCode(script));
      const out = JSON.parse(vm.getString(result)) as unknown;
      result.dispose();
      expect(out).toEqual({
        host: ['undefined', 'undefined', 'undefined', 'undefined'],
        rsa: true,
        rsaBad: false,
        ps: true,
        psBad: false,
        psSalt20: false,
        psAsRs: false,
        ed: true,
        edBad: false,
      });
    } finally {
      vm.dispose();
    }
  });
});
