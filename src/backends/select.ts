/**
 * Picks the backend for a verification: the one the caller forced, or the
 * first of the entry point's defaults that supports the algorithm (and is
 * synchronous, for the sync API).
 *
 * A backend's members are read ONCE, into a frozen record whose every member
 * is an own property (absent optional ones are own `undefined`s): a polluted
 * `Object.prototype.verifySync` can never stand in for a member the backend
 * lacks (WebCrypto has no `verifySync`), and the choice is made from what was
 * captured, never from globals read again.
 */
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import { BackendError, OptionError } from '../lib/errors.ts';
import type { BackendName, SignatureBackend } from './backend.ts';

/** A backend given by name (from the defaults) or as an object. */
export type BackendChoice = BackendName | SignatureBackend;

const BACKEND_NAMES: ReadonlySet<string> = new Set<BackendName>(['node', 'webcrypto', 'purejs', 'forge']);

/**
 * Member `name` of `object`: its own, or its class's (a prototype other than
 * `Object.prototype`), never one inherited from `Object.prototype`.
 */
function member(object: object, name: string): unknown {
  for (let o: object | null = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.hasOwn(o, name)) return (object as Record<string, unknown>)[name];
  }
  return undefined;
}

function method(object: object, name: string, required: boolean): ((...args: never[]) => unknown) | undefined {
  const value = member(object, name);
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'function') {
    throw new OptionError(`"backend.${name}" must be a function${required ? '' : ' when present'}, got ${value === null ? 'null' : typeof value}`);
  }
  return (value as (...args: never[]) => unknown).bind(object);
}

/**
 * Reads a backend's members once into a frozen record (throws `ERR_OPTION_INVALID`,
 * naming the member, for an object that is not a backend).
 */
export function captureBackend(backend: unknown): SignatureBackend {
  if (typeof backend !== 'object' || backend === null || Array.isArray(backend)) {
    throw new OptionError(`"backend" must be a backend name (node, webcrypto, purejs, forge) or a backend object, got ${Array.isArray(backend) ? 'an array' : backend === null ? 'null' : typeof backend}`);
  }
  const name = member(backend, 'name');
  if (typeof name !== 'string' || name.length === 0) throw new OptionError('"backend.name" must be a non-empty string');
  return Object.freeze({
    name,
    supports: method(backend, 'supports', true) as SignatureBackend['supports'],
    verify: method(backend, 'verify', true) as SignatureBackend['verify'],
    verifySync: method(backend, 'verifySync', false) as SignatureBackend['verifySync'],
    verifyParallel: method(backend, 'verifyParallel', false) as SignatureBackend['verifyParallel'],
  });
}

/**
 * The candidates for a `backend` option, validated once per call: the
 * defaults, the one named, or the one given. Throws `ERR_OPTION_INVALID` for
 * a value that is no backend, `ERR_BACKEND_UNAVAILABLE` for a known name this
 * build lacks.
 */
export function backendCandidates(defaults: readonly SignatureBackend[], choice: unknown): readonly SignatureBackend[] {
  if (choice === undefined) return defaults;
  if (typeof choice === 'string') {
    if (!BACKEND_NAMES.has(choice)) throw new OptionError(`"backend" ${JSON.stringify(choice.slice(0, 40))} is not a backend name (node, webcrypto, purejs, forge)`);
    const found = defaults.find((b) => b.name === choice);
    if (!found) throw new BackendError('ERR_BACKEND_UNAVAILABLE', `backend "${choice}" is not available in this build`);
    return [found];
  }
  return [captureBackend(choice)];
}

/** Chooses a backend among captured candidates; throws `ERR_BACKEND_UNAVAILABLE` or `ERR_BACKEND_ASYNC_ONLY` when none fits. */
export function selectBackend(candidates: readonly SignatureBackend[], algorithm: SignatureAlgorithm, sync: boolean): SignatureBackend {
  let asyncOnly: SignatureBackend | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const backend = candidates[i]!;
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
