/**
 * What each native claim means: the README's claim table and documentation.
 * Kept apart from `claims.ts` so the verifying bundles do not carry the prose.
 */
import type { ClaimName } from './claims.ts';

/** One line per claim. */
export const CLAIM_MEANINGS: Readonly<Record<ClaimName, string>> = Object.freeze({
  iss: 'issuer: the vendor',
  sub: 'subject: the license key',
  aud: 'audience: the product id (digits for a numeric product)',
  exp: 'expires (NumericDate); absent = perpetual',
  nbf: 'not valid before (NumericDate)',
  iat: 'signed at (NumericDate): the signature-age and clock checks start here',
  cti: 'license id (CWT ID), shown as hex',
  features: 'feature flags F1–F8 as a bit mask (bit 0 = F1)',
  entitlements: 'named entitlements, checked by requireFeatures',
  machines: 'activated machine codes (node-locking)',
  allowedMachines: 'machine codes always allowed, beyond the limit',
  maxMachines: 'machine limit; 0 or absent = not node-locked unless machines are listed',
  fingerprint: 'a recorded fingerprint (salted hashes) for tolerant matching',
  floatingLease: 'floating lease length in seconds',
  maxOfflineAge: 'maximum offline age in seconds: the license must be re-signed within this long after iat',
  customer: 'customer: {"id", "name", "email", "company"} (text)',
  metadata: 'free metadata: text keys, any CBOR values',
  issued: 'when the license was first issued (iat is when this copy was signed)',
  notes: 'free notes',
  blocked: 'the vendor has blocked (suspended) this license',
  licenseeSecretMode: 'licensee secret mode: 0 disabled, 1 predefined, 2 client (bound on first use)',
  licenseeSecretHash: 'predefined mode: HMAC-SHA-256 of the secret, keyed by the license id',
  bindHwid: 'the first validation binds the HWID (a reset message clears it)',
  graceDays: 'days after expiry during which the license stays valid with the warning EXPIRED_IN_GRACE',
  messageType: 'a message, not a license: "reset" or "revocations" (vendor), "activation-request" or "deactivation-receipt" (device), "customer-bundle" (vendor)',
  resetCounter: 'reset message: its number for this license (an older or replayed one is refused)',
  revocationSequence: 'revocation list: its sequence number (a list older than the stored one is refused)',
  revoked: 'revocation list: the revoked license ids (hex) or license keys',
  nonce: 'activation: 16 random bytes; a request\'s nonce, carried back by its response (used once), or a receipt\'s id',
  devicePublicKey: 'activation request: the device\'s Ed25519 public key (32 bytes) that signed it',
  deviceKeyId: 'activation response: the RFC 7638 thumbprint of the device key the license is bound to',
});
