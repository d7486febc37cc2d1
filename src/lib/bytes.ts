/**
 * Byte helpers that work on any JavaScript engine: no `Buffer`, `atob`,
 * `TextEncoder` or `TextDecoder` is required (they are used when present,
 * because they are faster, and the results are identical).
 */

import { bufferAlloc, bufferDecodeBase64 } from './buffer.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeTable(alphabet: string): Int16Array {
  // 65536 entries so any UTF-16 code unit indexes it directly (no range check in the loop).
  const table = new Int16Array(65536).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STD_TABLE = decodeTable(B64);
const URL_TABLE = decodeTable(B64URL);

/** Why a base64 text was refused; `null` when it decoded. */
export type Base64Problem = 'alphabet' | 'length' | 'padding' | 'trailing-bits';

function decode(text: string, table: Int16Array, padded: 'required' | 'optional' | 'forbidden'): Uint8Array | Base64Problem {
  let end = text.length;
  let pad = 0;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) {
    end--;
    pad++;
  }
  if (pad > 2) return 'padding';
  if (pad > 0 && padded === 'forbidden') return 'padding';
  if (pad > 0 && (end + pad) % 4 !== 0) return 'padding';
  if (pad === 0 && padded === 'required' && end % 4 !== 0) return 'padding';
  const rem = end % 4;
  if (rem === 1) return 'length';
  const out = new Uint8Array(((end - rem) / 4) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let i = 0;
  const full = end - rem;
  for (; i < full; i += 4) {
    const va = table[text.charCodeAt(i)]!, vb = table[text.charCodeAt(i + 1)]!, vc = table[text.charCodeAt(i + 2)]!, vd = table[text.charCodeAt(i + 3)]!;
    if ((va | vb | vc | vd) < 0) return 'alphabet';
    const n = (va << 18) | (vb << 12) | (vc << 6) | vd;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (rem > 0) {
    let n = 0;
    for (let k = 0; k < rem; k++) {
      const v = table[text.charCodeAt(i + k)]!;
      if (v < 0) return 'alphabet';
      n = (n << 6) | v;
    }
    if (rem === 2) {
      if (n & 0xf) return 'trailing-bits';
      out[o++] = n >>> 4;
    } else {
      if (n & 0x3) return 'trailing-bits';
      out[o++] = n >>> 10;
      out[o++] = (n >>> 2) & 255;
    }
  }
  return out;
}

/**
 * A new `Uint8Array` of `length` bytes for a caller that writes EVERY byte before anything reads it. On Node it is
 * a plain view into buffer.ts's shared slab; never transfer or expose its `.buffer`. Elsewhere, zeroed.
 */
export function allocBytes(length: number): Uint8Array {
  return bufferAlloc(length) ?? new Uint8Array(length);
}

/** A copy of `bytes` (what `bytes.slice()` gives), allocated as {@link allocBytes} does. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = allocBytes(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Decodes standard base64 (RFC 4648 §4) strictly: no whitespace, no foreign
 * characters, canonical trailing bits. Padding may be omitted.
 * Returns the problem's name instead of throwing, so callers choose the error.
 */
export function decodeBase64(text: string): Uint8Array | Base64Problem {
  return bufferDecodeBase64(text) ?? decodeBase64Portable(text);
}

/** The engine-independent decoder behind {@link decodeBase64}; exported for tests. */
export function decodeBase64Portable(text: string): Uint8Array | Base64Problem {
  return decode(text, STD_TABLE, 'optional');
}

/** Decodes unpadded base64url (RFC 4648 §5), as used by JWK; strict like {@link decodeBase64}. */
export function decodeBase64Url(text: string): Uint8Array | Base64Problem {
  return decode(text, URL_TABLE, 'forbidden');
}

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  const rem = bytes.length - i;
  if (rem === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + (pad ? '==' : '');
  } else if (rem === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return encode(bytes, B64, true);
}

/** Encodes bytes as unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encode(bytes, B64URL, false);
}

const nativeDecoder: { decode(b: Uint8Array): string } | undefined =
  typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : undefined;
const nativeEncoder: { encode(s: string): Uint8Array } | undefined =
  typeof TextEncoder === 'function' ? new TextEncoder() : undefined;

/**
 * Decodes UTF-8 strictly (overlong forms, surrogates and truncated sequences are refused).
 * Returns `null` for invalid UTF-8 so the caller picks the error code.
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  if (nativeDecoder) {
    try {
      return nativeDecoder.decode(bytes);
    } catch {
      return null;
    }
  }
  return decodeUtf8Portable(bytes);
}

/** The engine-independent UTF-8 decoder behind {@link decodeUtf8}; exported for tests. */
export function decodeUtf8Portable(bytes: Uint8Array): string | null {
  let out = '';
  const parts: string[] = [];
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b0 = bytes[i]!;
    let cp: number;
    if (b0 < 0x80) {
      cp = b0;
      i += 1;
    } else if (b0 >= 0xc2 && b0 < 0xe0) {
      const b1 = bytes[i + 1];
      if (b1 === undefined || (b1 & 0xc0) !== 0x80) return null;
      cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      const b1 = bytes[i + 1], b2 = bytes[i + 2];
      if (b1 === undefined || b2 === undefined || (b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return null;
      cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return null;
      i += 3;
    } else if (b0 >= 0xf0 && b0 < 0xf5) {
      const b1 = bytes[i + 1], b2 = bytes[i + 2], b3 = bytes[i + 3];
      if (b1 === undefined || b2 === undefined || b3 === undefined) return null;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return null;
      cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null;
      i += 4;
    } else {
      return null;
    }
    out += String.fromCodePoint(cp);
    if (out.length > 8192) {
      parts.push(out);
      out = '';
    }
  }
  parts.push(out);
  return parts.join('');
}

/** Encodes a string as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does). */
export function encodeUtf8(text: string): Uint8Array {
  if (nativeEncoder) return nativeEncoder.encode(text);
  return encodeUtf8Portable(text);
}

/** The engine-independent UTF-8 encoder behind {@link encodeUtf8}; exported for tests. */
export function encodeUtf8Portable(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/** Lowercase two-digit hex of every byte value. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));

/** Lower-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_BYTES[bytes[i]!]!;
  return s;
}

/** Parses even-length hex (either case); `null` when it is not hex. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Byte equality in time that depends only on the lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Strips leading zero bytes (big-endian integers). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
