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
  | 'PRODUCT_MISMATCH';

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
});

/** Warnings do not make a license invalid but deserve attention. */
export type WarningCode = 'WEAK_KEY';

/** Every warning code with its explanation. */
export const WARNINGS: Readonly<Record<WarningCode, string>> = Object.freeze({
  WEAK_KEY: 'the RSA key is smaller than 2048 bits (it verifies, but should be replaced)',
});
