/**
 * The claims of a native licensekit license: a CWT claims set (RFC 8392) with
 * the registered claims where they fit and licensekit's own claims in the
 * private-use range (integer keys below -65536). The integer keys are a wire
 * format: never renumber one; a new claim takes a new key.
 */

/** How a claim's value is written. */
export type ClaimType = 'text' | 'uint' | 'date' | 'bytes' | 'text[]' | 'map' | 'bool';

/** One claim of the native format. */
export interface ClaimInfo {
  /** The CBOR map key. */
  readonly key: number;
  readonly type: ClaimType;
  /** What it means, for the README table and `inspect`. */
  readonly meaning: string;
}

function claim(key: number, type: ClaimType, meaning: string): ClaimInfo {
  return Object.freeze({ key, type, meaning });
}

/**
 * Every claim licensekit reads or writes in a native license or vendor
 * message. Keys 1–7 are CWT's registered claims; the rest are licensekit's
 * private-use claims: -65537 to -65559 the license, -65560 to -65569 the
 * local-state policy (licensee secret, HWID binding, grace), -65570 to -65579
 * vendor messages (resets, revocation lists), -65580 to -65599 reserved for
 * offline activation.
 */
export const NATIVE_CLAIMS = Object.freeze({
  iss: claim(1, 'text', 'issuer: the vendor'),
  sub: claim(2, 'text', 'subject: the license key'),
  aud: claim(3, 'text', 'audience: the product id (digits for a numeric product)'),
  exp: claim(4, 'date', 'expires (NumericDate); absent = perpetual'),
  nbf: claim(5, 'date', 'not valid before (NumericDate)'),
  iat: claim(6, 'date', 'signed at (NumericDate): the signature-age and clock checks start here'),
  cti: claim(7, 'bytes', 'license id (CWT ID), shown as hex'),
  features: claim(-65537, 'uint', 'feature flags F1–F8 as a bit mask (bit 0 = F1)'),
  entitlements: claim(-65538, 'text[]', 'named entitlements, checked by requireFeatures'),
  machines: claim(-65539, 'text[]', 'activated machine codes (node-locking)'),
  allowedMachines: claim(-65540, 'text[]', 'machine codes always allowed, beyond the limit'),
  maxMachines: claim(-65541, 'uint', 'machine limit; 0 or absent = not node-locked unless machines are listed'),
  fingerprint: claim(-65542, 'text', 'a recorded fingerprint (salted hashes) for tolerant matching'),
  floatingLease: claim(-65543, 'uint', 'floating lease length in seconds'),
  maxOfflineAge: claim(-65544, 'uint', 'maximum offline age in seconds: the license must be re-signed within this long after iat'),
  customer: claim(-65545, 'map', 'customer: {"id", "name", "email", "company"} (text)'),
  metadata: claim(-65546, 'map', 'free metadata: text keys, any CBOR values'),
  issued: claim(-65547, 'date', 'when the license was first issued (iat is when this copy was signed)'),
  notes: claim(-65548, 'text', 'free notes'),
  blocked: claim(-65549, 'bool', 'the vendor has blocked (suspended) this license'),
  licenseeSecretMode: claim(-65560, 'uint', 'licensee secret mode: 0 disabled, 1 predefined, 2 client (bound on first use)'),
  licenseeSecretHash: claim(-65561, 'bytes', 'predefined mode: HMAC-SHA-256 of the secret, keyed by the license id'),
  bindHwid: claim(-65562, 'bool', 'the first validation binds the HWID (a reset message clears it)'),
  graceDays: claim(-65563, 'uint', 'days after expiry during which the license stays valid with the warning EXPIRED_IN_GRACE'),
  messageType: claim(-65570, 'text', 'a vendor message, not a license: "reset" or "revocations"'),
  resetCounter: claim(-65571, 'uint', 'reset message: its number for this license (an older or replayed one is refused)'),
  revocationSequence: claim(-65572, 'uint', 'revocation list: its sequence number (a list older than the stored one is refused)'),
  revoked: claim(-65573, 'text[]', 'revocation list: the revoked license ids (hex) or license keys'),
});

/** A claim's name. */
export type ClaimName = keyof typeof NATIVE_CLAIMS;

/** Claim names by CBOR key. */
export const CLAIM_BY_KEY: ReadonlyMap<number, ClaimName> = new Map(
  (Object.keys(NATIVE_CLAIMS) as ClaimName[]).map((name) => [NATIVE_CLAIMS[name].key, name] as const),
);

/** Keys reserved for the offline-activation claims of a later version. */
export const RESERVED_CLAIM_KEYS = Object.freeze({ from: -65599, to: -65580 });
