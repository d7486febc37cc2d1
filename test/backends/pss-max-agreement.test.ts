/**
 * PS256-MAX (RSASSA-PSS, SHA-256, MGF1-SHA-256, the maximum salt: Keygen's
 * `rsa-pss-sha256`): signatures made by node:crypto (OpenSSL) with
 * RSA_PSS_SALTLEN_MAX_SIGN verify on all four backends, synchronously, async
 * and in the node worker pool; one flipped bit is refused by all; a salt of
 * any other length (PS256's 32, the maximum minus one) is refused by all, and
 * PS256 itself still refuses the maximum-salt signature.
 */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { beforeAll, describe, expect } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import type { PublicKey } from '../../src/keys/public-key.ts';
import { pssSaltLength, type SignatureAlgorithm } from '../../src/lib/algorithms.ts';
import { ALL_BACKENDS } from './all-backends.ts';
import { publicKeyFromJwk } from './keys.ts';

interface Key {
  readonly privateKey: KeyObject;
  readonly publicKey: PublicKey;
}

function makeKey(bits: number): Key {
  const pair = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return { privateKey: pair.privateKey, publicKey: publicKeyFromJwk(pair.publicKey.export({ format: 'jwk' }) as Record<string, string>) };
}

function pssSign(key: Key, data: Uint8Array, saltLength: number): Uint8Array {
  return new Uint8Array(sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
}

const maxSign = (key: Key, data: Uint8Array) => pssSign(key, data, constants.RSA_PSS_SALTLEN_MAX_SIGN);

/** Each backend's answer (async, and sync where it has it; a disagreement between the two is reported). */
async function verdicts(key: PublicKey, data: Uint8Array, signature: Uint8Array, algorithm: SignatureAlgorithm = 'PS256-MAX'): Promise<Record<string, boolean | string>> {
  const out: Record<string, boolean | string> = {};
  for (const backend of ALL_BACKENDS) {
    try {
      out[backend.name] = await backend.verify(algorithm, key, data, signature);
    } catch (error) {
      out[backend.name] = `threw ${String(error)}`;
    }
    if (backend.verifySync && backend.verifySync(algorithm, key, data, signature) !== out[backend.name]) out[`${backend.name} (sync)`] = 'disagrees';
  }
  return out;
}

const all = (value: boolean): Record<string, boolean> => Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, value]));

describe('PS256-MAX agreement (RSA-2048)', () => {
  let key: Key;
  beforeAll(() => {
    key = makeKey(2048);
  });

  test('every backend supports PS256-MAX; an RSA key without "alg" fits it; the salt is 222 bytes for 2048 bits', () => {
    expect(ALL_BACKENDS.map((b) => [b.name, b.supports('PS256-MAX')])).toEqual(ALL_BACKENDS.map((b) => [b.name, true]));
    expect(key.publicKey.algorithms).toContain('PS256-MAX');
    expect(pssSaltLength('PS256-MAX', 2048)).toBe(222);
    expect(pssSaltLength('PS256-MAX', 2049)).toBe(222);
    expect(pssSaltLength('PS256-MAX', 3072)).toBe(350);
    expect(pssSaltLength('PS256', 2048)).toBe(32);
  });

  test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 20 })('a maximum-salt signature by OpenSSL verifies on every backend', async (data) => {
    expect(await verdicts(key.publicKey, data, maxSign(key, data))).toEqual(all(true));
  });

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), fc.nat()], { numRuns: 20 })(
    'one flipped bit of the message or the signature: every backend refuses',
    async (data, inSignature, bit) => {
      const signature = maxSign(key, data);
      const target = inSignature ? signature.slice() : data.slice();
      const at = bit % (target.length * 8);
      target[at >> 3]! ^= 1 << (at & 7);
      expect(inSignature ? await verdicts(key.publicKey, data, target) : await verdicts(key.publicKey, target, signature)).toEqual(all(false));
    },
  );

  test('salts of 32 (PS256), 0, and the maximum minus one are refused by PS256-MAX on every backend; PS256 refuses the maximum salt', async () => {
    const data = new TextEncoder().encode('license/eyJmb28iOiJiYXIifQ==');
    for (const saltLength of [32, 0, 221]) expect([saltLength, await verdicts(key.publicKey, data, pssSign(key, data, saltLength))]).toEqual([saltLength, all(false)]);
    expect(await verdicts(key.publicKey, data, maxSign(key, data), 'PS256')).toEqual(all(false));
    expect(await verdicts(key.publicKey, data, pssSign(key, data, 32), 'PS256')).toEqual(all(true));
  });

  test('a PKCS#1 v1.5 signature and garbage are refused without throwing', async () => {
    const data = new TextEncoder().encode('licensekit');
    expect(await verdicts(key.publicKey, data, new Uint8Array(sign('sha256', data, key.privateKey)))).toEqual(all(false));
    expect(await verdicts(key.publicKey, data, new Uint8Array(256).fill(0xff))).toEqual(all(false));
    expect(await verdicts(key.publicKey, data, new Uint8Array(3))).toEqual(all(false));
  });

  test('the node worker pool agrees (batches): maximum salt accepted, salt 32 refused', async () => {
    const data = new TextEncoder().encode('machine/abc');
    const good = maxSign(key, data);
    const salt32 = pssSign(key, data, 32);
    const answers = await Promise.all([good, salt32, good].map((s) => nodeBackend.verifyParallel!('PS256-MAX', key.publicKey, data, s)));
    expect(answers).toEqual([true, false, true]);
  });

  test('backends that sign PS256-MAX make signatures OpenSSL verifies with the maximum salt exactly', async () => {
    const jwk = key.privateKey.export({ format: 'jwk' }) as Record<string, string>;
    const data = new TextEncoder().encode('license/signed');
    for (const backend of [nodeBackend, ALL_BACKENDS.find((b) => b.name === 'webcrypto')!]) {
      const signature = await backend.sign!('PS256-MAX', jwk as never, data);
      expect([backend.name, await verdicts(key.publicKey, data, signature)]).toEqual([backend.name, all(true)]);
    }
  });
});

describe('PS256-MAX on a modulus of 8k + 1 bits (the encoded message is one byte shorter than the signature)', () => {
  test('a 2049-bit key: OpenSSL maximum-salt signatures verify everywhere, a salt-32 one nowhere', async () => {
    const key = makeKey(2049);
    const data = new TextEncoder().encode('license/odd');
    expect(await verdicts(key.publicKey, data, maxSign(key, data))).toEqual(all(true));
    expect(await verdicts(key.publicKey, data, pssSign(key, data, 32))).toEqual(all(false));
  });
});
