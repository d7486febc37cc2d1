/**
 * RSASSA-PKCS1-v1_5 (RS256) and RSASSA-PSS (PS256) with SHA-256 in pure
 * JavaScript over native `BigInt`.
 *
 * Verification follows RFC 8017 §8.2.2 to the letter: recover the encoded
 * message, build the one EMSA-PKCS1-v1_5 encoding we expect
 * (`00 01 FF..FF 00 || DigestInfo(SHA-256) || H`) and compare the whole block.
 * The signature is never parsed as ASN.1, which rules out the lax-parser
 * forgeries (Bleichenbacher 2006, BER lengths, garbage after the digest).
 * The DigestInfo must carry the NULL parameters, as OpenSSL requires.
 *
 * Signing (issuing side) uses the CRT with blinding when a CSPRNG is present.
 * It is not constant-time: prefer the node or WebCrypto backend for signing
 * where they exist.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { PublicKey } from '../../keys/public-key.ts';
import { KeyError } from '../../lib/errors.ts';
import type { JwkKeyPair, PrivateJwk } from '../backend.ts';
import { encodeBase64Url } from '../../lib/bytes.ts';
import { expectJwkType, jwkBytes } from '../private-jwk.ts';
import { bigIntToBytes, bitLength, bytesToBigInt, bytesToHex } from './bigint-bytes.ts';
import { emsaPssEncode, emsaPssVerify } from './pss.ts';
import { hasRandomSource, randomBytes } from './random.ts';
import { PS256_SALT_LENGTH, pssSaltLength } from '../../lib/algorithms.ts';

/** DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }` without the digest. */
const SHA256_DIGEST_INFO_HEX = '3031300d060960864801650304020105000420';
const DIGEST_INFO_LENGTH = 19 + 32;

