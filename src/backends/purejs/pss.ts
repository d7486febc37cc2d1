/**
 * EMSA-PSS (RFC 8017 §9.1) with SHA-256 and MGF1-SHA-256, as PS256 uses it:
 * the encoding and the strict verification of an encoded message, written
 * step by step from the RFC. The RSA arithmetic around it lives in `rsa.ts`.
 *
 * Verification is strict: the salt length is given (PS256: 32 bytes, the
 * hash length) and checked exactly, never recovered from the encoded message;
 * the trailer must be 0xbc, the bits above `emBits` zero, the padding zeros
 * and the separator 0x01. Only `Uint8Array` and @noble/hashes are used, so it
 * runs in any engine.
 */
import { sha256 } from '@noble/hashes/sha2.js';

/** SHA-256 output length in bytes (hLen). */
const H_LEN = 32;

/**
 * MGF1 (RFC 8017 §B.2.1) with SHA-256: `maskLen` bytes of
 * `SHA-256(seed || C(0)) || SHA-256(seed || C(1)) || …`, C the 4-byte big-endian counter.
 */
export function mgf1Sha256(seed: Uint8Array, maskLen: number): Uint8Array {
  const out = new Uint8Array(maskLen);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed, 0);
  for (let counter = 0, at = 0; at < maskLen; counter++, at += H_LEN) {
    input[seed.length] = counter >>> 24;
    input[seed.length + 1] = (counter >>> 16) & 0xff;
    input[seed.length + 2] = (counter >>> 8) & 0xff;
    input[seed.length + 3] = counter & 0xff;
    const block = sha256(input);
    out.set(block.subarray(0, Math.min(H_LEN, maskLen - at)), at);
  }
  return out;
}

/** `H = SHA-256(0x00 * 8 || mHash || salt)` (RFC 8017 §9.1.1 steps 5-6, §9.1.2 steps 12-13). */
function saltedHash(mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  const mPrime = new Uint8Array(8 + mHash.length + salt.length);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + mHash.length);
  return sha256(mPrime);
}

/** The mask for the top octet: the bits below `8 * emLen - emBits` leading zero bits. */
function topMask(emLen: number, emBits: number): number {
  return 0xff >>> (8 * emLen - emBits);
}

/**
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of a SHA-256 message hash with the given
 * salt, for an encoded message of `emBits` bits (the modulus bits minus one).
 * Throws `RangeError` when the key is too small for the hash and salt
 * ("encoding error").
 */
export function emsaPssEncode(mHash: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const emLen = Math.ceil(emBits / 8);
  const sLen = salt.length;
  // 3. emLen < hLen + sLen + 2: "encoding error".
  if (mHash.length !== H_LEN || emLen < H_LEN + sLen + 2) throw new RangeError('RSA key too small for PSS with SHA-256 and this salt');
  // 5-6. H = Hash(0x00 * 8 || mHash || salt).
  const h = saltedHash(mHash, salt);
  // 7-8. DB = PS (zeros) || 0x01 || salt, emLen - hLen - 1 bytes.
  const dbLen = emLen - H_LEN - 1;
  const db = new Uint8Array(dbLen);
  db[dbLen - sLen - 1] = 0x01;
  db.set(salt, dbLen - sLen);
  // 9-10. maskedDB = DB xor MGF1(H, emLen - hLen - 1).
  const mask = mgf1Sha256(h, dbLen);
  const em = new Uint8Array(emLen);
  for (let i = 0; i < dbLen; i++) em[i] = db[i]! ^ mask[i]!;
  // 11. Clear the leftmost 8 * emLen - emBits bits.
  em[0]! &= topMask(emLen, emBits);
  // 12. EM = maskedDB || H || 0xbc.
  em.set(h, dbLen);
  em[emLen - 1] = 0xbc;
  return em;
}

/**
 * EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with SHA-256, MGF1-SHA-256 and a salt of
 * exactly `sLen` bytes: `true` when `em` (exactly `ceil(emBits / 8)` bytes)
 * is "consistent" with `mHash`, `false` for anything else.
 */
export function emsaPssVerify(mHash: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const emLen = Math.ceil(emBits / 8);
  if (mHash.length !== H_LEN || em.length !== emLen || !Number.isInteger(sLen) || sLen < 0) return false;
  // 3. emLen < hLen + sLen + 2: "inconsistent".
  if (emLen < H_LEN + sLen + 2) return false;
  // 4. The rightmost octet must be 0xbc.
  if (em[emLen - 1] !== 0xbc) return false;
  // 5. maskedDB = the leftmost emLen - hLen - 1 octets, H = the next hLen.
  const dbLen = emLen - H_LEN - 1;
  const h = em.subarray(dbLen, dbLen + H_LEN);
  // 6. The leftmost 8 * emLen - emBits bits of maskedDB must be zero.
  const top = topMask(emLen, emBits);
  if ((em[0]! & ~top & 0xff) !== 0) return false;
  // 7-8. DB = maskedDB xor MGF1(H, emLen - hLen - 1).
  const mask = mgf1Sha256(h, dbLen);
  const db = new Uint8Array(dbLen);
  for (let i = 0; i < dbLen; i++) db[i] = em[i]! ^ mask[i]!;
  // 9. Clear the leftmost 8 * emLen - emBits bits of DB.
  db[0]! &= top;
  // 10. The emLen - hLen - sLen - 2 leftmost octets must be zero, the next one 0x01.
  const psLen = emLen - H_LEN - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  // 11-13. salt = the last sLen octets of DB; H' = Hash(0x00 * 8 || mHash || salt).
  const hPrime = saltedHash(mHash, db.subarray(dbLen - sLen));
  // 14. H must equal H'.
  let diff = 0;
  for (let i = 0; i < H_LEN; i++) diff |= h[i]! ^ hPrime[i]!;
  return diff === 0;
}
