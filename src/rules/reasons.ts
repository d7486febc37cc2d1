/**
 * The stable reason codes a verdict reports, with what each means. The README
 * table and `--help` are written from this one list.
 */

/** Why a license is not valid here and now. */
export type ReasonCode =
  | 'SIGNATURE_INVALID'
  | 'KEY_RETIRED'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'BLOCKED'
  | 'SIGNATURE_EXPIRED'
  | 'SIGNED_IN_FUTURE'
  | 'MACHINE_MISMATCH'
  | 'FEATURE_MISSING'
  | 'PRODUCT_MISMATCH'
  | 'CLOCK_ROLLED_BACK'
  | 'LICENSEE_SECRET_MISSING'
  | 'LICENSEE_SECRET_MISMATCH'
  | 'HWID_MISMATCH'
  | 'REVOKED'
  | 'ACTIVATION_NONCE_UNKNOWN'
  | 'ACTIVATION_NONCE_USED'
  | 'DEVICE_MISMATCH';

/** Every reason code with a one-line explanation, in the order checks run. */
export const REASONS: Readonly<Record<ReasonCode, string>> = Object.freeze({
  SIGNATURE_INVALID: 'the signature does not verify under the key: the file was altered or signed by someone else',
  KEY_RETIRED: 'the key that signed the license was retired (its `notAfter` in the key ring has passed): licenses signed with it are no longer accepted',
  NOT_YET_VALID: 'the license is not valid before its not-before date (native `nbf`), later than now + tolerance',
  EXPIRED: 'the expiry date is at or before now − clock tolerance (optionally only when the time-limited F flag is set)',
  BLOCKED: 'the license is blocked (suspended) by the vendor',
  SIGNATURE_EXPIRED: 'the signing date + the maximum signature age (`maxSignatureAgeDays`, or the license\'s own maximum offline age) is at or before now − tolerance: the file must be refreshed',
  SIGNED_IN_FUTURE: 'the signing date is later than now + tolerance: the clock was set back, or the file is forged',
  MACHINE_MISMATCH: 'a machine code was given and the license neither lists it as activated (or holding a running floating lease) nor as allowed',
  FEATURE_MISSING: 'a required feature (F1–F8, a named feature, or an entitlement / `cryptolens_features` path) is not granted',
  PRODUCT_MISMATCH: 'the license belongs to another product than the expected `productId`',
  CLOCK_ROLLED_BACK: 'now is earlier than the latest trusted time the local state saw, less the tolerance; or, on a first run, the machine holds a file modified later than now + tolerance: the clock was set back',
  LICENSEE_SECRET_MISSING: 'the license (or the product) asks for a licensee secret in predefined or client mode and none was given',
  LICENSEE_SECRET_MISMATCH: 'the licensee secret given does not match the predefined one the license carries, or the one bound on first use (client mode)',
  HWID_MISMATCH: 'the license binds a HWID, and the HWID given is not the one bound on first use: a vendor-signed reset clears the binding',
  REVOKED: 'the license\'s id or key is on the stored vendor-signed revocation list',
  ACTIVATION_NONCE_UNKNOWN: 'an activation response carries a nonce that no pending request of this state made: it answers another machine\'s (or state\'s) request',
  ACTIVATION_NONCE_USED: 'an activation response carries the nonce of a request this state already activated: it was replayed',
  DEVICE_MISMATCH: 'an activation response is bound to another device key than this state\'s: it was made for another machine or state',
});

/** Warnings do not make a license invalid but deserve attention. */
export type WarningCode = 'WEAK_KEY' | 'EXPIRED_IN_GRACE' | 'WEAK_ALGORITHM' | 'SIGNED_RESERIALISATION';

/** Every warning code with its explanation. */
export const WARNINGS: Readonly<Record<WarningCode, string>> = Object.freeze({
  WEAK_KEY: 'the RSA key is smaller than 2048 bits (it verifies, but should be replaced)',
  EXPIRED_IN_GRACE: 'the license has expired but is within its grace period (`graceDays`): it stays valid until the date the expiry check names',
  WEAK_ALGORITHM: 'the signature uses a hash broken for collisions (SHA-1, as NetLicensing\'s XML-DSig rsa-sha1): it verifies, but the format should move to SHA-256',
  SIGNED_RESERIALISATION: 'the format signs a re-serialisation of the license\'s values, not the bytes received (Cryptolens SignMethod=0): licensekit rebuilds it strictly, but re-save the file with SignMethod=1',
});
