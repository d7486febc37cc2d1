/**
 * Random keys from the host CSPRNG with no modulo bias: license keys and
 * key-form customer secrets (`XXXXX-XXXXX-XXXXX-XXXXX`, capital letters).
 * No `node:*` import: the issuer (Node) and the customer secrets (core) share it.
 */
import { BackendError } from './errors.ts';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Bytes at or above this (the largest multiple of 26 that fits a byte) are drawn again, so every letter is equally likely. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % KEY_ALPHABET.length);

/** Fills a byte array from a CSPRNG (the signature of `crypto.getRandomValues`). */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;

/** The host's `crypto.getRandomValues`, or `ERR_BACKEND_UNAVAILABLE` naming what it was needed for. */
export function hostRandom(purpose = 'make a license key'): RandomBytes {
  const crypto = globalThis.crypto;
  if (typeof crypto?.getRandomValues !== 'function') throw new BackendError('ERR_BACKEND_UNAVAILABLE', `no CSPRNG (crypto.getRandomValues) to ${purpose}`);
  return (bytes) => crypto.getRandomValues(bytes);
}

/**
 * A random Cryptolens-style key `XXXXX-XXXXX-XXXXX-XXXXX` from the host CSPRNG
 * (or `random`). Letters are drawn by rejection sampling: a byte of 234 or more
 * is discarded instead of folded with `% 26`, which would make A–V 11% more
 * likely than W–Z.
 */
export function randomLicenseKey(random: RandomBytes = hostRandom()): string {
  const letters: string[] = [];
  const pool = new Uint8Array(32);
  while (letters.length < 20) {
    random(pool);
    for (const byte of pool) {
      if (byte < UNBIASED_BYTE_LIMIT && letters.length < 20) letters.push(KEY_ALPHABET[byte % KEY_ALPHABET.length]!);
    }
  }
  return [0, 5, 10, 15].map((i) => letters.slice(i, i + 5).join('')).join('-');
}
