/**
 * Decoding without judging: what a license file claims, for `licensekit
 * inspect` and support tooling. Nothing here verifies the signature, so the
 * result is marked `verified: false` and must never be used to grant access.
 */
import { parseEnvelope, readLicense } from './formats/index.ts';
import type { License } from './license/model.ts';
import { checkOptionsObject, ownValue } from './rules/options.ts';
import { readInput, resolveMaxInputBytes, type LicenseInput } from './verify.ts';

/** What a license file claims, unverified. */
export interface Inspection {
  readonly verified: false;
  readonly format: string;
  readonly form: string;
  readonly algorithm: string;
  readonly signatureBytes: number;
  readonly signedBytes: number;
  /** The unsigned `metadata` of a saved response, if any. */
  readonly metadata: unknown;
  readonly license: License;
}

const INSPECT_OPTIONS: ReadonlySet<string> = new Set(['maxInputBytes']);

/** Decodes a license file's claims WITHOUT verifying them. Options are read as own properties; a bad one is `ERR_OPTION_INVALID`. */
export function inspectLicense(input: LicenseInput, options: { maxInputBytes?: number } = {}): Inspection {
  checkOptionsObject(options, 'options', INSPECT_OPTIONS);
  const envelope = parseEnvelope(readInput(input, resolveMaxInputBytes(ownValue(options, 'maxInputBytes'))));
  return {
    verified: false,
    format: envelope.format,
    form: envelope.form,
    algorithm: envelope.algorithm,
    signatureBytes: envelope.signature.length,
    signedBytes: envelope.signedBytes.length,
    metadata: envelope.metadata,
    license: readLicense(envelope),
  };
}
