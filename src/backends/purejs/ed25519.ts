/**
 * Ed25519 in pure JavaScript over the point arithmetic of @noble/ed25519
 * (audited), with SHA-512 from @noble/hashes, so it needs no WebCrypto.
 *
 * Verification is RFC 8032 §5.1.7, checked the way OpenSSL checks it (so the
 * pure-JavaScript and node backends agree on every input): S must be reduced
 * (S < L); A must be a canonical encoding of a curve point (y < p, no
 * "negative zero"); then R' = [S]B - [k]A is computed, encoded, and compared
 * byte-for-byte with R, which also refuses any non-canonical R. In addition,
 * small-order public keys are refused (noble's strict policy, as libsodium).
 *
 * Speed: [S]B uses noble's precomputed base-point table. For [k]A, the
 * decoded key is cached; its first verification uses a width-5 NAF (about 253
 * doublings and 42 additions, against noble's 253 and ~126). From the second
 * verification with the same key on, a fixed-base table of d * 16^j * (-A)
 * (65 windows of 8 points, about 120 KB, built once in the time of ~2
 * verifications) makes [k]A about 60 additions and no doublings.
 *
 * Signing and key generation use noble's synchronous API, which reads SHA-512
 * from noble's module-global `hashes.sha512` slot. We never leave that slot
 * changed: each call installs our SHA-512, runs noble synchronously and puts
 * back whatever was there (nothing can interleave with synchronous code), so
 * other users of noble in the same program see no difference.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { PublicKey } from '../../keys/public-key.ts';
import { encodeBase64Url, equalBytes } from '../../lib/bytes.ts';
import { KeyError } from '../../lib/errors.ts';
import type { JwkKeyPair, PrivateJwk } from '../backend.ts';
import { expectJwkType, jwkBytes } from '../private-jwk.ts';
import { bytesToHex } from './bigint-bytes.ts';
import { randomBytes } from './random.ts';

type Point = InstanceType<typeof ed.Point>;

/** The prime order of the base point. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const WINDOW = 5;

/** Little-endian bytes as an unsigned integer. */
function leToBigInt(bytes: Uint8Array): bigint {
  return BigInt('0x' + (bytesToHex(bytes.slice().reverse()) || '0'));
}

interface VerifyKey {
  /** Odd multiples [1, 3, ..., 15](-A), and their negations (multiples of A). */
  readonly minusA: readonly Point[];
  readonly plusA: readonly Point[];
  /** Verifications so far with this key. */
  uses: number;
  /** Fixed-base table: entry 8j + d - 1 is [d * 16^j](-A), d = 1..8, j = 0..64. */
  table?: readonly Point[];
}

/** `null` records a key that can never verify (not a point, or small order). */
const verifyKeys = new WeakMap<PublicKey, VerifyKey | null>();

function verifyKeyFor(key: PublicKey): VerifyKey | null {
  let cached = verifyKeys.get(key);
  if (cached === undefined) {
    cached = null;
    try {
      const a = key.ed25519 && key.ed25519.length === 32 ? ed.Point.fromBytes(key.ed25519, false) : null;
      if (a && !a.isSmallOrder()) {
        const p = a.negate();
        const twice = p.double();
        const minusA: Point[] = [p];
        for (let i = 1; i < 1 << (WINDOW - 2); i++) minusA.push(minusA[i - 1]!.add(twice));
        cached = { minusA, plusA: minusA.map((q) => q.negate()), uses: 0 };
      }
    } catch {
      cached = null; // not a canonical point encoding
    }
    verifyKeys.set(key, cached);
  }
  return cached;
}

/** Width-5 non-adjacent form of `k`, least significant digit first (odd digits in [-15, 15] or 0). */
function nonAdjacentForm(k: bigint): Int8Array {
  const hex = k.toString(16);
  const bits = new Uint8Array(hex.length * 4 + WINDOW + 1);
  for (let i = 0; i < hex.length; i++) {
    const v = parseInt(hex[hex.length - 1 - i]!, 16);
    bits[4 * i] = v & 1;
    bits[4 * i + 1] = (v >> 1) & 1;
    bits[4 * i + 2] = (v >> 2) & 1;
    bits[4 * i + 3] = v >> 3;
  }
  const naf = new Int8Array(bits.length);
  for (let i = 0; i < bits.length; ) {
    if (bits[i] === 0) {
      i++;
      continue;
    }
    let v = 0;
    for (let j = 0; j < WINDOW; j++) {
      v |= bits[i + j]! << j;
      bits[i + j] = 0;
    }
    if (v >= 1 << (WINDOW - 1)) {
      v -= 1 << WINDOW; // borrow 2^WINDOW from the next window: carry one into bit i + WINDOW
      let j = i + WINDOW;
      while (bits[j] === 1) bits[j++] = 0;
      bits[j] = 1;
    }
    naf[i] = v;
    i += WINDOW;
  }
  return naf;
}

