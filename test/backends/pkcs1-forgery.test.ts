/**
 * RSASSA-PKCS1-v1_5 encodings that are "almost right": each is raw-signed with
 * the private key (so the RSA arithmetic is sound and only the encoding is
 * wrong) and must be refused by every backend. Includes Bleichenbacher's 2006
 * e = 3 forgery, which needs no private key at all.
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { bigIntToBytes, bytesToBigInt } from '../../src/backends/purejs/bigint-bytes.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import type { PublicKey } from '../../src/keys/public-key.ts';
import { ALL_BACKENDS } from './all-backends.ts';
import { publicKeyFromJwk } from './keys.ts';

const DIGEST_INFO = '3031300d060960864801650304020105000420';
const MESSAGE = Uint8Array.from([...'licensekit'].map((c) => c.charCodeAt(0)));
const H = createHash('sha256').update(MESSAGE).digest('hex');
const K = 256;

/** `00 01 FF..FF 00 || tail` of exactly K bytes, optionally with the padding bytes given. */
function block(tail: string, padding?: string): Uint8Array {
  const psHex = padding ?? 'ff'.repeat(K - 3 - tail.length / 2);
  const hex = '0001' + psHex + '00' + tail;
  if (hex.length !== K * 2) throw new Error(`block is ${hex.length / 2} bytes`);
  return fromHex(hex)!;
}

interface Key {
  privateKey: KeyObject;
  publicKey: PublicKey;
}

function makeKey(publicExponent: number): Key {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent });
  return { privateKey: pair.privateKey, publicKey: publicKeyFromJwk(pair.publicKey.export({ format: 'jwk' }) as Record<string, string>) };
}

function rawSign(key: Key, em: Uint8Array): Uint8Array {
  return new Uint8Array(privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, em));
}

async function verdicts(key: PublicKey, signature: Uint8Array): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const b of ALL_BACKENDS) out[b.name] = await b.verify('RS256', key, MESSAGE, signature);
  return out;
}
const ALL_FALSE = Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, false]));
const ALL_TRUE = Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, true]));

const ALMOST_RIGHT: ReadonlyArray<readonly [string, () => Uint8Array]> = [
  ['garbage after the hash', () => block(DIGEST_INFO + H + 'deadbeef')],
  ['garbage inside the NULL parameters', () => block('3033300f060960864801650304020105020000' + '0420' + H)],
  ['NULL parameters missing', () => block('302f300b0609608648016503040201' + '0420' + H)],
  ['BER long-form length of the DigestInfo', () => block('308131300d060960864801650304020105000420' + H)],
  ['a padding byte that is not FF', () => block(DIGEST_INFO + H, 'ff'.repeat(100) + 'fe' + 'ff'.repeat(K - 3 - 51 - 101))],
  ['padding shorter than 8 bytes, zeros before it', () => fromHex('00'.repeat(K - 3 - 51 - 7) + '0001' + 'ff'.repeat(7) + '00' + DIGEST_INFO + H)!],
  ['block type 02', () => fromHex('0002' + 'ff'.repeat(K - 3 - 51) + '00' + DIGEST_INFO + H)!],
  ['SHA-1 algorithm identifier around the SHA-256 hash', () => block('302d300906052b0e03021a05000420' + H)],
  ['hash of another message', () => block(DIGEST_INFO + createHash('sha256').update('other').digest('hex'))],
];

describe('almost-right PKCS#1 v1.5 encodings', () => {
  let key: Key;
  beforeAll(() => {
    key = makeKey(65537);
  });

  test('the exact encoding verifies on every backend (control)', async () => {
    expect(await verdicts(key.publicKey, rawSign(key, block(DIGEST_INFO + H)))).toEqual(ALL_TRUE);
  });

  test.each(ALMOST_RIGHT)('%s: refused by every backend', async (_name, build) => {
    expect(await verdicts(key.publicKey, rawSign(key, build()))).toEqual(ALL_FALSE);
  });
});

/** Floor of the cube root (Newton). */
function cubeRoot(value: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(value.toString(2).length / 3));
  for (;;) {
    const next = (2n * x + value / (x * x)) / 3n;
    if (next >= x) break;
    x = next;
  }
  while ((x + 1n) ** 3n <= value) x++;
  while (x ** 3n > value) x--;
  return x;
}

describe("Bleichenbacher 2006 with e = 3", () => {
  let key: Key;
  beforeAll(() => {
    key = makeKey(3);
  });

  test('an honest e = 3 signature verifies on every backend', async () => {
    expect(await verdicts(key.publicKey, rawSign(key, block(DIGEST_INFO + H)))).toEqual(ALL_TRUE);
  });

  test('a forged cube root with garbage after the hash is refused by every backend', async () => {
    // 00 01 FF 00 DigestInfo H, then garbage: pick s so that s^3 (< n, so no
    // reduction happens) starts with that prefix. A verifier that parses the
    // DigestInfo and ignores what follows would accept it.
    const prefix = fromHex('0001ff00' + DIGEST_INFO + H)!;
    const rest = BigInt(K - prefix.length) * 8n;
    const high = ((bytesToBigInt(prefix) + 1n) << rest) - 1n;
    const s = cubeRoot(high);
    const recovered = bigIntToBytes(s ** 3n, K);
    expect(recovered.subarray(0, prefix.length)).toEqual(prefix); // the forgery is well formed
    expect(await verdicts(key.publicKey, bigIntToBytes(s, K))).toEqual(ALL_FALSE);
  });
});
