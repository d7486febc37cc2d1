/**
 * Conversions between big-endian bytes and `bigint`, written for engines
 * that have only `BigInt` and `Uint8Array` (no `Buffer`, no `TextEncoder`).
 * Going through a hex string is the fastest portable route in V8 and QuickJS.
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** Lower-case hex of the bytes (table-driven; faster than per-byte `toString`). */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!;
  return out;
}

/** The unsigned big-endian integer the bytes spell (`0n` for no bytes). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
}

/**
 * I2OSP: `value` as exactly `length` big-endian bytes.
 * Throws `RangeError` when it is negative or does not fit.
 */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('"value" must not be negative');
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new RangeError(`"value" does not fit in ${length} bytes`);
  const padded = hex.padStart(length * 2, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(padded.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Number of significant bits of a non-negative integer. */
export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}