const TABLE_WINDOWS = 65; // k < L < 2^253: 64 hex digits, plus one for the signed-digit carry

function fixedBaseTable(minusA: Point): Point[] {
  const table: Point[] = [];
  let base = minusA;
  for (let j = 0; j < TABLE_WINDOWS; j++) {
    let multiple = base;
    table.push(multiple);
    for (let d = 2; d <= 8; d++) table.push((multiple = multiple.add(base)));
    base = multiple.double(); // 8 * 16^j * (-A) doubled is 16^(j+1) * (-A)
  }
  return table;
}

/** [k](-A) from the fixed-base table: signed base-16 digits in [-8, 8), one addition each. */
function multiplyWithTable(table: readonly Point[], k: bigint): Point {
  const hex = k.toString(16);
  let q = ed.Point.ZERO;
  let carry = 0;
  for (let j = 0; j < TABLE_WINDOWS; j++) {
    let d = (j < hex.length ? parseInt(hex[hex.length - 1 - j]!, 16) : 0) + carry;
    carry = 0;
    if (d >= 8) {
      d -= 16;
      carry = 1;
    }
    if (d > 0) q = q.add(table[8 * j + d - 1]!);
    else if (d < 0) q = q.add(table[8 * j - d - 1]!.negate());
  }
  return q;
}

/** [k](-A): the fixed-base table when the key is in repeated use, a width-5 NAF otherwise. */
function multiplyMinusA(key: VerifyKey, k: bigint): Point {
  key.uses++;
  if (!key.table && key.uses >= 2) key.table = fixedBaseTable(key.minusA[0]!);
  return key.table ? multiplyWithTable(key.table, k) : multiplyWithNaf(key, k);
}

/** [k](-A) from the cached odd multiples. */
function multiplyWithNaf(key: VerifyKey, k: bigint): Point {
  const naf = nonAdjacentForm(k);
  let top = naf.length - 1;
  while (top >= 0 && naf[top] === 0) top--;
  if (top < 0) return ed.Point.ZERO;
  const pick = (d: number): Point => (d > 0 ? key.minusA[(d - 1) >> 1]! : key.plusA[(-d - 1) >> 1]!);
  let q = pick(naf[top]!);
  for (let i = top - 1; i >= 0; i--) {
    q = q.double();
    const d = naf[i]!;
    if (d !== 0) q = q.add(pick(d));
  }
  return q;
}

/**
 * Verifies an Ed25519 signature (RFC 8032, as OpenSSL does). Returns `false`
 * for a bad or malformed signature or an unusable public key; never throws.
 */
export function verifyEd25519(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || !key.ed25519) return false;
  try {
    const s = leToBigInt(signature.subarray(32));
    if (s >= L) return false;
    const verifyKey = verifyKeyFor(key);
    if (!verifyKey) return false;
    const r = signature.subarray(0, 32);
    const h = sha512.create().update(r).update(key.ed25519).update(data).digest();
    const k = leToBigInt(h) % L;
    const rPrime = ed.Point.BASE.multiply(s, false).add(multiplyMinusA(verifyKey, k));
    return equalBytes(rPrime.toBytes(), r);
  } catch {
    return false;
  }
}

function withOurSha512<T>(run: () => T): T {
  const previous = ed.hashes.sha512;
  ed.hashes.sha512 = sha512;
  try {
    return run();
  } finally {
    ed.hashes.sha512 = previous;
  }
}

/** Signs `data` with the private JWK's 32-byte seed `d` (issuing side). */
export function signEd25519(privateJwk: PrivateJwk, data: Uint8Array): Uint8Array {
  expectJwkType(privateJwk, 'OKP');
  const seed = jwkBytes(privateJwk, 'd');
  if (seed.length !== 32) throw new KeyError('ERR_KEY_INVALID', `Ed25519 private key "d" must be 32 bytes, got ${seed.length}`);
  return withOurSha512(() => ed.sign(data, seed));
}

/**
 * Generates an Ed25519 key pair from 32 CSPRNG bytes. Throws `BackendError`
 * `ERR_BACKEND_UNAVAILABLE` when the host has no CSPRNG.
 */
export function generateEd25519KeyPair(): JwkKeyPair {
  const seed = randomBytes(32);
  const publicKey = withOurSha512(() => ed.getPublicKey(seed));
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(publicKey) };
  return { publicJwk, privateJwk: { ...publicJwk, d: encodeBase64Url(seed) } };
}
