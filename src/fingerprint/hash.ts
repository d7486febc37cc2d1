/**
 * Salted hashing of component values and the machine code digest. Every value is
 * hashed with HMAC-SHA-256 keyed by the product salt, so two vendors see
 * unrelated hashes for the same machine and a license never carries a serial.
 * Node-only (node:crypto), like the rest of `licensekit/fingerprint`.
 */
import { createHash, createHmac } from 'node:crypto';
import { FingerprintError } from '../lib/errors.ts';
import { COMPONENTS, type ComponentName } from './components.ts';

/** Length in hex characters of a component hash (128 bits: ample against collisions, compact in a license). */
export const COMPONENT_HASH_HEX_LENGTH = 32;

/** Domain separation, so these hashes can never collide with another use of the same salt. */
const COMPONENT_DOMAIN = 'licensekit/fingerprint/v1';
const MACHINE_CODE_DOMAIN = 'licensekit/machine-code/v1';

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

/**
 * HMAC-SHA-256 of a normalised component value keyed by the product salt,
 * truncated to {@link COMPONENT_HASH_HEX_LENGTH} lower-case hex characters.
 *
 * @example
 * componentHash('acme-cad', 'os-install-id', '3D1219C7C4C5404AAA1F6D2A48ADFDA4') // 'c0ffee…' (32 hex)
 */
export function componentHash(product: string, name: ComponentName, value: string): string {
  return createHmac('sha256', product)
    .update(`${COMPONENT_DOMAIN}\u0000${name}\u0000${value}`)
    .digest('hex')
    .slice(0, COMPONENT_HASH_HEX_LENGTH);
}

/**
 * The machine code: SHA-256 over the sorted `name=hash,hash` lines of the basis
 * components, as 64 UPPER-CASE hex characters (the form Cryptolens shows for a
 * machine code). The inputs are already salted, so the code is product-specific.
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
