/** The NetLicensing claims of a verified license: a few lines that need none of the XML reader. */
import type { License } from '../../license/model.ts';
import type { NetLicensingClaims } from './read.ts';

/**
 * The NetLicensing-only fields of a license read from a NetLicensing file, or
 * `null` for a license of another format.
 * @example
 * const claims = netlicensingClaims(verdict.license);
 * if (claims) console.log(claims.productModules.map((m) => m.licensingModel));
 */
export function netlicensingClaims(license: License): NetLicensingClaims | null {
  return license.format === 'netlicensing' ? (license.claims as unknown as NetLicensingClaims) : null;
}
