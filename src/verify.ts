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
import { checkKeyFits, verifySignedEnvelope, verifySignedEnvelopeSync, type SignedEnvelope } from './core/envelope.ts';
import { FORMAT_ADAPTERS, parseLicense, type FormatAdapter, type Parsed } from './formats/index.ts';
import { ALGORITHMS, isSignatureAlgorithm, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './lib/algorithms.ts';
import { LicenseInputError, OptionError } from './lib/errors.ts';
import { keyFitsAlgorithm, type PublicKey } from './keys/public-key.ts';
import { candidateKeys, importKeyRing, type KeyRing, type KeyRingEntry, type KeyRingInput } from './keys/ring.ts';
import { createVerifiedLicense, type VerifiedLicense } from './license/verified.ts';
import { evaluateLicense, SIGNATURE_OK, type CheckResult, type FormatStatus } from './rules/evaluate.ts';
import { isoDateTime } from './rules/iso-date.ts';
import { describe, ownValue, resolveEvaluation, type EvaluationOptions, type ResolvedEvaluation } from './rules/options.ts';
import type { ReasonCode, WarningCode } from './rules/reasons.ts';

/** Default input size limit: 1 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

/** Options of `verifyLicense`. */
export interface VerifyOptions extends EvaluationOptions {
  /**
   * The vendor's public key (RSAKeyValue XML, PEM, JWK, or an imported
   * PublicKey), or a key ring: an array of keys or of `{ key, notAfter?, kid? }`,
   * or a JWK Set `{ "keys": [...] }`. A license that names a key id is checked
   * with that key; one that names none, with each key that fits its algorithm.
   */
  readonly key: KeyRingInput;
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
  /** The key id the license names (a native license's `kid`), or `null`. */
  readonly licenseKeyId: string | null;
  /** The id (RFC 7638 thumbprint) of the key of the ring that verified the signature, or `null` when none did. */
  readonly keyId: string | null;
  /** The format's own status view (Cryptolens' `LicenseStatus`), `null` when the format has none or the signature failed. */
  readonly status: FormatStatus | null;
}

/**
 * The answer: valid or not, and every reason why not. When `valid` is true the
 * license and status are there; when false, `license` is `null` exactly when
 * the signature did not verify (its claims are then untrusted).
 */
export type Verdict =
  | (VerdictDetails & { readonly valid: true; readonly license: VerifiedLicense })
  | (VerdictDetails & { readonly valid: false; readonly license: VerifiedLicense | null });

/** Input accepted by `verifyLicense`: the license text, or its bytes. */
export type LicenseInput = string | Uint8Array;

interface Prepared {
  parsed: Parsed;
  /** The ring's keys that may have signed it, in order (at least one). */
  keys: readonly KeyRingEntry[];
  backend: SignatureBackend;
  resolved: ResolvedEvaluation;
}

/**
 * Applies the size limit; shared with `inspectLicense`. The input goes on as
 * it came (text or bytes): each format adapter decodes what it needs, so a
 * binary license is never forced through a text decoder.
 */
export function readInput(input: LicenseInput, maxBytes: number): string | Uint8Array {
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `license input of ${input.length} characters exceeds the limit of ${maxBytes}`);
    return input;
  }
  if (!(input instanceof Uint8Array)) throw new TypeError('license input must be a string or a Uint8Array');
  if (input.length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `license input of ${input.length} bytes exceeds the limit of ${maxBytes}`);
  return input;
}

/** What every license checked with one `options` shares: validated once, key imported once, `now` read once. */
export interface Shared {
  /** The formats this entry reads (Keygen's only where the entry carries it). */
  adapters: readonly FormatAdapter<any>[];
  maxBytes: number;
  algorithms: readonly SignatureAlgorithm[] | null;
  backends: readonly SignatureBackend[];
  resolved: ResolvedEvaluation;
  ring: KeyRing;
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
  if (!Array.isArray(value) || value.length === 0) throw new OptionError(`"algorithms" must be a non-empty array of algorithm names (${SIGNATURE_ALGORITHMS.join(', ')}), got ${describe(value)}`);
  const out: SignatureAlgorithm[] = [];
  for (let i = 0; i < value.length; i++) {
    const name: unknown = Object.hasOwn(value, i) ? value[i] : undefined;
    if (!isSignatureAlgorithm(name)) throw new OptionError(`"algorithms[${i}]" must be an algorithm name (${SIGNATURE_ALGORITHMS.join(', ')}), got ${describe(name)}`);
    out.push(name);
  }
  return out;
}

