/**
 * The frame around every stored generation, so that a torn or damaged one is
 * detected by the store itself, without the caller's MAC:
 *
 * ```
 * offset  size  field
 *      0     4  magic "LKST"
 *      4     1  frame format version (1)
 *      5     3  reserved, zero
 *      8     8  generation, unsigned big-endian (at most 2^53 - 1)
 *     16     4  body length, unsigned big-endian
 *     20     n  body (the caller's bytes)
 *   20+n     4  CRC-32 (IEEE 802.3) of every byte before it
 * ```
 *
 * The CRC is a trailer over everything before it, and every later format
 * version keeps it there (and the magic and version in front), so a torn file
 * of any version is told apart from an intact file of a newer version. CRC-32
 * detects every truncation (the length must match too), every error burst of
 * up to 32 bits and all but 2^-32 of other damage; it is no defence against
 * an attacker (the MAC above this layer is).
 */

/** "LKST". */
const MAGIC = [0x4c, 0x4b, 0x53, 0x54] as const;
/** The frame format version this code writes and reads. */
export const FRAME_VERSION = 1;
/** Bytes a frame adds to its body. */
export const FRAME_OVERHEAD = 24;
const HEADER = 20;

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib's `crc32`) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Frames `body` as generation `generation`. */
export function encodeFrame(generation: number, body: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new RangeError(`"generation" expected a safe integer >= 1, got ${generation}`);
  const out = new Uint8Array(FRAME_OVERHEAD + body.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = FRAME_VERSION;
  view.setUint32(8, Math.floor(generation / 2 ** 32));
  view.setUint32(12, generation >>> 0);
  view.setUint32(16, body.length);
  out.set(body, HEADER);
  view.setUint32(HEADER + body.length, crc32(out.subarray(0, HEADER + body.length)));
  return out;
}

/** What {@link decodeFrame} found in some bytes. */
export type DecodedFrame =
  | { readonly kind: 'intact'; readonly generation: number; readonly body: Uint8Array }
  /** Torn, damaged, or not a frame at all. */
  | { readonly kind: 'damaged'; readonly why: string }
  /** Intact (its CRC holds) but written in a newer frame format than this code reads. */
  | { readonly kind: 'newer'; readonly version: number };

/** Reads a frame; never throws. The body is a copy. */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  if (bytes.length < FRAME_OVERHEAD) return { kind: 'damaged', why: `${bytes.length} bytes, shorter than a frame` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (MAGIC.some((b, i) => bytes[i] !== b)) return { kind: 'damaged', why: 'no "LKST" magic' };
  if (view.getUint32(bytes.length - 4) !== crc32(bytes.subarray(0, bytes.length - 4))) return { kind: 'damaged', why: 'CRC-32 mismatch (torn or damaged)' };
  const version = bytes[4]!;
  if (version > FRAME_VERSION) return { kind: 'newer', version };
  if (version !== FRAME_VERSION || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) return { kind: 'damaged', why: `frame version ${version} or reserved bytes not zero` };
  const high = view.getUint32(8);
  const generation = high * 2 ** 32 + view.getUint32(12);
  if (high >= 2 ** 21 || generation < 1) return { kind: 'damaged', why: 'generation out of range' };
  const length = view.getUint32(16);
  if (length !== bytes.length - FRAME_OVERHEAD) return { kind: 'damaged', why: `body length ${length} does not match the frame's size` };
  return { kind: 'intact', generation, body: bytes.slice(HEADER, HEADER + length) };
}
