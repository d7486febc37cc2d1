/**
 * The verification API: `verifyLicense` (async, every backend) and
 * `verifyLicenseSync` (where the backend is synchronous). Layers, in order:
 * size limit → envelope shape → signature over the exact bytes received →
 * payload → every rule. A license that parses but fails any check is a
 * verdict; only unreadable input, key problems and misuse throw.
 */
import type { SignatureBackend } from './backends/backend.ts';
import { batchInputs, runBatch, verifyEnvelopeInParallel, type BatchResult } from './batch.ts';
import { backendCandidates, captureBackend, selectBackend, type BackendChoice } from './backends/select.ts';
import { checkKeyFits, verifySignedEnvelope, verifySignedEnvelopeSync } from './core/envelope.ts';
import { parseEnvelope, readLicense, type AnyEnvelope } from './formats/index.ts';
import { isSignatureAlgorithm, type SignatureAlgorithm } from './lib/algorithms.ts';
import { decodeUtf8 } from './lib/bytes.ts';
import { LicenseInputError, OptionError } from './lib/errors.ts';
import { importPublicKeyCached } from './keys/cache.ts';
import type { KeyInput } from './keys/import.ts';
import type { PublicKey } from './keys/public-key.ts';
import { createVerifiedLicense, type VerifiedLicense } from './license/verified.ts';
import { evaluateLicense, type CheckResult } from './rules/evaluate.ts';
import { describe, ownValue, resolveEvaluation, type EvaluationOptions, type ResolvedEvaluation } from './rules/options.ts';
import type { ReasonCode, WarningCode } from './rules/reasons.ts';
import type { LicenseStatus } from './rules/status.ts';

/** Default input size limit: 1 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

/** Options of `verifyLicense`. */
export interface VerifyOptions extends EvaluationOptions {
  /** The vendor's public key: RSAKeyValue XML, PEM, JWK, or an imported PublicKey. */
  readonly key: KeyInput;
  /** Force a backend by name or object (default: the entry point's first that fits). */
  readonly backend?: BackendChoice;
  /** Largest input accepted, in bytes (strings: characters). Default 1 MiB. */
  readonly maxInputBytes?: number;
  /** Allowed signature algorithms (default: any the format prescribes). */
  readonly algorithms?: readonly SignatureAlgorithm[];
}

/** What every verdict carries, valid or not. */
export interface VerdictDetails {
  /** Every failing check's code (empty when valid). */
  readonly reasons: readonly ReasonCode[];
  /** Every check that ran, passed or failed, with details. */
  readonly checks: readonly CheckResult[];
  /** Things that do not invalidate the license but deserve attention (e.g. `WEAK_KEY`). */
  readonly warnings: readonly WarningCode[];
  /** The format the license came in. */
  readonly format: string;
  /** The signature algorithm. */
  readonly algorithm: SignatureAlgorithm;
  /** Size of the verifying key in bits. */
  readonly keyBits: number;
  /** The backend that verified. */
  readonly backend: string;
  /** The time the rules were evaluated at. */
  readonly now: Date;
}

/**
 * The answer: valid or not, and every reason why not. When `valid` is true the
 * license and status are there; when false, `license` is `null` exactly when
 * the signature did not verify (its claims are then untrusted).
 */
export type Verdict =
  | (VerdictDetails & { readonly valid: true; readonly license: VerifiedLicense; readonly status: LicenseStatus })
  | (VerdictDetails & { readonly valid: false; readonly license: VerifiedLicense | null; readonly status: LicenseStatus | null });

/** Input accepted by `verifyLicense`: the license text, or its bytes. */
export type LicenseInput = string | Uint8Array;

interface Prepared {
  envelope: AnyEnvelope;
  key: PublicKey;
  backend: SignatureBackend;
  resolved: ResolvedEvaluation;
}

/** Applies the size limit and decodes bytes as UTF-8; shared with `inspectLicense`. */
export function readInput(input: LicenseInput, maxBytes: number): string {
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `license input of ${input.length} characters exceeds the limit of ${maxBytes}`);
    return input;
  }
  if (!(input instanceof Uint8Array)) throw new TypeError('license input must be a string or a Uint8Array');
  if (input.length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `license input of ${input.length} bytes exceeds the limit of ${maxBytes}`);
  const text = decodeUtf8(input);
  if (text === null) throw new LicenseInputError('ERR_INPUT_NOT_JSON', 'license input is not UTF-8 text');
  return text;
}

/** What every license checked with one `options` shares: validated once, key imported once, `now` read once. */
interface Shared {
  maxBytes: number;
  algorithms: readonly SignatureAlgorithm[] | null;
  backends: readonly SignatureBackend[];
  resolved: ResolvedEvaluation;
  key: PublicKey;
}

/** Validates `maxInputBytes` (a positive safe integer; `undefined` is the default). */
export function resolveMaxInputBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_INPUT_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new OptionError(`"maxInputBytes" must be a positive integer, got ${describe(value)}`);
  return value;
}

/** Validates `algorithms`: a non-empty array of known algorithm names, copied. */
function resolveAlgorithms(value: unknown): readonly SignatureAlgorithm[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0) throw new OptionError(`"algorithms" must be a non-empty array of algorithm names (RS256, EdDSA), got ${describe(value)}`);
  const out: SignatureAlgorithm[] = [];
  for (let i = 0; i < value.length; i++) {
    const name: unknown = Object.hasOwn(value, i) ? value[i] : undefined;
    if (!isSignatureAlgorithm(name)) throw new OptionError(`"algorithms[${i}]" must be an algorithm name (RS256, EdDSA), got ${describe(name)}`);
    out.push(name);
  }
  return out;
}