interface RsaVerifyKey {
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bytes: the signature length (and RS256's encoded-message length). */
  readonly k: number;
  /** Modulus length in bits. */
  readonly bits: number;
  /** Hex of the expected encoded message up to the hash (leading 00 dropped), or null when k is too small. */
  readonly prefixHex: string | null;
}

const verifyKeys = new WeakMap<PublicKey, RsaVerifyKey>();

function encodedMessagePrefixHex(k: number): string | null {
  const psLength = k - 3 - DIGEST_INFO_LENGTH;
  if (psLength < 8) return null; // RFC 8017: "intended encoded message length too short"
  return '01' + 'ff'.repeat(psLength) + '00' + SHA256_DIGEST_INFO_HEX;
}

function verifyKeyFor(key: PublicKey): RsaVerifyKey | null {
  let cached = verifyKeys.get(key);
  if (!cached) {
    if (!key.rsa) return null;
    const n = bytesToBigInt(key.rsa.n);
    const bits = bitLength(n);
    const k = Math.ceil(bits / 8);
    cached = { n, e: bytesToBigInt(key.rsa.e), k, bits, prefixHex: encodedMessagePrefixHex(k) };
    verifyKeys.set(key, cached);
  }
  return cached;
}

/** `base^e mod n` for the public exponent; 65537 takes 16 squarings and one multiplication. */
function powPublic(base: bigint, e: bigint, n: bigint): bigint {
  if (e === 65537n) {
    let x = base;
    for (let i = 0; i < 16; i++) x = (x * x) % n;
    return (x * base) % n;
  }
  let result = 1n;
  for (const bit of e.toString(2)) {
    result = (result * result) % n;
    if (bit === '1') result = (result * base) % n;
  }
  return result;
}

/**
 * `base^exponent mod modulus` with a fixed 4-bit window, for the large private
 * exponents and for primality tests. Variable-time.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  const b = ((base % modulus) + modulus) % modulus;
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % modulus);
  let result = 1n;
  for (const digit of exponent.toString(16)) {
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    const d = parseInt(digit, 16);
    if (d !== 0) result = (result * table[d]!) % modulus;
  }
  return result;
}

/**
 * Verifies an RS256 signature over `data`. Returns `false` for anything that
 * is not a valid signature (wrong length, `s >= n`, any byte of the encoded
 * message not exactly as expected). Throws only for a key that is not RSA.
 */
export function verifyRs256(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const rsa = verifyKeyFor(key);
  if (!rsa) throw new KeyError('ERR_KEY_INVALID', 'RS256 needs an RSA key');
  if (rsa.prefixHex === null || signature.length !== rsa.k) return false;
  const s = bytesToBigInt(signature);
  if (s >= rsa.n) return false;
  const recovered = powPublic(s, rsa.e, rsa.n);
  const expected = BigInt('0x' + rsa.prefixHex + bytesToHex(sha256(data)));
  return recovered === expected;
}

let sha1: ((data: Uint8Array) => Uint8Array) | null = null;

/**
 * Gives the pure-JavaScript backend SHA-1, for RS1. Only the entries that read
 * a format signed with RS1 (NetLicensing: Node's `licensekit`,
 * `licensekit/netlicensing`) call it, with @noble/hashes' SHA-1: the core
 * browser and IIFE bundles read no such format, and leave SHA-1 (~0.3 KiB
 * gzipped) out of their 40 KiB budget. The first function given stays (no
 * later call can swap it); not exported from any entry.
 */
export function useSha1(fn: (data: Uint8Array) => Uint8Array): void {
  sha1 ??= fn;
}

/** True when {@link useSha1} has given SHA-1, so RS1 verifies here. */
export function hasSha1(): boolean {
  return sha1 !== null;
}

/** `DigestInfo { id-sha1, NULL }` before the 20-byte digest, for RS1 (a legacy format's RSA-SHA1). */
const SHA1_DIGEST_INFO_HEX = '3021300906052b0e03021a05000414';

/**
 * Verifies an RS1 (RSASSA-PKCS1-v1_5 with SHA-1) signature, as RS256 does: the
 * whole expected encoding `00 01 FF..FF 00 || DigestInfo(SHA-1) || H` is
 * compared, never parsed. Only legacy formats that prescribe it use it. Needs
 * {@link useSha1} first (the backend does not offer RS1 until then).
 */
export function verifyRs1(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const rsa = verifyKeyFor(key);
  if (!rsa) throw new KeyError('ERR_KEY_INVALID', 'RS1 needs an RSA key');
  const psLength = rsa.k - 3 - 15 - 20;
  if (psLength < 8 || signature.length !== rsa.k) return false;
  const s = bytesToBigInt(signature);
  if (s >= rsa.n) return false;
  const expected = BigInt('0x01' + 'ff'.repeat(psLength) + '00' + SHA1_DIGEST_INFO_HEX + bytesToHex(sha1!(data))); // the backend refuses RS1 until useSha1
  return powPublic(s, rsa.e, rsa.n) === expected;
}

/**
 * Verifies a PS256 signature over `data`: RSASSA-PSS-VERIFY (RFC 8017 §8.1.2)
 * with EMSA-PSS-VERIFY (§9.1.2, see `pss.ts`), SHA-256, MGF1-SHA-256 and a
 * salt of exactly 32 bytes. Returns `false` for anything that is not a valid
 * signature (wrong length, `s >= n`, a representative that does not fit
 * `emLen` bytes, any inconsistency of the encoding, another salt length).
 * Throws only for a key that is not RSA.
 */
export function verifyPs256(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  return verifyPss('PS256', key, data, signature);
}

/**
 * {@link verifyPs256} for either PSS algorithm: PS256 (a 32-byte salt) or
 * PS256-MAX (Keygen's: the maximum salt for the key, exactly; see `pssSaltLength`).
 */
export function verifyPss(algorithm: 'PS256' | 'PS256-MAX', key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const rsa = verifyKeyFor(key);
  if (!rsa) throw new KeyError('ERR_KEY_INVALID', `${algorithm} needs an RSA key`);
  // §8.1.2 step 1: the signature is exactly k bytes.
  if (signature.length !== rsa.k) return false;
  // Step 2: s < n, m = s^e mod n, EM = I2OSP(m, emLen) with emLen = ceil((modBits - 1) / 8).
  const s = bytesToBigInt(signature);
  if (s >= rsa.n) return false;
  const m = powPublic(s, rsa.e, rsa.n);
  const emBits = rsa.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (bitLength(m) > emLen * 8) return false; // I2OSP: "integer too large" means "invalid signature"
  // Step 3: EMSA-PSS-VERIFY with the salt length the algorithm requires.
  return emsaPssVerify(sha256(data), bigIntToBytes(m, emLen), emBits, pssSaltLength(algorithm, rsa.bits));
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Uniform random integer in [2, limit - 2]. */
function randomBelow(limit: bigint): bigint {
  const bytes = Math.ceil(bitLength(limit) / 8) + 8; // 64 extra bits make the modulo bias negligible
  return (bytesToBigInt(randomBytes(bytes)) % (limit - 3n)) + 2n;
}

/** The public numbers of a private RSA JWK, read once per signature. */
interface RsaPrivateKey {
  readonly jwk: PrivateJwk;
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bits and in bytes. */
  readonly bits: number;
  readonly k: number;
}

function readPrivateKey(privateJwk: PrivateJwk): RsaPrivateKey {
  expectJwkType(privateJwk, 'RSA');
  const n = bytesToBigInt(jwkBytes(privateJwk, 'n'));
  const e = bytesToBigInt(jwkBytes(privateJwk, 'e'));
  const bits = bitLength(n);
  if (e < 3n) throw new KeyError('ERR_KEY_INVALID', 'RSA exponent must be at least 3');
  return { jwk: privateJwk, n, e, bits, k: Math.ceil(bits / 8) };
}

/**
 * RSASP1: `m^d mod n` as k bytes. Uses the CRT when the JWK carries
 * p, q, dp, dq, qi, blinds the operation when a CSPRNG is present, and checks
 * the result against the public key before returning it.
 */
function rsaPrivate(key: RsaPrivateKey, m: bigint): Uint8Array {
  const { jwk: privateJwk, n, e, k } = key;
  const d = bytesToBigInt(jwkBytes(privateJwk, 'd'));
  let blind = 1n;
  let unblind = 1n;
  if (hasRandomSource()) {
    for (;;) {
      const r = randomBelow(n);
      if (gcd(r, n) !== 1n) continue;
      blind = powPublic(r, e, n);
      unblind = modInverse(r, n);
      break;
    }
  }
  const c = (m * blind) % n;
  let s: bigint;
  if (['p', 'q', 'dp', 'dq', 'qi'].every((m) => Object.hasOwn(privateJwk, m) && privateJwk[m])) {
    const p = bytesToBigInt(jwkBytes(privateJwk, 'p'));
    const q = bytesToBigInt(jwkBytes(privateJwk, 'q'));
    const m1 = modPow(c % p, bytesToBigInt(jwkBytes(privateJwk, 'dp')), p);
    const m2 = modPow(c % q, bytesToBigInt(jwkBytes(privateJwk, 'dq')), q);
    const h = (((bytesToBigInt(jwkBytes(privateJwk, 'qi')) * (m1 - m2)) % p) + p) % p;
    s = m2 + h * q;
  } else {
    s = modPow(c, d, n);
  }
  s = (s * unblind) % n;
  if (powPublic(s, e, n) !== m) throw new KeyError('ERR_KEY_INVALID', 'RSA private key is inconsistent: signature did not verify');
  return bigIntToBytes(s, k);
}

/**
 * Signs `data` with RS256 (issuing side; see `rsaPrivate`).
 * Throws `KeyError` `ERR_KEY_INVALID` for a malformed or inconsistent JWK.
 */
export function signRs256(privateJwk: PrivateJwk, data: Uint8Array): Uint8Array {
  const key = readPrivateKey(privateJwk);
  const prefix = encodedMessagePrefixHex(key.k);
  if (prefix === null) throw new KeyError('ERR_KEY_INVALID', 'RSA key too small for RS256');
  return rsaPrivate(key, BigInt('0x' + prefix + bytesToHex(sha256(data))));
}

/**
 * Signs `data` with PS256 (issuing side): EMSA-PSS-ENCODE with a fresh
 * 32-byte salt from the CSPRNG captured at load, then RSASP1 (see `rsaPrivate`).
 * Throws `KeyError` `ERR_KEY_INVALID` for a malformed or inconsistent JWK,
 * `BackendError` `ERR_BACKEND_UNAVAILABLE` when the host has no CSPRNG.
 */
export function signPs256(privateJwk: PrivateJwk, data: Uint8Array): Uint8Array {
  const key = readPrivateKey(privateJwk);
  const emBits = key.bits - 1;
  if (Math.ceil(emBits / 8) < 32 + PS256_SALT_LENGTH + 2) throw new KeyError('ERR_KEY_INVALID', 'RSA key too small for PS256');
  const salt = randomBytes(PS256_SALT_LENGTH, 'make a PS256 salt');
  return rsaPrivate(key, bytesToBigInt(emsaPssEncode(sha256(data), emBits, salt)));
}

let smallPrimes: readonly number[] | undefined;

/** The odd primes below 2048, for sieving: computed by the first key generation, not when licensekit is imported. */
function oddPrimesBelow2048(): readonly number[] {
  if (!smallPrimes) {
    const out: number[] = [];
    for (let c = 3; c < 2048; c += 2) if (out.every((p) => c % p !== 0)) out.push(c);
    smallPrimes = out;
  }
  return smallPrimes;
}

function isProbablePrime(candidate: bigint, rounds: number): boolean {
  const minusOne = candidate - 1n;
  let d = minusOne;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  witness: for (let i = 0; i < rounds; i++) {
    let x = modPow(randomBelow(candidate), d, candidate);
    if (x === 1n || x === minusOne) continue;
    for (let j = 1; j < r; j++) {
      x = (x * x) % candidate;
      if (x === minusOne) continue witness;
    }
    return false;
  }
  return true;
}

/** A random prime of exactly `bits` bits, top two bits set, with gcd(p - 1, e) = 1. */
function randomPrime(bits: number, e: bigint): bigint {
  const rounds = bits >= 1024 ? 7 : bits >= 512 ? 12 : 40;
  for (;;) {
    const raw = randomBytes(Math.ceil(bits / 8));
    let start = bytesToBigInt(raw) >> BigInt(raw.length * 8 - bits);
    start |= (3n << BigInt(bits - 2)) | 1n;
    // Incremental search from `start`, sieving with residues kept as small numbers.
    const SMALL_PRIMES = oddPrimesBelow2048();
    const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
    for (let offset = 0; offset < 8192; offset += 2) {
      let composite = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i]! + offset) % SMALL_PRIMES[i]! === 0) {
          composite = true;
          break;
        }
      }
      if (composite) continue;
      const candidate = start + BigInt(offset);
      if (bitLength(candidate) !== bits) break;
      if (gcd(candidate - 1n, e) !== 1n) continue;
      if (isProbablePrime(candidate, rounds)) return candidate;
    }
  }
}

