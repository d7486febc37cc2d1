/**
 * The imported public key: validated once, bound to one algorithm, immutable.
 * Backends cache their own native handle for it (a `KeyObject`, a `CryptoKey`),
 * so repeated verifications never re-import.
 */
import { ALGORITHMS, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from '../lib/algorithms.ts';
import { stripLeadingZeros, encodeBase64Url } from '../lib/bytes.ts';
import { KeyError } from '../lib/errors.ts';

/** RSA public numbers, big-endian, without leading zero bytes. */
export interface RsaPublicNumbers {
  readonly n: Uint8Array;
  readonly e: Uint8Array;
}

/**
 * A public key ready for verification. Create it with `importPublicKey`.
 *
 * Binding: a key verifies only the algorithms in `algorithms`, fixed at import.
 * An Ed25519 key fits EdDSA. An RSA key fits RS256 and PS256 unless its JWK
 * names one with `"alg"` (`"RS256"` or `"PS256"`): then it fits that one only.
 * Cryptolens XML, PEM and DER cannot name an algorithm, so RSA keys written
 * that way fit both (same modulus, two paddings; see {@link keyFitsAlgorithm}).
 */
export interface PublicKey {
  /** Key family. */
  readonly type: 'rsa' | 'ed25519';
  /** The key's first algorithm (`RS256` for an RSA key without `"alg"`): what messages name. */
  readonly algorithm: SignatureAlgorithm;
  /** Every algorithm this key verifies, `algorithm` first. */
  readonly algorithms: readonly SignatureAlgorithm[];
  /** Modulus size for RSA, 256 for Ed25519. */
  readonly bits: number;
  /** True when the key verifies but is below the recommended size (1024-bit RSA). */
  readonly weak: boolean;
  /** RSA numbers (RSA keys only). */
  readonly rsa?: RsaPublicNumbers;
  /** The 32-byte Ed25519 public key (Ed25519 keys only). */
  readonly ed25519?: Uint8Array;
  /** The key as a public JWK, the form every backend can import. */
  readonly jwk: Readonly<Record<string, string>>;
}

/** The RSA algorithms, for a key that no `"alg"` binds to one of them (RS1 and PS256-MAX only where a format prescribes them). */
const RSA_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze(SIGNATURE_ALGORITHMS.filter((a) => a !== 'EdDSA')); // RS256, PS256, RS1, PS256-MAX

/**
 * True when `key` may verify signatures made with `algorithm` (its
 * `algorithms` list it). Every backend checks this before verifying, and the
 * core refuses a license whose algorithm the key does not fit.
 *
 * @example
 * keyFitsAlgorithm(importPublicKey(xml), 'PS256') // true: XML names no algorithm
 * keyFitsAlgorithm(importPublicKey({ ...jwk, alg: 'RS256' }), 'PS256') // false
 */
export function keyFitsAlgorithm(key: PublicKey, algorithm: SignatureAlgorithm): boolean {
  // Own `algorithms` only: a key-shaped object made without it (backends may be called with one) keeps
  // its one `algorithm`, and a polluted Object.prototype.algorithms can never widen a binding.
  if (!Object.hasOwn(key, 'algorithms')) return key.algorithm === algorithm;
  const algorithms = key.algorithms;
  return Array.isArray(algorithms) && algorithms.includes(algorithm);
}

/** Keys made by this module: only these skip import (a look-alike object is imported like any JWK). */
const genuine = new WeakSet<PublicKey>();

/** True when `value` is a PublicKey created by licensekit's importers (not a look-alike object). */
export function isPublicKey(value: unknown): value is PublicKey {
  return typeof value === 'object' && value !== null && genuine.has(value as PublicKey);
}

function register(key: PublicKey): PublicKey {
  Object.freeze(key);
  genuine.add(key);
  return key;
}

function bitLength(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  return (bytes.length - 1) * 8 + (32 - Math.clz32(bytes[0]!));
}

/**
 * Builds an RSA public key from its numbers, refusing what cannot be a sound
 * RSA signature key: an even or tiny modulus, an exponent below 3 or even, sizes
 * out of range. `alg` binds it to one algorithm (a JWK's `"alg"`); without it
 * the key fits RS256 and PS256.
 */
export function createRsaPublicKey(modulus: Uint8Array, exponent: Uint8Array, alg?: 'RS256' | 'PS256' | 'RS1'): PublicKey {
  const n = stripLeadingZeros(modulus).slice();
  const e = stripLeadingZeros(exponent).slice();
  const algorithms = alg === undefined ? RSA_ALGORITHMS : Object.freeze([alg]);
  const info = ALGORITHMS[algorithms[0]!];
  const bits = bitLength(n);
  if (bits === 0 || (n[n.length - 1]! & 1) === 0) {
    throw new KeyError('ERR_KEY_INVALID', 'RSA modulus must be a positive odd integer');
  }
  if (e.length > 8 || bitLength(e) < 2 || (e[e.length - 1]! & 1) === 0) {
    throw new KeyError('ERR_KEY_INVALID', 'RSA exponent must be an odd integer between 3 and 2^64');
  }
  if (bits < info.minBits) {
    throw new KeyError('ERR_KEY_TOO_SMALL', `RSA key of ${bits} bits is below the minimum of ${info.minBits}`);
  }
  if (bits > info.maxBits) {
    throw new KeyError('ERR_KEY_UNSUPPORTED', `RSA key of ${bits} bits is above the maximum of ${info.maxBits}`);
  }
  return register({
    type: 'rsa',
    algorithm: algorithms[0]!,
    algorithms,
    bits,
    weak: bits < info.recommendedBits,
    rsa: Object.freeze({ n, e }),
    // The key material only: the binding is `algorithms`, whatever form the key came in.
    jwk: Object.freeze({ kty: 'RSA', n: encodeBase64Url(n), e: encodeBase64Url(e) }),
  } satisfies PublicKey);
}

/**
 * Encodings (sign bit cleared) of the Ed25519 points of small order: under such
 * a key, signatures can be forged trivially. OpenSSL accepts them; licensekit
 * refuses them at import so every backend agrees.
 */
const SMALL_ORDER_ED25519 = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

/** True when y (sign bit cleared) is at least p = 2^255 − 19, i.e. a non-canonical encoding. */
function nonCanonicalY(raw: Uint8Array): boolean {
  if ((raw[31]! & 0x7f) !== 0x7f || raw[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (raw[i] !== 0xff) return false;
  return true;
}

const ED25519_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze(['EdDSA'] as const);

/** Builds an Ed25519 public key from its 32 raw bytes, refusing small-order and non-canonical points. */
export function createEd25519PublicKey(raw: Uint8Array): PublicKey {
  if (raw.length !== 32) {
    throw new KeyError('ERR_KEY_INVALID', `Ed25519 public key must be 32 bytes, got ${raw.length}`);
  }
  const masked = Array.from(raw, (b, i) => (i === 31 ? b & 0x7f : b).toString(16).padStart(2, '0')).join('');
  if (SMALL_ORDER_ED25519.includes(masked) || nonCanonicalY(raw)) {
    throw new KeyError('ERR_KEY_INVALID', 'Ed25519 public key is a small-order or non-canonical point (signatures under it can be forged)');
  }
  const copy = raw.slice();
  return register({
    type: 'ed25519',
    algorithm: 'EdDSA',
    algorithms: ED25519_ALGORITHMS,
    bits: 256,
    weak: false,
    ed25519: copy,
    jwk: Object.freeze({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(copy) }),
  } satisfies PublicKey);
}
