/**
 * The signature backend interface. The core verifies through this and never
 * imports a crypto implementation itself; entry points choose the defaults
 * (node:crypto in Node, WebCrypto in browsers, pure JavaScript elsewhere).
 *
 * Contract (as in jose): `verify` returns `false` for any signature that does
 * not verify, including malformed ones of the wrong length, and swallows its
 * own exceptions; only misuse (an algorithm it does not support) throws.
 */
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import type { PublicKey } from '../keys/public-key.ts';

/** Names of the built-in backends. */
export type BackendName = 'node' | 'webcrypto' | 'purejs' | 'forge';

/** A private key in JWK form (RSA: n, e, d, p, q, dp, dq, qi; Ed25519: x, d). */
export type PrivateJwk = Readonly<Record<string, string>>;

/** A freshly generated key pair, as JWKs. */
export interface JwkKeyPair {
  readonly privateJwk: PrivateJwk;
  readonly publicJwk: Readonly<Record<string, string>>;
}

/** Verifies (and optionally signs) with one crypto implementation. */
export interface SignatureBackend {
  /** The backend's name, used by the `backend` option and in verdicts. */
  readonly name: BackendName | (string & {});
  /** Whether this backend can serve `algorithm` on this host right now. */
  supports(algorithm: SignatureAlgorithm): boolean;
  /** Verifies `signature` over exactly `data`. Resolves `false` for a bad signature. */
  verify(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * Optional: verifies off the calling thread, so many calls run in parallel
   * (node: worker threads). Same contract as `verify`. The batch API
   * (`verifyLicenses`) uses it when present and `verify` otherwise; single
   * verifications keep using `verify`/`verifySync`. Backends written before
   * it existed need not change.
   */
  readonly verifyParallel?: (algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array) => Promise<boolean>;
  /** Synchronous verify, present only where the implementation is synchronous. */
  readonly verifySync?: (algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array) => boolean;
  /** Signs `data` (issuing side); absent on verify-only backends. */
  readonly sign?: (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array) => Promise<Uint8Array>;
  /** Generates a key pair (issuing side); absent on verify-only backends. */
  readonly generateKeyPair?: (algorithm: SignatureAlgorithm, options?: { modulusLength?: number }) => Promise<JwkKeyPair>;
}
