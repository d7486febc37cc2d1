/**
 * What a Cryptolens license carries beyond the neutral model, kept in
 * `license.claims`: read it with {@link cryptolensClaims}.
 */
import type { License, Party } from '../../license/model.ts';

/** A key/value data object attached to a Cryptolens license. */
export interface CryptolensDataObject {
  readonly id: number | null;
  readonly name: string | null;
  readonly stringValue: string | null;
  readonly intValue: number | null;
}

/** Cryptolens-only fields of a license. */
export interface CryptolensClaims {
  /** License period in days (static; Cryptolens does not decrement it). */
  readonly period: number | null;
  readonly globalId: number | null;
  readonly trialActivation: boolean | null;
  readonly dataObjects: readonly CryptolensDataObject[] | null;
  readonly reseller: Party | null;
  /** Payload fields licensekit does not model, kept verbatim (never fatal). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * The Cryptolens-only fields of a license read from a Cryptolens file, or
 * `null` for a license of another format.
 * @example
 * const claims = cryptolensClaims(verdict.license);
 * if (claims) console.log(claims.dataObjects);
 */
export function cryptolensClaims(license: License): CryptolensClaims | null {
  return license.format === 'cryptolens' ? (license.claims as unknown as CryptolensClaims) : null;
}
