/**
 * A strict CBOR (RFC 8949) reader for untrusted input: it accepts only what
 * any two conforming decoders read the same way, and refuses everything else
 * with `ERR_CBOR_INVALID`.
 *
 * - definite lengths only (no indefinite-length strings, arrays or maps);
 * - integer arguments in their shortest form (preferred serialisation), and
 *   integers within ±(2^53 − 1) so every JavaScript host reads the same number;
 * - text strings that are well-formed UTF-8;
 * - map keys that are integers or text, never repeated (cbor-x alone keeps the
 *   last of two equal keys; another decoder may keep the first);
 * - no tags, except the one the caller allows at the top (COSE_Sign1's 18);
 * - of the simple values only false, true and null (no undefined, no others);
 *   floats of 16, 32 or 64 bits are read;
 * - no bytes after the item; limits on size, nesting depth and element count.
 *
 * Byte strings come back as views into the input (`subarray`), so a caller can
 * verify a signature over exactly the bytes received: the caller owns a copy.
 * Maps come back as `Map`s (keys can be integers), which never reach
 * `Object.prototype`.
 */
import { decodeUtf8 } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';

/** A decoded CBOR data item. */
export type CborValue = number | string | boolean | null | Uint8Array | readonly CborValue[] | CborMap;
/** A decoded CBOR map: integer or text keys. */
export type CborMap = ReadonlyMap<number | string, CborValue>;

/** Limits on what {@link decodeCbor} reads. */
export interface CborLimits {
  /** Deepest nesting of arrays and maps (default 16). */
  readonly maxDepth?: number;
  /** Most data items in the whole input, counting every element and map key (default 4096). */
  readonly maxItems?: number;
  /** The one tag allowed around the top item (default none). */
  readonly topTag?: number;
}

/**
 * Where {@link decodeCbor} puts the entries of the top map whose key `slotOf` knows (`slots[slot]`), instead of in
 * the map it returns: a reader that looks each claim up by slot need not build and walk a map of them.
 */
export interface CborSlots {
  readonly slotOf: ReadonlyMap<number | string, number>;
  readonly slots: (CborValue | undefined)[];
}

