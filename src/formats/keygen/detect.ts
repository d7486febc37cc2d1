/**
 * Whether input is one of Keygen's forms, by its first characters only: a few
 * hundred bytes that Node's `licensekit` keeps at hand while the Keygen reader
 * itself loads on first use (src/lazy/).
 */

export const BEGIN_LICENSE = '-----BEGIN LICENSE FILE-----';
export const BEGIN_MACHINE = '-----BEGIN MACHINE FILE-----';
export const KEY_PREFIX = 'key/';

/** Where the text starts after white space and BOMs. */
export function skipStart(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
  return i;
}

/** True when `text` starts (after white space or a BOM) like a Keygen license file, machine file or signed key. */
export function looksLikeKeygen(text: string): boolean {
  const i = skipStart(text);
  return text.startsWith(BEGIN_LICENSE, i) || text.startsWith(BEGIN_MACHINE, i) || text.startsWith(KEY_PREFIX, i);
}

const PREFIXES = [BEGIN_LICENSE, BEGIN_MACHINE, KEY_PREFIX].map((p) => Array.from(p, (c) => c.charCodeAt(0)));

/** {@link looksLikeKeygen} on bytes, without decoding them. */
export function bytesLookLikeKeygen(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && bytes[i]! <= 0x20) i++;
  if (bytes[i] === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) i += 3;
  return PREFIXES.some((p) => p.every((c, k) => bytes[i + k] === c));
}

/** The Keygen adapter's `detect`: {@link looksLikeKeygen} on text, {@link bytesLookLikeKeygen} on bytes. */
export function detectKeygen(input: string | Uint8Array): boolean {
  return typeof input === 'string' ? looksLikeKeygen(input) : bytesLookLikeKeygen(input);
}