/**
 * Validates every option (own properties only; `ERR_OPTION_INVALID` naming
 * the option) and imports the key; throws on misuse or a key problem.
 */
function prepareShared(options: VerifyOptions, defaults: readonly SignatureBackend[], adapters: readonly FormatAdapter<any>[]): Shared {
  const resolved = resolveEvaluation(options); // also refuses a non-object and unknown option names
  const key = ownValue(options, 'key');
  if (key === undefined || key === null) throw new OptionError('"key" is required (the vendor public key: RSAKeyValue XML, PEM, JWK or an imported PublicKey)');
  if (typeof key !== 'string' && typeof key !== 'object') throw new OptionError(`"key" must be a string, Uint8Array, JWK object or imported PublicKey, got ${describe(key)}`);
  return {
    maxBytes: resolveMaxInputBytes(ownValue(options, 'maxInputBytes')),
    algorithms: resolveAlgorithms(ownValue(options, 'algorithms')),
    backends: backendCandidates(defaults, ownValue(options, 'backend')),
    resolved,
    ring: importKeyRing(key as KeyRingInput),
    adapters,
  };
}

/**
 * Where an API gets the `Shared` of an options object: `prepare` validates it from scratch. By default every call
 * prepares; Node's entry installs a memo that reuses what an unchanged options object resolved to
 * (src/options-memo.ts, installed by src/index.node.ts, so that the browser and IIFE bundles, which must stay within
 * their size budget, do not carry it). `memos` is the API's own store.
 */
export type SharedSource = (options: VerifyOptions, memos: WeakMap<object, unknown>, prepare: (options: VerifyOptions) => Shared) => Shared;
let sharedSource: SharedSource | null = null;

/** @internal Installs the options memo for every verification API (see {@link SharedSource}). */
export function useSharedSource(source: SharedSource): void {
  sharedSource = source;
}

/** Everything before the signature check for one input: size limit, envelope, the candidate keys, backend. */
function prepareInput(input: LicenseInput, shared: Shared, sync: boolean): Prepared {
  const parsed = parseLicense(readInput(input, shared.maxBytes), shared.adapters, shared); // `shared.algorithms`: the parse hint
  const { envelope } = parsed;
  const { entries } = shared.ring;
  // One key, and a license naming none or one of that key's ids: that key is the only candidate, as `candidateKeys`
  // would say (fitting or not), without its closures and arrays.
  const keys =
    entries.length === 1 && (envelope.keyId === null || entries[0]!.ids.includes(envelope.keyId))
      ? entries
      : candidateKeys(shared.ring, envelope.keyId, (key) => keyFitsAlgorithm(key, envelope.algorithm));
  // Throws the typed error (algorithm not allowed, or no key of the ring fits the algorithm).
  checkKeyFits(envelope, keys[0]!.key, shared.algorithms);
  const backend = selectBackend(shared.backends, envelope.algorithm, sync);
  return { parsed, keys: keys.length === 1 ? keys : keys.filter((k) => keyFitsAlgorithm(k.key, envelope.algorithm)), backend, resolved: shared.resolved };
}

/** Tries each candidate key in turn; the entry that verified, or `null`. */
function verifyCandidatesSync(p: Prepared): KeyRingEntry | null {
  const { keys } = p;
  for (let i = 0; i < keys.length; i++) if (verifySignedEnvelopeSync(p.parsed.envelope, keys[i]!.key, p.backend)) return keys[i]!;
  return null;
}

async function verifyCandidates(p: Prepared, verify: (envelope: SignedEnvelope, key: PublicKey, backend: SignatureBackend) => Promise<boolean>): Promise<KeyRingEntry | null> {
  for (const entry of p.keys) if (await verify(p.parsed.envelope, entry.key, p.backend)) return entry;
  return null;
}

const NO_WARNINGS: readonly WarningCode[] = Object.freeze([]);
const WEAK: readonly WarningCode[] = Object.freeze(['WEAK_KEY']);
const SIGNATURE_FAILED: readonly CheckResult[] = Object.freeze([
  Object.freeze({ check: 'signature', ok: false, reason: 'SIGNATURE_INVALID', detail: 'signature does not verify under this key' } as const),
]);

