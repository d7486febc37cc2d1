/**
 * HWID binding, as Whop's license keys behave: when the license binds a HWID
 * (its signed `bindHwid`, or the product's `bindHwid` option) and a HWID is
 * given, the first check binds its salted hash in the local state
 * (`hwidToBind` says what to store) and later checks must match it
 * (`HWID_MISMATCH`: a vendor-signed reset clears the binding).
 */
import type { License } from '../license/model.ts';
import { bindingSalt, hwidHash, sameHash } from '../license/secret.ts';
import { check, type CheckResult } from './check-result.ts';
import { checkOptionsObject, resolveStateOptions, type ResolvedStateOptions } from './options.ts';

/** True when the license (or the product's default) binds a HWID. */
function binds(license: License, opts: ResolvedStateOptions): boolean {
  return license.bindHwid || opts.bindHwid === true;
}

/** True when the rule has anything to say: a HWID was given, or the license binds one. */
export function hwidApplies(license: License, opts: ResolvedStateOptions): boolean {
  return opts.hwid !== null || binds(license, opts);
}

/** The HWID check. */
export function hwidCheck(license: License, opts: ResolvedStateOptions): CheckResult {
  const from = license.bindHwid ? 'license policy' : 'product option';
  if (!binds(license, opts)) return check('hwid', null, undefined, 'the license binds no HWID: the HWID given is ignored');
  if (opts.hwid === null) return check('hwid', null, undefined, `the license binds a HWID (${from}), but none was given: not checked`);
  const bound = opts.facts === null ? null : opts.facts.boundHwidHash;
  if (bound === null) return check('hwid', true, undefined, `no HWID bound yet (${from}): this one will be bound on first use`);
  return sameHash(hwidHash(license.product, bindingSalt(license), opts.hwid), bound)
    ? check('hwid', true, undefined, `HWID matches the one bound on first use (${from})`)
    : check('hwid', false, 'HWID_MISMATCH', `the license is bound to another HWID (${from}): a vendor-signed reset clears the binding`);
}

/**
 * What the state layer stores for a HWID binding: the salted hash of the HWID
 * given, when the license binds one (its policy, or the `bindHwid` option), a
 * `hwid` is given and none is bound yet (`facts.boundHwidHash`); otherwise `null`.
 * @example
 * const hash = hwidToBind(verdict.license, { hwid, facts });
 */
export function hwidToBind(license: License, options: unknown): Uint8Array | null {
  checkOptionsObject(options, 'options');
  const opts = resolveStateOptions(options);
  if (!binds(license, opts) || opts.hwid === null || (opts.facts !== null && opts.facts.boundHwidHash !== null)) return null;
  return hwidHash(license.product, bindingSalt(license), opts.hwid);
}
