/**
 * A minimal, strict DER reader: just enough ASN.1 to read SubjectPublicKeyInfo
 * and PKCS#1 RSAPublicKey. Definite lengths only, minimal length encodings,
 * no trailing bytes. Returns `null` for anything malformed.
 */

/** One DER element: its tag byte and the bytes of its contents. */
export interface DerElement {
  readonly tag: number;
  readonly contents: Uint8Array;
}

/** Reads the element at `offset`; returns it and the offset after it, or `null`. */
export function readElement(bytes: Uint8Array, offset: number): { element: DerElement; next: number } | null {
  if (offset + 2 > bytes.length) return null;
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) return null; // high tag numbers: never in keys
  let length = bytes[offset + 1]!;
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || pos + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos + i]!;
    if (length < 128 || bytes[pos] === 0) return null; // not minimal
    pos += count;
  }
  if (pos + length > bytes.length) return null;
  return { element: { tag, contents: bytes.subarray(pos, pos + length) }, next: pos + length };
}

/** Reads a whole buffer as exactly one element; `null` on trailing bytes. */
export function readSingle(bytes: Uint8Array): DerElement | null {
  const r = readElement(bytes, 0);
  return r && r.next === bytes.length ? r.element : null;
}

/** Splits a constructed element's contents into its children; `null` when malformed. */
export function readChildren(contents: Uint8Array): DerElement[] | null {
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < contents.length) {
    const r = readElement(contents, pos);
    if (!r) return null;
    out.push(r.element);
    pos = r.next;
  }
  return out;
}

/** Reads a non-negative INTEGER's magnitude (big-endian, sign byte removed); `null` if negative or non-minimal. */
export function readUnsignedInteger(element: DerElement): Uint8Array | null {
  if (element.tag !== 0x02 || element.contents.length === 0) return null;
  const c = element.contents;
  if (c[0]! & 0x80) return null;
  if (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80)) return null;
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** Decodes an OBJECT IDENTIFIER to dotted text; `null` when malformed. */
export function readOid(element: DerElement): string | null {
  if (element.tag !== 0x06 || element.contents.length === 0) return null;
  const c = element.contents;
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < c.length; i++) {
    if (value === 0 && c[i] === 0x80) return null;
    value = value * 128 + (c[i]! & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    if (!(c[i]! & 0x80)) {
      arcs.push(value);
      value = 0;
    } else if (i === c.length - 1) return null;
  }
  const first = arcs.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}
