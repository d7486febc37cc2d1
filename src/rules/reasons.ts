/**
 * The stable reason codes a verdict reports, with what each means. The README
 * table and `--help` are written from this one list.
 */

/** Why a license is not valid here and now. */
export type ReasonCode =
  | 'SIGNATURE_INVALID'
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
  EXPIRED: '`Expires` is at or before now − clock tolerance (optionally only when the time-limited F flag is set)',
  BLOCKED: 'the license is blocked (`Block` is true)',
  SIGNATURE_EXPIRED: '`SignDate` + `maxSignatureAgeDays` is at or before now − tolerance: the file must be refreshed online',
  SIGNED_IN_FUTURE: '`SignDate` is later than now + tolerance: the clock was set back, or the file is forged',
  MACHINE_MISMATCH: 'a machine code was given and neither `ActivatedMachines` nor `AllowedMachines` lists it',
  FEATURE_MISSING: 'a required feature (F1–F8, a named feature, or a `cryptolens_features` path) is not granted',
  PRODUCT_MISMATCH: 'the license belongs to another product than the expected `productId`',
});

/** Warnings do not make a license invalid but deserve attention. */
export type WarningCode = 'WEAK_KEY';

/** Every warning code with its explanation. */
export const WARNINGS: Readonly<Record<WarningCode, string>> = Object.freeze({
  WEAK_KEY: 'the RSA key is smaller than 2048 bits (it verifies, but should be replaced)',
});
