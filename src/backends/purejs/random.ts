/**
 * The CSPRNG the pure-JavaScript backend uses for key generation:
 * `globalThis.crypto.getRandomValues`, looked up at call time. There is no
 * fallback (never `Math.random`): without it key generation throws.
 */
import { BackendError } from '../../lib/errors.ts';

interface RandomSource {
  getRandomValues(array: Uint8Array): Uint8Array;
}

/** True when a CSPRNG is available on this host. */
export function hasRandomSource(): boolean {
  return source() !== undefined;
}

function source(): RandomSource | undefined {
  const c = (globalThis as { crypto?: Partial<RandomSource> }).crypto;
  return c && typeof c.getRandomValues === 'function' ? (c as RandomSource) : undefined;
}

/**
 * `length` cryptographically secure random bytes.
 * Throws `BackendError` `ERR_BACKEND_UNAVAILABLE` when the host has no CSPRNG.
 */
export function randomBytes(length: number): Uint8Array {
  const rng = source();
  if (!rng) {
    throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'no CSPRNG (globalThis.crypto.getRandomValues) on this host: cannot generate keys');
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) rng.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}
