/**
 * The claims of a native licensekit license: a CWT claims set (RFC 8392) with
 * the registered claims where they fit and licensekit's own claims in the
 * private-use range (integer keys below -65536). The integer keys are a wire
 * format: never renumber one; a new claim takes a new key.
 */

/** How a claim's value is written. */
export type ClaimType = 'text' | 'uint' | 'date' | 'bytes' | 'text[]' | 'map' | 'bool';

/** One claim of the native format (what each means is in `claim-meanings.ts`, kept out of the browser bundles). */
export interface ClaimInfo {
  /** The CBOR map key. */
  readonly key: number;
  readonly type: ClaimType;
}

function claim(key: number, type: ClaimType): ClaimInfo {
  return Object.freeze({ key, type });
}

/**
 * Every claim licensekit reads or writes in a native license or vendor
 * message. Keys 1–7 are CWT's registered claims; the rest are licensekit's
 * private-use claims: -65537 to -65559 the license, -65560 to -65569 the
 * local-state policy (licensee secret, HWID binding, grace), -65570 to -65579
 * vendor messages (resets, revocation lists), -65580 to -65599 offline
 * activation (requests, responses, deactivation receipts: `src/activation/`).
 */
export const NATIVE_CLAIMS = Object.freeze({
  iss: claim(1, 'text'),
  sub: claim(2, 'text'),
  aud: claim(3, 'text'),
  exp: claim(4, 'date'),
  nbf: claim(5, 'date'),
  iat: claim(6, 'date'),
  cti: claim(7, 'bytes'),
  features: claim(-65537, 'uint'),
  entitlements: claim(-65538, 'text[]'),
  machines: claim(-65539, 'text[]'),
  allowedMachines: claim(-65540, 'text[]'),
  maxMachines: claim(-65541, 'uint'),
  fingerprint: claim(-65542, 'text'),
  floatingLease: claim(-65543, 'uint'),
  maxOfflineAge: claim(-65544, 'uint'),
  customer: claim(-65545, 'map'),
  metadata: claim(-65546, 'map'),
  issued: claim(-65547, 'date'),
  notes: claim(-65548, 'text'),
  blocked: claim(-65549, 'bool'),
  licenseeSecretMode: claim(-65560, 'uint'),
  licenseeSecretHash: claim(-65561, 'bytes'),
  bindHwid: claim(-65562, 'bool'),
  graceDays: claim(-65563, 'uint'),
  messageType: claim(-65570, 'text'),
  resetCounter: claim(-65571, 'uint'),
  revocationSequence: claim(-65572, 'uint'),
  revoked: claim(-65573, 'text[]'),
  nonce: claim(-65580, 'bytes'),
  devicePublicKey: claim(-65581, 'bytes'),
  deviceKeyId: claim(-65582, 'text'),
});

/** A claim's name. */
export type ClaimName = keyof typeof NATIVE_CLAIMS;

/** Claim names by CBOR key. */
export const CLAIM_BY_KEY: ReadonlyMap<number, ClaimName> = new Map(
  (Object.keys(NATIVE_CLAIMS) as ClaimName[]).map((name) => [NATIVE_CLAIMS[name].key, name] as const),
);

/** Keys reserved for offline activation (requests, responses, receipts); the ones in use are in {@link NATIVE_CLAIMS}. */
export const RESERVED_CLAIM_KEYS = Object.freeze({ from: -65599, to: -65580 });