/**
 * Validates every option (own properties only; `ERR_OPTION_INVALID` naming
 * the option) and imports the key; throws on misuse or a key problem.
 */
function prepareShared(options: VerifyOptions, defaults: readonly SignatureBackend[]): Shared {
  const resolved = resolveEvaluation(options); // also refuses a non-object and unknown option names
  const key = ownValue(options, 'key');
  if (key === undefined || key === null) throw new OptionError('"key" is required (the vendor public key: RSAKeyValue XML, PEM, JWK or an imported PublicKey)');
  if (typeof key !== 'string' && typeof key !== 'object') throw new OptionError(`"key" must be a string, Uint8Array, JWK object or imported PublicKey, got ${describe(key)}`);
  return {
    maxBytes: resolveMaxInputBytes(ownValue(options, 'maxInputBytes')),
    algorithms: resolveAlgorithms(ownValue(options, 'algorithms')),
    backends: backendCandidates(defaults, ownValue(options, 'backend')),
    resolved,
    key: importPublicKeyCached(key as KeyInput),
  };
}

/** Everything before the signature check for one input: size limit, envelope, key fit, backend. */
function prepareInput(input: LicenseInput, shared: Shared, sync: boolean): Prepared {
  const envelope = parseEnvelope(readInput(input, shared.maxBytes));
  checkKeyFits(envelope, shared.key, shared.algorithms);
  const backend = selectBackend(shared.backends, envelope.algorithm, sync);
  return { envelope, key: shared.key, backend, resolved: shared.resolved };
}

const NO_WARNINGS: readonly WarningCode[] = Object.freeze([]);
const WEAK: readonly WarningCode[] = Object.freeze(['WEAK_KEY']);
const SIGNATURE_FAILED: readonly CheckResult[] = Object.freeze([
  Object.freeze({ check: 'signature', ok: false, reason: 'SIGNATURE_INVALID', detail: 'signature does not verify under this key' } as const),
]);

function finish(p: Prepared, signatureOk: boolean): Verdict {
  const warnings = p.key.weak ? WEAK : NO_WARNINGS;
  const now = new Date(p.resolved.nowMs);
  const backend = String(p.backend.name);
  const { format, algorithm } = p.envelope;
  if (!signatureOk) {
    return { valid: false, reasons: ['SIGNATURE_INVALID'], checks: SIGNATURE_FAILED, license: null, status: null, warnings, format, algorithm, keyBits: p.key.bits, backend, now };
  }
  const license = createVerifiedLicense(readLicense(p.envelope));
  const e = evaluateLicense(license, p.resolved);
  return { valid: e.valid, reasons: e.reasons, checks: e.checks, license, status: e.status, warnings, format, algorithm, keyBits: p.key.bits, backend, now } as Verdict;
}

/** The verification functions bound to an entry point's default backends. */
export interface VerifyApi {
  /**
   * Verifies a license and evaluates every rule. Resolves a verdict; rejects
   * only with a typed error for unreadable input, a key problem or misuse.
   * @example
   * const verdict = await verifyLicense(text, { key: publicKeyXml, machineCode, requireFeatures: [1] });
   * if (!verdict.valid) console.log(verdict.reasons);
   */
  verifyLicense(input: LicenseInput, options: VerifyOptions): Promise<Verdict>;
  /** Synchronous `verifyLicense`; throws `ERR_BACKEND_ASYNC_ONLY` on an async-only backend (WebCrypto). */
  verifyLicenseSync(input: LicenseInput, options: VerifyOptions): Verdict;
  /**
   * Verifies many licenses under one key, in parallel (node: worker threads
   * beside the calling thread; elsewhere WebCrypto), answering in input order. Item `i` is
   * `{ ok: true, verdict }` with what `verifyLicense(inputs[i], options)`
   * resolves, or `{ ok: false, error: { code, name, message, cause } }` with
   * what it would reject with: one bad input never sinks the batch. Misuse
   * and key problems (shared by every item) reject the whole call. `now`,
   * when omitted, is read once for the whole batch.
   * @example
   * const results = await verifyLicenses(texts, { key: publicKeyXml, machineCode });
   * const valid = results.filter((r) => r.ok && r.verdict.valid).length;
   */
  verifyLicenses(inputs: Iterable<LicenseInput>, options: VerifyOptions): Promise<BatchResult[]>;
}

/** Builds the API over a list of default backends, in order of preference (their members are captured now). */
export function createVerifyApi(defaults: readonly SignatureBackend[]): VerifyApi {
  const captured = Object.freeze(defaults.map(captureBackend));
  return {
    async verifyLicense(input, options) {
      const p = prepareInput(input, prepareShared(options, captured), false);
      // A synchronous backend (node:crypto, pure JS) answers in this tick either way: skip two promise hops.
      if (p.backend.verifySync) return finish(p, verifySignedEnvelopeSync(p.envelope, p.key, p.backend));
      // The envelope holds freshly decoded bytes: a caller mutating its input during the await changes nothing.
      return finish(p, await verifySignedEnvelope(p.envelope, p.key, p.backend));
    },
    verifyLicenseSync(input, options) {
      const p = prepareInput(input, prepareShared(options, captured), true);
      return finish(p, verifySignedEnvelopeSync(p.envelope, p.key, p.backend));
    },
    async verifyLicenses(inputs, options) {
      const shared = prepareShared(options, captured);
      return runBatch(batchInputs(inputs), {
        prepare: (input) => prepareInput(input, shared, false),
        verify: (p) => verifyEnvelopeInParallel(p.envelope, p.key, p.backend),
        finish,
      });
    },
  };
}
