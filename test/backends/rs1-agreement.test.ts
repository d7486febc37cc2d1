/**
 * RS1 (RSASSA-PKCS1-v1_5 with SHA-1, for NetLicensing's XML-DSig rsa-sha1):
 * signatures made by node:crypto (OpenSSL) are verified by every backend, and
 * one flipped bit of the message or the signature makes every backend refuse.
 * A SHA-256 signature of the same message is never an RS1 signature.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ALL_BACKENDS } from './all-backends.ts';
import { publicKeyFromJwk } from './keys.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
const publicKey = publicKeyFromJwk(pair.publicKey.export({ format: 'jwk' }) as Record<string, string>);

async function verdicts(data: Uint8Array, signature: Uint8Array): Promise<Record<string, boolean | string>> {
  const out: Record<string, boolean | string> = {};
  for (const backend of ALL_BACKENDS) {
    try {
      out[backend.name] = await backend.verify('RS1', publicKey, data, signature);
    } catch (error) {
      out[backend.name] = `threw ${String(error)}`;
    }
    if (backend.verifySync && backend.verifySync('RS1', publicKey, data, signature) !== out[backend.name]) out[`${backend.name} (sync)`] = 'disagrees';
  }
  return out;
}

const all = (value: boolean): Record<string, boolean> => Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, value]));

describe('RS1 agreement', () => {
  test('every backend says it supports RS1, and an RSA key without "alg" fits it', () => {
    expect(ALL_BACKENDS.map((b) => [b.name, b.supports('RS1')])).toEqual(ALL_BACKENDS.map((b) => [b.name, true]));
    expect(publicKey.algorithms).toContain('RS1');
  });

  test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 25 })('an OpenSSL RSA-SHA1 signature verifies on every backend', async (data) => {
    expect(await verdicts(data, new Uint8Array(sign('sha1', data, pair.privateKey)))).toEqual(all(true));
  });

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), fc.nat()], { numRuns: 25 })(
    'one flipped bit of the message or the signature: every backend refuses',
    async (data, inSignature, bit) => {
      const signature = new Uint8Array(sign('sha1', data, pair.privateKey));
      const target = inSignature ? signature.slice() : data.slice();
      const at = bit % (target.length * 8);
      target[at >> 3]! ^= 1 << (at & 7);
      expect(inSignature ? await verdicts(data, target) : await verdicts(target, signature)).toEqual(all(false));
    },
  );

  test('a SHA-256 signature is not an RS1 signature, and garbage is refused without throwing', async () => {
    const data = new TextEncoder().encode('licensekit');
    expect(await verdicts(data, new Uint8Array(sign('sha256', data, pair.privateKey)))).toEqual(all(false));
    expect(await verdicts(data, new Uint8Array(256).fill(0xff))).toEqual(all(false));
    expect(await verdicts(data, new Uint8Array(3))).toEqual(all(false));
  });
});
