/**
 * Node's Buffer, where the host has one (feature-detected, never imported): it decodes base64 about 4x faster
 * than bytes.ts's portable loop and allocates small byte arrays from its pool. Each function answers `null` where
 * it cannot help, and bytes.ts then uses its portable path, which gives the same bytes. The browser bundles swap
 * this module for buffer.browser.ts (scripts/build.mjs), so their 40 KiB budget carries none of it.
 */

/** A Buffer: a Uint8Array that decodes text into itself. */
interface BufferLike extends Uint8Array {
  write(text: string, offset: number, length: number, encoding: 'base64'): number;
}

interface NativeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array;
  allocUnsafeSlow(size: number): BufferLike;
  byteLength(text: string, encoding: 'utf8'): number;
  prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string };
}

const nativeBuffer: NativeBuffer | undefined = (() => {
  const candidate = (globalThis as { Buffer?: Partial<NativeBuffer> }).Buffer;
  return candidate && typeof candidate.from === 'function' && typeof candidate.allocUnsafeSlow === 'function' && typeof candidate.byteLength === 'function'
    ? (candidate as NativeBuffer)
    : undefined;
})();

/**
 * Small byte arrays (a license's bytes, its signature, their copies) are carved from a slab of 32 KiB, the way Node's
 * Buffer pool carves its 8 KiB: a fresh ArrayBuffer costs an allocation outside V8's heap (about a microsecond, and
 * work for the collector), and Node's pool needed one every few licenses. A slab is never reused: when it is full a
 * new one is started, and the old one lives on only while views into it do. Larger requests get their own.
 */
const SLAB_BYTES = 32 * 1024;
const MAX_FROM_SLAB = 4 * 1024;
let slab: BufferLike | null = null;
let slabUsed = SLAB_BYTES;

/** Room for `length` bytes (at most {@link MAX_FROM_SLAB}) in the slab: its offset, 8-byte aligned as Node's pool aligns. */
function carve(length: number): number {
  if (slab === null || slabUsed + length > SLAB_BYTES) {
    slab = nativeBuffer!.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = (at + length + 7) & ~7;
  return at;
}

/** Buffer's own Latin-1 reader: not in Node's documentation (it is what `toString('latin1')` calls), so it is feature-detected, and without it the caller decodes UTF-8. */
const latin1Slice = nativeBuffer?.prototype.latin1Slice;

/**
 * The bytes as Latin-1 text, one character per byte (Buffer's `latin1Slice`, a copy into a one-byte string, faster
 * than a UTF-8 decoder); `null` without Buffer. Equal to the UTF-8 text exactly when every byte is ASCII: a caller
 * must check that itself (exact-payload.ts does, byte by byte, for whatever it reads).
 */
export function bufferLatin1(bytes: Uint8Array): string | null {
  return typeof latin1Slice === 'function' ? latin1Slice.call(bytes, 0, bytes.length) : null;
}

/**
 * `length` bytes from the shared slab (see {@link carve}), as a plain `Uint8Array` view (a fresh typed array of more
 * than 64 bytes costs an allocation outside V8's heap, several times the price), NOT zeroed; `null` without Buffer or
 * for more than {@link MAX_FROM_SLAB} bytes (the caller then allocates its own). Never transfer or expose its `.buffer`.
 */
export function bufferAlloc(length: number): Uint8Array | null {
  if (!nativeBuffer || length > MAX_FROM_SLAB) return null;
  const at = carve(length);
  return new Uint8Array(slab!.buffer, slab!.byteOffset + at, length);
}

/**
 * Padded standard base64 decoded by Buffer, when the text is strictly base64 (else `null`: the portable decoder
 * then decides, and names the problem). A plain `Uint8Array` view (Buffer's `slice()` shares memory, Uint8Array's
 * copies; callers rely on copies); small results live in the shared slab: never transfer or expose their `.buffer`.
 */
export function bufferDecodeBase64(text: string): Uint8Array | null {
  const n = text.length;
  if (!nativeBuffer || n === 0 || n % 4 !== 0) return null;
  // Buffer is lax, so its bytes count only if it read the text as the strict decoder would, checked without
  // re-encoding (which cost a copy of the text per call). It reads base64url's '-' and '_', and a character above
  // U+00FF by its low byte ('Ł' as 'A'): the text must be ASCII without those two. The last character before the
  // padding must set no bit that no byte holds (canonical). Node's Buffer stops at a '=' before the padding; another
  // host's Buffer (Bun, Deno) need not, so such a text is left to the portable decoder without relying on it. And it
  // skips foreign characters: fewer bytes than this length and padding give (checked below). test/properties/bytes.test.ts
  // holds all of this to the portable decoder.
  const pad = text.charCodeAt(n - 1) !== 61 ? 0 : text.charCodeAt(n - 2) !== 61 ? 1 : 2; // '='
  const eq = text.indexOf('=');
  if (eq >= 0 && eq < n - pad) return null;
  if (nativeBuffer.byteLength(text, 'utf8') !== n || text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return null;
  if (pad > 0 && (sextet(text.charCodeAt(n - 1 - pad)) & (pad === 1 ? 0x3 : 0xf)) !== 0) return null;
  const length = (n >>> 2) * 3 - pad;
  if (length > MAX_FROM_SLAB) {
    const bytes = nativeBuffer.from(text, 'base64');
    return bytes.length === length ? new Uint8Array(bytes.buffer, bytes.byteOffset, length) : null;
  }
  const at = carve(length);
  const written = slab!.write(text, at, length, 'base64');
  return written === length ? new Uint8Array(slab!.buffer, slab!.byteOffset + at, length) : null;
}

/** The value of a character of the standard alphabet (which `bufferDecodeBase64` has checked it is). */
function sextet(c: number): number {
  return c >= 97 ? c - 71 : c >= 65 ? c - 65 : c >= 48 ? c + 4 : c === 43 ? 62 : 63;
}
