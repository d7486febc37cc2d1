/**
 * The licensee secret, in NetLicensing's three modes. The mode comes from the
 * license's signed policy, else the product's option (`licenseeSecretMode`,
 * for formats without a policy such as Cryptolens files), so a customer cannot
 * downgrade it.
 * - `disabled`: a secret given is ignored (the check does not apply);
 * - `predefined`: the salted hash of the secret given must equal the one the
 *   license carries;
 * - `client`: the first check binds the secret's salted hash in the local
 *   state (`secretToBind` says what to store); from then on it must match.
 * A missing secret is `LICENSEE_SECRET_MISSING`, a wrong one
 * `LICENSEE_SECRET_MISMATCH`. The secret never appears in a check's detail.
 */
import type { License, LicenseeSecretMode } from '../license/model.ts';
import { bindingSalt, licenseeSecretHash, sameHash } from '../license/secret.ts';
import { check, type CheckResult } from './check-result.ts';
import { checkOptionsObject, resolveStateOptions, type ResolvedStateOptions } from './options.ts';

/** True when the rule has anything to say: the license has a policy, or the product a mode, or a secret was given. */
export function licenseeSecretApplies(license: License, opts: ResolvedStateOptions): boolean {
  return license.licenseeSecret !== null || opts.licenseeSecretMode !== null || opts.licenseeSecret !== null;
}

/** The mode in force: the license's signed policy wins over the product's option. */
function modeOf(license: License, opts: ResolvedStateOptions): { mode: LicenseeSecretMode | null; from: string } {
  if (license.licenseeSecret !== null) return { mode: license.licenseeSecret.mode, from: 'license policy' };
  return { mode: opts.licenseeSecretMode, from: 'product option' };
}

/** The licensee-secret check. */
export function licenseeSecretCheck(license: License, opts: ResolvedStateOptions): CheckResult {
  const { mode, from } = modeOf(license, opts);
  const secret = opts.licenseeSecret;
  if (mode === null) return check('licensee-secret', null, undefined, 'no licensee-secret policy: the secret given is ignored');
  if (mode === 'disabled') return check('licensee-secret', null, undefined, `licensee secret disabled (${from}): a secret given is ignored`);
  if (secret === null) return check('licensee-secret', false, 'LICENSEE_SECRET_MISSING', `a licensee secret is required (${mode} mode, ${from}) and none was given`);
  if (mode === 'predefined') {
    const expected = license.licenseeSecret === null ? null : license.licenseeSecret.hash;
    if (expected === null) return check('licensee-secret', false, 'LICENSEE_SECRET_MISMATCH', `predefined mode (${from}), but the license carries no secret hash to match`);
    return sameHash(licenseeSecretHash(license.product, license.id, secret), expected)
      ? check('licensee-secret', true, undefined, `licensee secret matches the predefined one (${from})`)
      : check('licensee-secret', false, 'LICENSEE_SECRET_MISMATCH', `licensee secret does not match the predefined one (${from})`);
  }
  const bound = opts.facts === null ? null : opts.facts.boundSecretHash;
  if (bound === null) return check('licensee-secret', true, undefined, `client mode (${from}): no licensee secret bound yet, this one will be bound on first use`);
  return sameHash(licenseeSecretHash(license.product, bindingSalt(license), secret), bound)
    ? check('licensee-secret', true, undefined, `licensee secret matches the one bound on first use (client mode, ${from})`)
    : check('licensee-secret', false, 'LICENSEE_SECRET_MISMATCH', `licensee secret does not match the one bound on first use (client mode, ${from})`);
}

/**
 * What the state layer stores for a client-mode binding: the salted hash of
 * the secret given (never the secret), when the license is in client mode (by
 * its policy, else the product's option), a secret is given and none is bound
 * yet (`facts.boundSecretHash`); otherwise `null` (nothing to bind).
 * `options` are the evaluation options (validated the same way; `now` is not needed).
 * @example
 * const hash = secretToBind(verdict.license, { licenseeSecret, facts });
 * if (hash !== null) state.bindSecret(verdict.license.id, hash);
 */
export function secretToBind(license: License, options: unknown): Uint8Array | null {
  checkOptionsObject(options, 'options');
  const opts = resolveStateOptions(options);
  const { mode } = modeOf(license, opts);
  if (mode !== 'client' || opts.licenseeSecret === null || (opts.facts !== null && opts.facts.boundSecretHash !== null)) return null;
  return licenseeSecretHash(license.product, bindingSalt(license), opts.licenseeSecret);
}
