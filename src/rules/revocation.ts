/**
 * Revocation: a license whose id or key is on the stored vendor-signed
 * revocation list fails with `REVOKED`. A numeric id (Cryptolens) is looked up
 * in decimal, a native one in hex, as the license model shows it.
 */
import type { License } from '../license/model.ts';
import { check, type CheckResult } from './check-result.ts';
import type { ResolvedFacts } from './options.ts';

/** The revocation check against the stored list (`facts.revoked` not null). */
export function revocationCheck(license: License, revoked: ReadonlySet<string>, sequence: number | null): CheckResult {
  const list = sequence === null ? 'the stored revocation list' : `revocation list #${sequence}`;
  const id = license.id === null ? null : String(license.id);
  if (id !== null && revoked.has(id)) return check('revocation', false, 'REVOKED', `license id ${id} is on ${list}`);
  if (license.key !== null && revoked.has(license.key)) return check('revocation', false, 'REVOKED', `license key ${license.key} is on ${list}`);
  return check('revocation', true, undefined, `not on ${list}`);
}

/** True when the facts hold a revocation list. */
export function revocationApplies(facts: ResolvedFacts | null): facts is ResolvedFacts & { readonly revoked: ReadonlySet<string> } {
  return facts !== null && facts.revoked !== null;
}
