/**
 * `inspectLicense` over an entry's own formats, as its `verifyLicense` reads
 * them: `licensekit` in Node, `licensekit/keygen` and `licensekit/netlicensing`
 * export one made here. It also opens an encrypted Keygen file when given its
 * `licenseKey` (and a machine file's `fingerprint`), still without verifying
 * anything; without them it shows the envelope and `license: null`.
 */
import { parseLicense, type FormatAdapter } from './formats/index.ts';
import { inspectionOf, type Inspection } from './inspect.ts';
import { checkOptionsObject, decryptionInput, ownValue, type ResolvedEvaluation } from './rules/options.ts';
import { readInput, resolveMaxInputBytes, type LicenseInput } from './verify.ts';

export type { Inspection } from './inspect.ts';

/** Options of an entry's `inspectLicense`. */
export interface InspectOptions {
  /** Largest input accepted, in bytes (strings: characters). Default 1 MiB. */
  readonly maxInputBytes?: number;
  /** The license key a Keygen encrypted file is encrypted under: with it, inspect decrypts (without verifying). */
  readonly licenseKey?: string;
  /** With `licenseKey`: the machine fingerprint a Keygen machine file is encrypted under. */
  readonly fingerprint?: string;
}

/** How an entry's `inspectLicense` is called. */
export type InspectLicense = (input: LicenseInput, options?: InspectOptions) => Inspection;

const INSPECT_OPTIONS: ReadonlySet<string> = new Set(['maxInputBytes', 'licenseKey', 'fingerprint']);

/**
 * An `inspectLicense` that reads the formats of `adapters`. Options are read
 * as own properties; a bad one is `ERR_OPTION_INVALID`. A wrong license key,
 * or a machine file's missing fingerprint, is the format's typed error
 * (`ERR_LICENSE_KEY_WRONG`, `ERR_LICENSE_KEY_REQUIRED`).
 *
 * @example
 * import { inspectLicense } from 'licensekit/keygen';
 * inspectLicense(licenseFileText).license; // null: encrypted, and no licenseKey given
 * inspectLicense(licenseFileText, { licenseKey: LICENSE_KEY }).license?.expires; // the claims, unverified
 */
export function createInspectLicense(adapters: readonly FormatAdapter<any>[]): InspectLicense {
  return (input, options = {}) => {
    checkOptionsObject(options, 'options', INSPECT_OPTIONS);
    const maxBytes = resolveMaxInputBytes(ownValue(options, 'maxInputBytes'));
    // Only what an encrypted format reads to open its payload: no adapter's `read` uses more of the options.
    const inputs = { licenseKey: decryptionInput(options, 'licenseKey'), fingerprint: decryptionInput(options, 'fingerprint') } as ResolvedEvaluation;
    const { adapter, envelope } = parseLicense(readInput(input, maxBytes), adapters);
    // An encrypted payload (a Keygen aes-256-gcm file) is opened only with the license key given.
    const view = adapter.view(envelope);
    return inspectionOf(adapter, envelope, view, view.encrypted === true && inputs.licenseKey === null ? null : adapter.read(envelope, inputs));
  };
}
