/**
 * Picks the backend for a verification: the one the caller forced, or the
 * first of the entry point's defaults that supports the algorithm (and is
 * synchronous, for the sync API).
 */
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import { BackendError } from '../lib/errors.ts';
import type { BackendName, SignatureBackend } from './backend.ts';

/** A backend given by name (from the defaults) or as an object. */
export type BackendChoice = BackendName | SignatureBackend;

/** Chooses a backend; throws `ERR_BACKEND_UNAVAILABLE` or `ERR_BACKEND_ASYNC_ONLY` when none fits. */
export function selectBackend(
  defaults: readonly SignatureBackend[],
  algorithm: SignatureAlgorithm,
  choice: BackendChoice | undefined,
  sync: boolean,
): SignatureBackend {
  let candidates: readonly SignatureBackend[];
  if (choice === undefined) {
    candidates = defaults;
  } else if (typeof choice === 'string') {
    const found = defaults.find((b) => b.name === choice);
    if (!found) throw new BackendError('ERR_BACKEND_UNAVAILABLE', `backend "${choice}" is not available in this build`);
    candidates = [found];
  } else {
    candidates = [choice];
  }
  let asyncOnly: SignatureBackend | undefined;
  for (const backend of candidates) {
    if (!backend.supports(algorithm)) continue;
    if (sync && !backend.verifySync) {
      asyncOnly ??= backend;
      continue;
    }
    return backend;
  }
  if (asyncOnly) {
    throw new BackendError('ERR_BACKEND_ASYNC_ONLY', `backend "${asyncOnly.name}" verifies ${algorithm} asynchronously only; use verifyLicense()`);
  }
  const names = candidates.map((b) => b.name).join(', ') || 'none';
  throw new BackendError('ERR_BACKEND_UNAVAILABLE', `no backend supports ${algorithm} here (tried: ${names})`);
}
