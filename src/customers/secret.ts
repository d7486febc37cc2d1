/**
 * Customer secrets (Cryptolens' "customer secret"): a password a vendor sends a
 * customer so they can open all their licenses without an account. Two forms,
 * as Cryptolens makes them:
 * - `guid` (the default): an RFC 4122 version-4 UUID, lowercase,
 *   `6dffda95-05cb-4754-bb49-c4a0be6ea647` (122 random bits);
 * - `key`: four groups of five capital letters, `WPIGP-UPHHT-INUYJ-MSDTJ`
 *   (20 letters, 20·log2(26) ≈ 94 random bits), drawn like license keys by
 *   rejection sampling (no modulo bias).
 *
 * No `node:*` import: this runs wherever the program runs.
 */
import { OptionError } from '../lib/errors.ts';
import { hostRandom, randomLicenseKey, type RandomBytes } from '../lib/random-key.ts';

export type { RandomBytes } from '../lib/random-key.ts';

/** The two forms of a customer secret. */
export type CustomerSecretFormat = 'guid' | 'key';

/** The forms, for option checks and `--help`. */
export const CUSTOMER_SECRET_FORMATS: readonly CustomerSecretFormat[] = Object.freeze(['guid', 'key']);

const HEX = '0123456789abcdef';

/**
 * A fresh customer secret from the host CSPRNG (or `random`, which fills a
 * byte array as `crypto.getRandomValues` does).
 * @throws {OptionError} for a format other than `guid` or `key`.
 * @throws {BackendError} `ERR_BACKEND_UNAVAILABLE` when the host has no CSPRNG.
 * @example
 * generateCustomerSecret('guid') // '6dffda95-05cb-4754-bb49-c4a0be6ea647'
 * generateCustomerSecret('key')  // 'WPIGP-UPHHT-INUYJ-MSDTJ'
 */
export function generateCustomerSecret(format: CustomerSecretFormat = 'guid', random?: RandomBytes): string {
  if (format !== 'guid' && format !== 'key') throw new OptionError(`"format" must be "guid" or "key", got ${JSON.stringify(String(format)).slice(0, 40)}`);
  const source = random ?? hostRandom('make a customer secret');
  if (format === 'key') return randomLicenseKey(source);
  const b = source(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10xx (RFC 4122)
  let hex = '';
  for (let i = 0; i < 16; i++) hex += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_FORM = /^[A-Z]{5}-[A-Z]{5}-[A-Z]{5}-[A-Z]{5}$/i;

/** A customer secret as given (trimmed), and the form it is in. */
export interface ParsedCustomerSecret {
  /** The canonical text: a GUID in lowercase, a key-form secret in capitals. Keys are derived from this. */
  readonly secret: string;
  readonly format: CustomerSecretFormat;
}

/**
 * Reads a customer secret a person typed or a vendor imported (from
 * Cryptolens, say): surrounding white space is dropped, a GUID is read in
 * either case (any RFC 4122 layout: an imported one need not be version 4) and
 * given back in lowercase, and a key-form secret in capitals. Both sides (the
 * vendor sealing a bundle, the program opening it) derive keys from this
 * canonical text, so `6DFFDA95-…` opens what `6dffda95-…` sealed.
 * @throws {OptionError} `ERR_OPTION_INVALID` for anything else (the message never repeats the secret).
 * @example
 * parseCustomerSecret(' WPIGP-UPHHT-INUYJ-MSDTJ\n') // { secret: 'WPIGP-UPHHT-INUYJ-MSDTJ', format: 'key' }
 */
export function parseCustomerSecret(input: unknown, field = 'secret'): ParsedCustomerSecret {
  if (typeof input !== 'string') throw new OptionError(`"${field}" must be a customer secret (text), got ${input === null ? 'null' : typeof input}`);
  const text = input.length <= 256 ? input.trim() : '';
  if (GUID.test(text)) return Object.freeze({ secret: text.toLowerCase(), format: 'guid' as const });
  if (KEY_FORM.test(text)) return Object.freeze({ secret: text.toUpperCase(), format: 'key' as const });
  // Never echo the value: a mistyped secret is still most of a secret.
  throw new OptionError(`"${field}" is not a customer secret: expected a GUID (6dffda95-05cb-4754-bb49-c4a0be6ea647) or four groups of five letters (WPIGP-UPHHT-INUYJ-MSDTJ)`);
}
