/**
 * Ed25519 in pure JavaScript: @noble/ed25519 (audited) with SHA-512 from
 * @noble/hashes, so it needs no WebCrypto.
 *
 * noble's synchronous API reads SHA-512 from its module-global `hashes.sha512`
 * slot. We never leave that slot changed: each call installs our SHA-512,
 * runs noble synchronously, and restores whatever was there before (nothing
 * can interleave with synchronous code), so other users of noble in the same
 * program see no difference and cannot change which hash we use.
 *
 * Verification uses noble's strict branch (`zip215: false`), i.e. RFC 8032 /
 * FIPS 186-5 as OpenSSL and the Wycheproof suite expect: S must be canonical
 * (S < L), A and R must be canonical encodings, small-order public keys are
 * refused.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { encodeBase64Url } from '../../lib/bytes.ts';
import type { JwkKeyPair, PrivateJwk } from '../backend.ts';
import { expectJwkType, jwkBytes } from '../private-jwk.ts';
import { KeyError } from '../../lib/errors.ts';
import { randomBytes } from './random.ts';

const STRICT = Object.freeze({ zip215: false });

function withOurSha512<T>(run: () => T): T {
  const previous = ed.hashes.sha512;
  ed.hashes.sha512 = sha512;
  try {
    return run();
  } finally {
    ed.hashes.sha512 = previous;
  }
}

/**
 * Verifies an Ed25519 signature (RFC 8032 strict). Returns `false` for a bad
 * or malformed signature or public key; never throws.
 */
export function verifyEd25519(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return withOurSha512(() => ed.verify(signature, data, publicKey, STRICT));
  } catch {
    return false;
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
