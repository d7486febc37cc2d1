/**
 * The test's state document: a counter (8 bytes, big-endian) and padding
 * whose every byte depends on the counter and its position, so a mix of two
 * writes, or a torn one, never reads back as a counter.
 */
export function encodeCounter(n: number, padding: number): Uint8Array {
  const out = new Uint8Array(8 + padding);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  for (let i = 8; i < out.length; i++) out[i] = (n * 31 + i) & 0xff;
  return out;
}

/** The counter in `bytes`, or undefined when they are not an intact counter document. */
export function decodeCounter(bytes: Uint8Array | null | undefined): number | undefined {
  if (!bytes || bytes.length < 8) return undefined;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0));
  for (let i = 8; i < bytes.length; i++) if (bytes[i] !== ((n * 31 + i) & 0xff)) return undefined;
  return n;
}

export const isCounter = (bytes: Uint8Array): boolean => decodeCounter(bytes) !== undefined;
