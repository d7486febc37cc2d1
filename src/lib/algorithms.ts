/**
 * The algorithm registry: one table says everything licensekit knows about
 * each signature algorithm. Keys are bound to one algorithm when imported.
 */

/** Signature algorithms licensekit verifies, by their JOSE names. */
export type SignatureAlgorithm = 'RS256' | 'PS256' | 'EdDSA' | 'RS1' | 'PS256-MAX';

/** Every algorithm licensekit knows, in the order messages list them. */
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze(['RS256', 'PS256', 'EdDSA', 'RS1', 'PS256-MAX'] as const);

/** What the registry records for an algorithm. */
export interface AlgorithmInfo {
  /** JOSE name. */
  readonly name: SignatureAlgorithm;
  /** Human description used in messages and `--help`. */
  readonly description: string;
  /** Key type the algorithm needs. */
  readonly keyType: 'rsa' | 'ed25519';
  /** Smallest key size (bits) that verifies at all. */
  readonly minBits: number;
  /** Key sizes below this verify but are flagged `WEAK_KEY`. */
  readonly recommendedBits: number;
  /** Largest key size accepted (bounds the cost of one verification). */
  readonly maxBits: number;
  /** Exact signature length in bytes, or `'modulus'` for RSA (the modulus length). */
  readonly signatureLength: number | 'modulus';
  /** True when the algorithm's hash is broken for collisions (SHA-1): it verifies, for legacy formats, with the warning `WEAK_ALGORITHM`. */
  readonly weakHash: boolean;
}

/** An RSA algorithm's entry: every RSA algorithm verifies keys of 1024 to 8192 bits and flags those below 2048 `WEAK_KEY`. */
function rsa(name: SignatureAlgorithm, description: string, weakHash = false): AlgorithmInfo {
  return { name, description, keyType: 'rsa', minBits: 1024, recommendedBits: 2048, maxBits: 8192, signatureLength: 'modulus', weakHash };
}

/** Everything about each algorithm. */
export const ALGORITHMS: Readonly<Record<SignatureAlgorithm, AlgorithmInfo>> = Object.freeze({
  RS256: rsa('RS256', 'RSASSA-PKCS1-v1_5 with SHA-256'),
  PS256: rsa('PS256', 'RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt'),
  EdDSA: {
    name: 'EdDSA',
    description: 'Ed25519 (RFC 8032, pure)',
    keyType: 'ed25519',
    minBits: 256,
    recommendedBits: 256,
    maxBits: 256,
    signatureLength: 64,
    weakHash: false,
  },
  // Only a format that prescribes it (NetLicensing's XML-DSig rsa-sha1) is ever verified with it.
  RS1: rsa('RS1', 'RSASSA-PKCS1-v1_5 with SHA-1 (legacy formats only)', true),
  // Only a format that prescribes it (Keygen's rsa-pss-sha256 files) is ever verified with it.
  'PS256-MAX': rsa('PS256-MAX', 'RSASSA-PSS with SHA-256 and the maximum salt'),
});

/** True when `name` is an algorithm licensekit knows. */
export function isSignatureAlgorithm(name: unknown): name is SignatureAlgorithm {
  return SIGNATURE_ALGORITHMS.includes(name as SignatureAlgorithm);
}

/**
 * PS256's fixed parameters (RFC 8230 §2, RFC 7518 §3.5): SHA-256 for the
 * message and for MGF1, and a salt exactly as long as the hash (32 bytes).
 * Verification requires that salt length; it never recovers it from the
 * signature (OpenSSL's `RSA_PSS_SALTLEN_AUTO`), so every backend accepts
 * exactly the same signatures.
 */
export const PS256_SALT_LENGTH = 32;

/**
 * The exact PSS salt length `algorithm` requires under a key of `modulusBits`
 * bits: PS256's 32, or for `PS256-MAX` the largest EMSA-PSS allows,
 * emLen − hLen − 2 with emLen = ⌈(modBits − 1) / 8⌉ and hLen = 32 (222 bytes
 * for RSA-2048). Keygen signs with OpenSSL's `salt_length: :max`
 * (`RSA_PSS_SALTLEN_MAX`); licensekit requires exactly that length, never
 * recovering it from the signature, so every backend accepts the same
 * signatures and a salt-32 (PS256) signature is refused.
 *
 * @example
 * pssSaltLength('PS256-MAX', 2048) // 222
 */
export function pssSaltLength(algorithm: SignatureAlgorithm, modulusBits: number): number {
  return algorithm === 'PS256' ? PS256_SALT_LENGTH : Math.ceil((modulusBits - 1) / 8) - 34;
}