/** The key's warnings, then `WEAK_ALGORITHM` for a broken hash (RS1), then the format's own (`adapter.warnings`); `base` itself when none is added. */
function envelopeWarnings(base: readonly WarningCode[], { adapter, envelope }: Parsed): readonly WarningCode[] {
  const weakHash = ALGORITHMS[envelope.algorithm].weakHash;
  const own = adapter.warnings ? adapter.warnings(envelope) : NO_WARNINGS;
  if (!weakHash && own.length === 0) return base;
  return weakHash ? [...base, 'WEAK_ALGORITHM', ...own] : [...base, ...own];
}

function finish(p: Prepared, signer: KeyRingEntry | null): Verdict {
  const key = (signer ?? p.keys[0]!).key;
  const warnings = envelopeWarnings(key.weak ? WEAK : NO_WARNINGS, p.parsed);
  const { nowMs, toleranceMs } = p.resolved;
  const now = new Date(nowMs);
  const backend = String(p.backend.name);
  const { adapter, envelope } = p.parsed;
  const format = adapter.name;
  const { algorithm, keyId: licenseKeyId } = envelope;
  if (signer === null) {
    return { valid: false, reasons: ['SIGNATURE_INVALID'], checks: SIGNATURE_FAILED, license: null, status: null, warnings, format, algorithm, keyBits: key.bits, backend, now, licenseKeyId, keyId: null };
  }
  const license = createVerifiedLicense(adapter.read(envelope, p.resolved), adapter.status);
  const checks: CheckResult[] = [SIGNATURE_OK];
  const notAfter = signer.notAfterMs;
  if (notAfter !== null) {
    checks.push(
      notAfter < nowMs - toleranceMs
        ? { check: 'key', ok: false, reason: 'KEY_RETIRED', detail: `key ${signer.kid} was retired ${isoDateTime(notAfter)}` }
        : { check: 'key', ok: true, detail: `key ${signer.kid} is accepted until ${isoDateTime(notAfter)}` },
    );
  }
  const e = evaluateLicense(license, p.resolved, checks);
  const status = adapter.status ? ((adapter.status(license, p.resolved) as FormatStatus | undefined) ?? null) : null;
  // The key's warnings first, then the rules' (EXPIRED_IN_GRACE); the shared frozen arrays when the rules add none.
  const all = e.warnings.length === 0 ? warnings : [...warnings, ...e.warnings];
  return { valid: e.valid, reasons: e.reasons, checks: e.checks, license, status, warnings: all, format, algorithm, keyBits: key.bits, backend, now, licenseKeyId, keyId: signer.kid } as Verdict;
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

/**
 * Builds the API over a list of default backends, in order of preference (their members are captured now),
 * reading the formats of `adapters` (default {@link FORMAT_ADAPTERS}; the Node entry and `licensekit/keygen` add Keygen's).
 */
export function createVerifyApi(defaults: readonly SignatureBackend[], adapters: readonly FormatAdapter<any>[] = FORMAT_ADAPTERS): VerifyApi {
  const captured = Object.freeze(defaults.map(captureBackend));
  const memos = new WeakMap<object, unknown>();
  const prepare = (options: VerifyOptions): Shared => prepareShared(options, captured, adapters);
  const sharedFor = (options: VerifyOptions): Shared => (sharedSource === null ? prepare(options) : sharedSource(options, memos, prepare));
  return {
    async verifyLicense(input, options) {
      const p = prepareInput(input, sharedFor(options), false);
      // A synchronous backend (node:crypto, pure JS) answers in this tick either way: skip two promise hops.
      if (p.backend.verifySync) return finish(p, verifyCandidatesSync(p));
      // The envelope holds its own copy of the bytes: a caller mutating its input during the await changes nothing.
      return finish(p, await verifyCandidates(p, verifySignedEnvelope));
    },
    verifyLicenseSync(input, options) {
      const p = prepareInput(input, sharedFor(options), true);
      return finish(p, verifyCandidatesSync(p));
    },
    async verifyLicenses(inputs, options) {
      const shared = sharedFor(options);
      return runBatch(batchInputs(inputs), {
        prepare: (input) => prepareInput(input, shared, false),
        verify: (p) => verifyCandidates(p, verifyEnvelopeInParallel),
        finish,
      });
    },
  };
}
