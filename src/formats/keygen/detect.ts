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

/** Whether `bytes` hold the ASCII text `prefix` from `at` on. */
function startsWithAscii(bytes: Uint8Array, prefix: string, at: number): boolean {
  for (let k = 0; k < prefix.length; k++) if (bytes[at + k] !== prefix.charCodeAt(k)) return false;
  return true;
}

/** {@link looksLikeKeygen} on bytes, without decoding them. */
export function bytesLookLikeKeygen(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && bytes[i]! <= 0x20) i++;
  if (bytes[i] === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) i += 3;
  return startsWithAscii(bytes, BEGIN_LICENSE, i) || startsWithAscii(bytes, BEGIN_MACHINE, i) || startsWithAscii(bytes, KEY_PREFIX, i);
}

/** The Keygen adapter's `detect`: {@link looksLikeKeygen} on text, {@link bytesLookLikeKeygen} on bytes. */
export function detectKeygen(input: string | Uint8Array): boolean {
  return typeof input === 'string' ? looksLikeKeygen(input) : bytesLookLikeKeygen(input);
}
