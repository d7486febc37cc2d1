/**
 * Offline (air-gapped) activation: request → response → activate, and
 * deactivate → release. Every step takes and returns text or bytes, so a web
 * back end can keep requests in its database; the CLI is a thin layer over it.
 * No `node:*` import: the program side runs wherever the local state does.
 *
 * @example
 * // On the offline machine:
 * const { text: request } = await createActivationRequest({ state, licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD' });
 * // At the vendor:
 * const { text: response } = await respondToActivationRequest(request, { privateJwk, ledger, days: 365 });
 * // Back on the machine:
 * const { verdict } = await state.activate(response); // nonce, device key and machine checked
 * // Later, to move the seat:
 * const { text: receipt } = await deactivateLicense({ state, licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD' });
 * await releaseReceipt(ledger, receipt); // at the vendor, once
 */
import { OptionError } from '../lib/errors.ts';
import type { LicenseState, RequestActivationOptions, SignedExchangeFile } from '../state/state.ts';

export { REQUEST_LABEL, RECEIPT_LABEL, MAX_EXCHANGE_BYTES } from './armor.ts';
export { readActivationRequest, REQUEST_TYPE, RECEIPT_TYPE, type ActivationRequest } from './request.ts';
export { respondToActivationRequest, type ActivationResponse, type RespondOptions } from './respond.ts';
export { releaseReceipt, type ReleasedSeat, type ReleaseOptions } from './receipt.ts';
export type { DeviceKeyInfo, RequestActivationOptions, SignedExchangeFile } from '../state/state.ts';

function stateOf(options: unknown): LicenseState {
  if (typeof options !== 'object' || options === null || !Object.hasOwn(options, 'state')) throw new OptionError('"options" must be an object with "state"');
  const state = (options as { state: unknown }).state;
  if (typeof state !== 'object' || state === null || typeof (state as LicenseState).requestActivation !== 'function') throw new OptionError('"state" must be a LicenseState (openState)');
  return state as LicenseState;
}

/**
 * Makes an armoured activation request on the offline machine, signed by the
 * state's device key (generated on first use), with a fresh nonce the state
 * remembers. `fingerprint` is the recorded fingerprint, serialised (salted
 * hashes only); `now` defaults to the clock.
 */
export function createActivationRequest(options: RequestActivationOptions & { readonly state: LicenseState }): Promise<SignedExchangeFile> {
  const state = stateOf(options);
  const { state: _, ...rest } = options;
  return state.requestActivation(rest);
}

/** Removes a license from the state and returns the deactivation receipt, signed by the device key, that frees its seat at the vendor. */
export function deactivateLicense(options: { readonly state: LicenseState; readonly licenseKey: string; readonly now?: Date | number }): Promise<SignedExchangeFile> {
  const state = stateOf(options);
  return state.deactivate(options.licenseKey, Object.hasOwn(options, 'now') ? { now: options.now! } : {});
}
