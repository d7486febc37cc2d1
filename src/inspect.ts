/**
 * Decoding without judging: what a license file claims, for `licensekit
 * inspect` and support tooling. Nothing here verifies the signature, so the
 * result is marked `verified: false` and must never be used to grant access.
 */
import { parseEnvelope, readLicense } from './formats/index.ts';
import type { License } from './license/model.ts';
import { DEFAULT_MAX_INPUT_BYTES, type LicenseInput } from './verify.ts';
import { decodeUtf8 } from './lib/bytes.ts';
import { LicenseInputError } from './lib/errors.ts';

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

/** Decodes a license file's claims WITHOUT verifying them. */
export function inspectLicense(input: LicenseInput, options: { maxInputBytes?: number } = {}): Inspection {
  const max = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const size = input.length;
  if (size > max) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `license input of ${size} exceeds the limit of ${max}`);
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (text === null) throw new LicenseInputError('ERR_INPUT_NOT_JSON', 'license input is not UTF-8 text');
  const envelope = parseEnvelope(text);
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
