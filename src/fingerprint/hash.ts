/**
 * Salted, stretched hashing of component values, and the machine code digest.
 *
 * Every identifying component value is hashed with scrypt (N = 2^14, r = 8,
 * p = 1: 16 MiB and about 37 ms of one core per evaluation on the reference
 * machine) salted with the product and the component name, so that two vendors
 * see unrelated hashes for the same machine, a license never carries a serial,
 * and guessing a low-entropy value (a MAC whose vendor prefix is known leaves
 * 2^24 candidates) costs one scrypt evaluation per guess instead of one HMAC.
 * The CPU descriptor (a model name, public and from a small dictionary) keeps
 * a plain HMAC: stretching it would protect nothing.
 *
 * Each (product, component, value) is stretched once per process and
 * remembered, so later fingerprints, refreshed collections and other calls in
 * the same process cost microseconds; {@link stretchComponentValues} computes a
 * batch on libuv's thread pool so the first fingerprint never blocks the event
 * loop for the KDF. Node-only (node:crypto), like the rest of `licensekit/fingerprint`.
 */
import { createHash, createHmac, scrypt, scryptSync } from 'node:crypto';
import { FingerprintError } from '../lib/errors.ts';
import { COMPONENTS, type ComponentName } from './components.ts';

/** Length in hex characters of a component hash (128 bits: ample against collisions, compact in a license). */
export const COMPONENT_HASH_HEX_LENGTH = 32;

/**
 * The key-stretching function of identifying components (recorded fingerprint
 * format version 2). Changing any parameter changes every hash and machine code:
 * it needs a new format version.
 */
export const COMPONENT_KDF = Object.freeze({ name: 'scrypt', N: 2 ** 14, r: 8, p: 1, keyLength: COMPONENT_HASH_HEX_LENGTH / 2 } as const);

/** Domain separation, so these hashes can never collide with another use of the same salt. */
const COMPONENT_DOMAIN = 'licensekit/fingerprint/v2';
const DESCRIPTOR_DOMAIN = 'licensekit/fingerprint/v1';
const MACHINE_CODE_DOMAIN = 'licensekit/machine-code/v1';
/** scrypt needs 128 · N · r bytes (16 MiB); leave headroom above Node's 32 MiB default. */
const KDF_OPTIONS = { N: COMPONENT_KDF.N, r: COMPONENT_KDF.r, p: COMPONENT_KDF.p, maxmem: 64 * 1024 * 1024 };
/** Most stretched values remembered in the process (a machine has fewer than 30; this bounds a caller hashing many snapshots). */
const MAX_REMEMBERED = 4096;
const remembered = new Map<string, string>();

/**
 * Checks a product salt: a non-empty string of at most 256 characters.
 *
 * @throws {TypeError} when `product` is not a string.
 * @throws {RangeError} when it is empty or too long.
 */
export function checkProductSalt(product: unknown): string {
  if (typeof product !== 'string') throw new TypeError(`"product" expected a string, got ${product === null ? 'null' : typeof product}`);
  if (product.length === 0 || product.length > 256) throw new RangeError(`"product" expected 1 to 256 characters, got length=${product.length}`);
  return product;
}

function memoKey(product: string, name: ComponentName, value: string): string {
  return `${product}\u0000${name}\u0000${value}`;
}

function kdfSalt(product: string, name: ComponentName): string {
  return `${COMPONENT_DOMAIN}\u0000${name}\u0000${product}`;
}

function remember(key: string, hash: string): string {
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(key, hash);
  return hash;
}

/** True for components whose hash is stretched (every identifying one; not the CPU descriptor). */
export function isStretched(name: ComponentName): boolean {
  return COMPONENTS[name].kind !== 'descriptor';
}

/**
 * The hash of a normalised component value for one product, as
 * {@link COMPONENT_HASH_HEX_LENGTH} lower-case hex characters: scrypt
 * ({@link COMPONENT_KDF}) salted with the product and component name for
 * identifying components, HMAC-SHA-256 keyed by the product for the CPU
 * descriptor. Synchronous; the first call for a value costs one scrypt
 * evaluation (tens of milliseconds), later ones a map lookup.
 *
 * @example
 * componentHash('acme-cad', 'os-install-id', '3D1219C7C4C5404AAA1F6D2A48ADFDA4') // 'c0ffee…' (32 hex)
 */
export function componentHash(product: string, name: ComponentName, value: string): string {
  if (!isStretched(name)) {
    return createHmac('sha256', product).update(`${DESCRIPTOR_DOMAIN}\u0000${name}\u0000${value}`).digest('hex').slice(0, COMPONENT_HASH_HEX_LENGTH);
  }
  const key = memoKey(product, name, value);
  const hit = remembered.get(key);
  if (hit !== undefined) return hit;
  return remember(key, scryptSync(value, kdfSalt(product, name), COMPONENT_KDF.keyLength, KDF_OPTIONS).toString('hex'));
}

/**
 * Stretches a batch of component values on libuv's thread pool, in parallel,
 * and remembers the results, so the {@link componentHash} calls that follow
 * return at once and the event loop never waits for the KDF.
 */
export async function stretchComponentValues(product: string, values: ReadonlyArray<readonly [ComponentName, string]>): Promise<void> {
  const pending = values.filter(([name, value]) => isStretched(name) && !remembered.has(memoKey(product, name, value)));
  await Promise.all(
    pending.map(
      ([name, value]) =>
        new Promise<void>((resolve, reject) => {
          scrypt(value, kdfSalt(product, name), COMPONENT_KDF.keyLength, KDF_OPTIONS, (error, key) => {
            if (error !== null) reject(error);
            else {
              remember(memoKey(product, name, value), key.toString('hex'));
              resolve();
            }
          });
        }),
    ),
  );
}

/**
 * The machine code: SHA-256 over the sorted `name=hash,hash` lines of the basis
 * components, as 64 UPPER-CASE hex characters (the form Cryptolens shows for a
 * machine code). The inputs are already salted and stretched, so the code is
 * product-specific and recovering the value behind it costs what recovering
 * the component hash costs.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_UNAVAILABLE` when the basis is
 *   empty, holds a component without hashes, or holds a descriptor (`cpu`):
 *   such a code would be shared by many machines (or all of them).
 */
export function machineCodeDigest(basis: ReadonlyArray<{ readonly name: ComponentName; readonly hashes: readonly string[] }>): string {
  if (basis.length === 0 || basis.some((c) => c.hashes.length === 0 || COMPONENTS[c.name].kind === 'descriptor')) {
    throw new FingerprintError('ERR_FINGERPRINT_UNAVAILABLE', `machine code basis must hold identifying components with values, got [${basis.map((c) => c.name).join(', ')}]`);
  }
  const lines = basis.map((component) => `${component.name}=${[...component.hashes].sort().join(',')}`).sort();
  return createHash('sha256').update(`${MACHINE_CODE_DOMAIN}\n${lines.join('\n')}`).digest('hex').toUpperCase();
}
