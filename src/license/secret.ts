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
import { encodeUtf8 } from '../lib/bytes.ts';
import { hmacSha256 } from '../lib/hmac.ts';

/** HMAC-SHA-256 of `value`, keyed by a label and the license's identity. */
function identityHash(label: string, product: string | null, licenseId: string | number | null, value: string): Uint8Array {
  return hmacSha256(encodeUtf8(`${label}\u0000${product ?? ''}\u0000${licenseId ?? ''}`), encodeUtf8(value));
}

/** The salted hash of `secret` for the license identified by `product` and `licenseId`. */
export function licenseeSecretHash(product: string | null, licenseId: string | number | null, secret: string): Uint8Array {
  return identityHash('licensekit licensee secret v1', product, licenseId, secret);
}

/**
 * The salted hash of a HWID for the license identified by `product` and
 * `licenseId`: keyed like `licenseeSecretHash` but under another label, so a
 * HWID and a licensee secret with the same text never give the same hash.
 */
export function hwidHash(product: string | null, licenseId: string | number | null, hwid: string): Uint8Array {
  return identityHash('licensekit hwid v1', product, licenseId, hwid);
}

/**
 * What a first-use binding (a client-mode secret, an HWID) is salted with: the
 * license key, which a refreshed license keeps, so a binding survives a
 * refresh that draws a new license id; the id when the license has no key.
 */
export function bindingSalt(license: { readonly key: string | null; readonly id: string | number | null }): string | number | null {
  return license.key ?? license.id;
}

/** Compares two hashes in time independent of where they differ. */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
