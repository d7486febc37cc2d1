/**
 * Licensee secrets are never stored or signed in clear: a license in
 * predefined mode carries, and the local state keeps for a client-mode
 * binding, this salted hash. HMAC-SHA-256 keyed by the license's identity
 * (product and license id, as the neutral model shows them), so the same
 * secret gives unrelated hashes for two licenses.
 *
 * It is a fast hash, not a password hash: a secret is meant to be a
 * high-entropy value (a dongle's key, a hash of hardware data). A short
 * human-chosen secret could be guessed from a license offline.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeUtf8 } from '../lib/bytes.ts';

/** The salted hash of `secret` for the license identified by `product` and `licenseId`. */
export function licenseeSecretHash(product: string | null, licenseId: string | number | null, secret: string): Uint8Array {
  const salt = encodeUtf8(`licensekit licensee secret v1\u0000${product ?? ''}\u0000${licenseId ?? ''}`);
  return hmac(sha256, salt, encodeUtf8(secret));
}

/** Compares two hashes in time independent of where they differ. */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