/** A decoded item and the tag around it, when the caller allowed one and it was there. */
export interface CborDocument {
  readonly tag: number | null;
  readonly value: CborValue;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Text strings up to this many ASCII bytes are built from a plain array of their codes (see {@link shortText}). */
const SHORT_TEXT = 64;
/** One array of codes per length (`SHORT_CODES[n].length === n`), made on first use and reused: each is read at once by `fromCharCode`. */
const SHORT_CODES: number[][] = [];

function fail(message: string, offset: number): never {
  throw new LicenseInputError('ERR_CBOR_INVALID', `CBOR ${message} at byte ${offset}`);
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

class Reader {
  pos = 0;
  items = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
    readonly sink?: CborSlots,
  ) {}

  /** Reads the argument of a head whose additional information is `ai`, in shortest form. */
  argument(ai: number, start: number): number {
    const b = this.bytes;
    if (ai < 24) return ai;
    if (ai === 24) {
      if (this.pos + 1 > b.length) fail('is truncated', start);
      const v = b[this.pos++]!;
      if (v < 24) fail('integer is not in its shortest form', start);
      return v;
    }
    if (ai === 25) {
      if (this.pos + 2 > b.length) fail('is truncated', start);
      const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
      this.pos += 2;
      if (v < 0x100) fail('integer is not in its shortest form', start);
      return v;
    }
    if (ai === 26) {
      if (this.pos + 4 > b.length) fail('is truncated', start);
      const v = ((b[this.pos]! << 24) >>> 0) + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
      this.pos += 4;
      if (v < 0x10000) fail('integer is not in its shortest form', start);
      return v;
    }
    if (ai === 27) {
      if (this.pos + 8 > b.length) fail('is truncated', start);
      const hi = ((b[this.pos]! << 24) >>> 0) + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
      const lo = ((b[this.pos + 4]! << 24) >>> 0) + ((b[this.pos + 5]! << 16) | (b[this.pos + 6]! << 8) | b[this.pos + 7]!);
      this.pos += 8;
      if (hi === 0) fail('integer is not in its shortest form', start);
      if (hi > 0x1fffff) fail('integer is beyond 2^53 - 1', start);
      return hi * 0x100000000 + lo;
    }
    if (ai === 31) return fail('indefinite length is not allowed', start);
    return fail(`reserved additional information ${ai}`, start);
  }

  length(ai: number, start: number): number {
    const n = this.argument(ai, start);
    if (n > this.bytes.length - this.pos) fail('length runs past the end of the input', start);
    return n;
  }

  item(depth: number, allowTag: number | null): CborValue {
    if (++this.items > this.maxItems) fail(`has more than ${this.maxItems} items`, this.pos);
    const b = this.bytes;
    const start = this.pos;
    if (start >= b.length) fail('is truncated', start);
    const head = b[this.pos++]!;
    const major = head >> 5;
    const ai = head & 0x1f;
    switch (major) {
      case 0:
        return this.argument(ai, start);
      case 1: {
        const n = this.argument(ai, start);
        if (n >= MAX_SAFE) fail('integer is beyond -(2^53 - 1)', start);
        return -1 - n;
      }
      case 2: {
        const n = this.length(ai, start);
        const v = b.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case 3: {
        const n = this.length(ai, start);
        const from = this.pos;
        const to = from + n;
        this.pos = to;
        // Short ASCII (map keys, codes, names): see `shortText`.
        if (n <= SHORT_TEXT) {
          const text = shortText(b, from, n, 0, 0x7f);
          if (text !== null) return text;
        }
        // Longer or non-ASCII: strict UTF-8 (TextDecoder where the host has one, lib/bytes' strict reader elsewhere).
        const text = decodeUtf8(b.subarray(from, to));
        return text === null ? fail('text string is not UTF-8', start) : text;
      }
      case 4: {
        if (depth >= this.maxDepth) fail(`nests deeper than ${this.maxDepth}`, start);
        const n = this.argument(ai, start);
        if (n > b.length - this.pos) fail('array is longer than the input', start);
        const out: CborValue[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.item(depth + 1, null);
        return out;
      }
      case 5: {
        if (depth >= this.maxDepth) fail(`nests deeper than ${this.maxDepth}`, start);
        const n = this.argument(ai, start);
        if (n * 2 > b.length - this.pos) fail('map is longer than the input', start);
        const out = new Map<number | string, CborValue>();
        const sink = depth === 0 ? this.sink : undefined;
        for (let i = 0; i < n; i++) {
          const keyAt = this.pos;
          const keyMajor = keyAt < b.length ? b[keyAt]! >> 5 : 0;
          if (keyMajor > 1 && keyMajor !== 3) fail('map key is neither an integer nor text', keyAt);
          const key = this.item(depth + 1, null) as number | string;
          const slot = sink?.slotOf.get(key);
          const value = this.item(depth + 1, null);
          let repeated: boolean;
          if (slot === undefined) {
            // One hash lookup instead of has + set: a repeated key leaves the size as it was (the map is thrown away).
            const size = out.size;
            out.set(key, value);
            repeated = out.size === size;
          } else {
            repeated = sink!.slots[slot] !== undefined;
            sink!.slots[slot] = value;
          }
          if (repeated) fail(`map repeats the key ${JSON.stringify(key)}`, keyAt);
        }
        return out;
      }
      case 6: {
        const tag = this.argument(ai, start);
        if (allowTag === null || tag !== allowTag) fail(`tag ${tag} is not allowed here`, start);
        return this.item(depth, null);
      }
      default: {
        if (ai === 20) return false;
        if (ai === 21) return true;
        if (ai === 22) return null;
        if (ai === 25) {
          if (this.pos + 2 > b.length) fail('is truncated', start);
          const v = halfToNumber((b[this.pos]! << 8) | b[this.pos + 1]!);
          this.pos += 2;
          return v;
        }
        if (ai === 26 || ai === 27) {
          const size = ai === 26 ? 4 : 8;
          if (this.pos + size > b.length) fail('is truncated', start);
          const view = new DataView(b.buffer, b.byteOffset + this.pos, size);
          this.pos += size;
          return size === 4 ? view.getFloat32(0) : view.getFloat64(0);
        }
        if (ai === 23) return fail('undefined is not allowed', start);
        if (ai === 31) return fail('a "break" outside an indefinite-length item', start);
        return fail(`simple value ${ai < 24 ? ai : 'beyond 23'} is not allowed`, start);
      }
    }
  }
}

/**
 * The `n` bytes at `from` (a few hundred at most) as text of one char per byte, when every byte is within
 * `low`..`high` (else `null`). The codes go into a plain array kept for that length, then one `fromCharCode` call:
 * cheaper than concatenating char by char, or a view and an apply over the view.
 */
export function shortText(bytes: Uint8Array, from: number, n: number, low: number, high: number): string | null {
  const codes = (SHORT_CODES[n] ??= new Array<number>(n).fill(0));
  for (let k = 0; k < n; k++) {
    const c = bytes[from + k]!;
    if (c < low || c > high) return null;
    codes[k] = c;
  }
  return String.fromCharCode.apply(null, codes);
}


/**
 * Decodes exactly one strict CBOR item that fills `bytes`. When `limits.topTag`
 * is set, that tag may (not must) wrap the top item, and the result says
 * whether it did. With a `sink`, the top map's entries whose key it knows go to its slots, the rest to the map.
 *
 * @throws {LicenseInputError} `ERR_CBOR_INVALID` naming what was wrong and where.
 */
export function decodeCbor(bytes: Uint8Array, limits: CborLimits = {}, sink?: CborSlots): CborDocument {
  const reader = new Reader(bytes, limits.maxDepth ?? 16, limits.maxItems ?? 4096, sink);
  let tag: number | null = null;
  const topTag = limits.topTag ?? null;
  if (topTag !== null && bytes.length > 0 && bytes[0]! >> 5 === 6) {
    reader.pos = 1;
    const found = reader.argument(bytes[0]! & 0x1f, 0);
    if (found !== topTag) fail(`tag ${found} is not allowed here`, 0);
    tag = found;
  }
  const value = reader.item(0, null);
  if (reader.pos !== bytes.length) fail(`has ${bytes.length - reader.pos} bytes after the item`, reader.pos);
  return { tag, value };
}
