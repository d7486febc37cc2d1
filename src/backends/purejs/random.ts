/**
 * The CSPRNG the pure-JavaScript backend uses for key generation and PS256 salts:
 * `globalThis.crypto.getRandomValues`, captured (bound) ONCE when this module
 * loads and never looked up again, so a script that later replaces
 * `crypto.getRandomValues` cannot feed key generation. There is no fallback
 * (never `Math.random`): without a CSPRNG at load, key generation and PS256
 * signing throw.
 */
import { BackendError } from '../../lib/errors.ts';

type GetRandomValues = (array: Uint8Array) => Uint8Array;

function captureRandom(): GetRandomValues | null {
  try {
    const c = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
    const f = c?.getRandomValues;
    return typeof f === 'function' ? (f.bind(c) as GetRandomValues) : null;
  } catch {
    return null;
  }
}

const getRandomValues = captureRandom();

/** True when this host had a CSPRNG when licensekit loaded. */
export function hasRandomSource(): boolean {
  return getRandomValues !== null;
}

/**
 * `length` cryptographically secure random bytes.
 * Throws `BackendError` `ERR_BACKEND_UNAVAILABLE` when the host has no CSPRNG.
 */
export function randomBytes(length: number, purpose = 'generate keys'): Uint8Array {
  if (getRandomValues === null) {
    throw new BackendError('ERR_BACKEND_UNAVAILABLE', `no CSPRNG (crypto.getRandomValues) on this host when licensekit loaded: cannot ${purpose}`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}