/**
 * Generates an RSA key pair (e = 65537) with a CSPRNG and Miller-Rabin
 * (issuing side). Throws `BackendError` `ERR_BACKEND_UNAVAILABLE` without a CSPRNG.
 */
export function generateRsaKeyPair(modulusLength = 2048): JwkKeyPair {
  if (!Number.isInteger(modulusLength) || modulusLength < 1024 || modulusLength > 8192 || modulusLength % 2 !== 0) {
    throw new RangeError(`"modulusLength" must be an even integer between 1024 and 8192, got ${modulusLength}`);
  }
  const e = 65537n;
  const half = modulusLength / 2;
  for (;;) {
    const p = randomPrime(half, e);
    const q = randomPrime(half, e);
    // FIPS 186-5 A.1.3: |p - q| > 2^(nlen/2 - 100).
    const diff = p > q ? p - q : q - p;
    if (diff >> BigInt(half - 100) === 0n) continue;
    const n = p * q;
    if (bitLength(n) !== modulusLength) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    if (d >> BigInt(half) === 0n) continue; // FIPS 186-5: d > 2^(nlen/2)
    // Base64urlUInt (RFC 7518 §2): the minimum number of octets.
    const b64 = (v: bigint) => encodeBase64Url(bigIntToBytes(v, Math.max(1, Math.ceil(bitLength(v) / 8))));
    const publicJwk = { kty: 'RSA', n: b64(n), e: 'AQAB' };
    return {
      publicJwk,
      privateJwk: {
        ...publicJwk,
        d: b64(d),
        p: b64(p),
        q: b64(q),
        dp: b64(d % (p - 1n)),
        dq: b64(d % (q - 1n)),
        qi: b64(modInverse(q, p)),
      },
    };
  }
}
