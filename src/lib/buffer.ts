/**
 * Node's Buffer, where the host has one (feature-detected, never imported): it decodes base64 about 4x faster
 * than bytes.ts's portable loop and allocates small byte arrays from its pool. Each function answers `null` where
 * it cannot help, and bytes.ts then uses its portable path, which gives the same bytes. The browser bundles swap
 * this module for buffer.browser.ts (scripts/build.mjs), so their 40 KiB budget carries none of it.
 */

interface NativeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array;
  allocUnsafe(size: number): Uint8Array;
  byteLength(text: string, encoding: 'utf8'): number;
  prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string };
}

const nativeBuffer: NativeBuffer | undefined = (() => {
  const candidate = (globalThis as { Buffer?: Partial<NativeBuffer> }).Buffer;
  return candidate && typeof candidate.from === 'function' && typeof candidate.allocUnsafe === 'function' && typeof candidate.byteLength === 'function' ? (candidate as NativeBuffer) : undefined;
})();

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
 * `length` bytes from Buffer's shared pool, as a plain `Uint8Array` view (`Buffer.allocUnsafe`: a fresh typed array
 * of more than 64 bytes costs an allocation outside V8's heap, several times the price), NOT zeroed; `null` without Buffer.
 */
export function bufferAlloc(length: number): Uint8Array | null {
  if (!nativeBuffer) return null;
  const bytes = nativeBuffer.allocUnsafe(length);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, length);
}

/**
 * Padded standard base64 decoded by Buffer, when the text is strictly base64 (else `null`: the portable decoder
 * then decides, and names the problem). A plain `Uint8Array` view (Buffer's `slice()` shares memory, Uint8Array's
 * copies; callers rely on copies); small results live in Node's shared 8 KiB pool: never transfer or expose their `.buffer`.
 */
export function bufferDecodeBase64(text: string): Uint8Array | null {
  const n = text.length;
  if (!nativeBuffer || n === 0 || n % 4 !== 0) return null;
  const bytes = nativeBuffer.from(text, 'base64');
  // Buffer is lax, so the result counts only if Buffer read the text as the strict decoder would, checked without
  // re-encoding (which cost a copy of the text per call). Buffer skips foreign characters and stops at the first
  // '=': either leaves fewer bytes than this length and padding give. It reads base64url's '-' and '_', and a
  // character above U+00FF by its low byte ('Ł' as 'A'): the text must be ASCII without those two. And the last
  // character before the padding must set no bit that no byte holds (canonical). test/properties/bytes.test.ts
  // holds this to the portable decoder.
  const pad = text.charCodeAt(n - 1) !== 61 ? 0 : text.charCodeAt(n - 2) !== 61 ? 1 : 2; // '='
  if (bytes.length !== (n >>> 2) * 3 - pad) return null;
  // Node's Buffer stops at a '=' before the padding (the count above then differs); another host's Buffer (Bun,
  // Deno) need not, so such a text is left to the portable decoder without relying on it.
  const eq = text.indexOf('=');
  if (eq >= 0 && eq < n - pad) return null;
  if (nativeBuffer.byteLength(text, 'utf8') !== n || text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return null;
  if (pad > 0 && (sextet(text.charCodeAt(n - 1 - pad)) & (pad === 1 ? 0x3 : 0xf)) !== 0) return null;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The value of a character of the standard alphabet (which `bufferDecodeBase64` has checked it is). */
function sextet(c: number): number {
  return c >= 97 ? c - 71 : c >= 65 ? c - 65 : c >= 48 ? c + 4 : c === 43 ? 62 : 63;
}
