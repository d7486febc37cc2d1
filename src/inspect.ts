/**
 * Decoding without judging: what a license file claims, for `licensekit
 * inspect` and support tooling. Nothing here verifies the signature, so the
 * result is marked `verified: false` and must never be used to grant access.
 *
 * This module's `inspectLicense` reads the core formats (native, Cryptolens);
 * the entries that read more (`licensekit` in Node, `licensekit/keygen`,
 * `licensekit/netlicensing`) export one over their own formats, made by
 * `createInspectLicense` (inspect-formats.ts), which also opens Keygen's
 * encrypted files. Kept apart so the 40 KiB browser and IIFE bundles carry
 * none of that.
 */
import { parseLicense, type EnvelopeView, type FormatAdapter } from './formats/index.ts';
import type { SignedEnvelope } from './core/envelope.ts';
import type { License } from './license/model.ts';
import { checkOptionsObject, ownValue } from './rules/options.ts';
import { readInput, resolveMaxInputBytes, type LicenseInput } from './verify.ts';

/** What a license file claims, unverified. */
export interface Inspection {
  readonly verified: false;
  readonly format: string;
  /** The textual or binary form within the format (`json`, `compact`, `armored`, `binary`). */
  readonly form: string;
  readonly algorithm: string;
  /** The key id the license names, or `null`. */
  readonly keyId: string | null;
  readonly signatureBytes: number;
  readonly signedBytes: number;
  /** The envelope's headers and unsigned parts (a saved response's `result`/`message`, COSE headers, a Keygen file's `alg`…). */
  readonly envelope: EnvelopeView;
  /** Unsigned metadata the file carries beside the signed part (a saved Cryptolens response's `metadata`), or `null`. */
  readonly metadata: unknown;
  /**
   * The claims, or `null` when the payload is encrypted and what opens it was not given (a Keygen
   * `aes-256-gcm` file without `licenseKey`): the envelope is still shown.
   */
  readonly license: License | null;
}

const INSPECT_OPTIONS: ReadonlySet<string> = new Set(['maxInputBytes']);

/** Decodes a license file's claims WITHOUT verifying them, in the core formats (native, Cryptolens). Options are read as own properties; a bad one is `ERR_OPTION_INVALID`. */
export function inspectLicense(input: LicenseInput, options: { maxInputBytes?: number } = {}): Inspection {
  checkOptionsObject(options, 'options', INSPECT_OPTIONS);
  const { adapter, envelope } = parseLicense(readInput(input, resolveMaxInputBytes(ownValue(options, 'maxInputBytes'))));
  const view = adapter.view(envelope);
  return inspectionOf(adapter, envelope, view, adapter.read(envelope));
}

/** The inspection of a parsed envelope, its view and its claims (`null`: encrypted, and what opens it was not given). */
export function inspectionOf(adapter: FormatAdapter<any>, envelope: SignedEnvelope, view: EnvelopeView, license: License | null): Inspection {
  return {
    verified: false,
    format: adapter.name,
    form: typeof view.form === 'string' ? view.form : adapter.name,
    algorithm: envelope.algorithm,
    keyId: envelope.keyId,
    signatureBytes: envelope.signature.length,
    signedBytes: envelope.signedBytes.length,
    envelope: view,
    metadata: Object.hasOwn(view, 'metadata') ? view.metadata : null,
    license,
  };
}
