/**
 * Many licenses at once, for plugin hosts that check hundreds at start-up.
 * Each license goes through the same layers as `verifyLicense`; the signature
 * checks run in parallel (node: synchronous `crypto.verify` on a small pool
 * of worker threads beside the calling thread, via the backend's optional
 * `verifyParallel`, the calling thread verifying too whenever it would
 * otherwise wait; WebCrypto: its own asynchronous verify) while the calling
 * thread parses the next license.
 *
 * One bad input never sinks the batch: it gets a typed error in its slot.
 * What every item shares (the options and the key) is checked once, first,
 * and a problem there rejects the whole call.
 */
import type { SignatureBackend } from './backends/backend.ts';
import { signatureOutcome, type SignedEnvelope } from './core/envelope.ts';
import type { PublicKey } from './keys/public-key.ts';
import { isLicenseKitError, type CodeOf, type ErrorCode } from './lib/errors.ts';
import type { LicenseInput, Verdict } from './verify.ts';

/**
 * Codes of a batch item's error: the library's codes, plus the two that
 * `ERROR_CODES` gives to `BatchItemError` for what is not a `LicenseKitError`:
 * `ERR_INPUT_TYPE` (the item is neither a string nor a Uint8Array;
 * `verifyLicense` throws a `TypeError`) and `ERR_UNEXPECTED` (anything else
 * thrown while verifying the item, a bug: see `cause`).
 */
export type BatchErrorCode = ErrorCode | CodeOf<'BatchItemError'>;

/** Why one item of a batch has no verdict: what `verifyLicense` would have rejected with. */
export interface BatchItemError {
  /** Stable code, e.g. `ERR_BASE64_INVALID`. */
  readonly code: BatchErrorCode;
  /** The error class name, e.g. `LicenseInputError`. */
  readonly name: string;
  /** Human-readable message. */
  readonly message: string;
  /** The value that was thrown. */
  readonly cause: unknown;
}

/** One slot of `verifyLicenses`' answer, in input order. */
export type BatchResult = { readonly ok: true; readonly verdict: Verdict } | { readonly ok: false; readonly error: BatchItemError };

/**
 * How many items are between "parsed" and "finished" at once. Enough that the
 * calling thread parses while the node worker pool verifies, and verifies
 * itself (work stealing) only when it has nothing left to parse.
 */
const LANES = 1024;

/** Verifies an envelope on the backend's parallel path when it has one; `false` for a bad signature, as `verifySignedEnvelope`. */
export function verifyEnvelopeInParallel(envelope: SignedEnvelope, key: PublicKey, backend: SignatureBackend): Promise<boolean> {
  const pending = backend.verifyParallel
    ? backend.verifyParallel(envelope.algorithm, key, envelope.signedBytes, envelope.signature)
    : backend.verify(envelope.algorithm, key, envelope.signedBytes, envelope.signature);
  return pending.catch(signatureOutcome);
}

/** The item's error, as plain data. */
export function batchItemError(thrown: unknown): BatchItemError {
  if (isLicenseKitError(thrown)) return { code: thrown.code, name: thrown.name, message: thrown.message, cause: thrown };
  const name = thrown instanceof Error ? thrown.name : 'Error';
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { code: 'ERR_UNEXPECTED', name, message, cause: thrown };
}

/** The three steps of one verification, as `createVerifyApi` binds them. `S` is the signature check's answer. */
export interface BatchSteps<P, S> {
  /** Everything before the signature check (size limit, envelope, key fit, backend); throws for unreadable input. */
  prepare(input: LicenseInput): P;
  /** The signature check; never rejects for a bad signature. */
  verify(prepared: P): Promise<S>;
  /** The verdict from the signature's answer and the rules. */
  finish(prepared: P, signature: S): Verdict;
}

/**
 * Runs `steps` over every input, `LANES` at a time, and answers in input
 * order. Never rejects because of one item.
 */
export async function runBatch<P, S>(inputs: readonly unknown[], steps: BatchSteps<P, S>): Promise<BatchResult[]> {
  const results = new Array<BatchResult>(inputs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i];
      if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
        const error = new TypeError('license input must be a string or a Uint8Array');
        results[i] = { ok: false, error: { code: 'ERR_INPUT_TYPE', name: error.name, message: error.message, cause: error } };
        continue;
      }
      try {
        const prepared = steps.prepare(input);
        const signature = await steps.verify(prepared);
        results[i] = { ok: true, verdict: steps.finish(prepared, signature) };
      } catch (error) {
        results[i] = { ok: false, error: batchItemError(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, inputs.length) }, lane));
  return results;
}

/** Copies the caller's list and byte inputs before the first await (the caller may change them while the batch runs). */
export function batchInputs(inputs: Iterable<LicenseInput>): readonly unknown[] {
  if (inputs === null || typeof inputs !== 'object' || typeof (inputs as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError('inputs must be an array (or iterable) of license texts or bytes');
  }
  return Array.from(inputs as Iterable<unknown>, (item) => (item instanceof Uint8Array ? item.slice() : item));
}
