/**
 * The armoured text of the exchange's device-signed files, in the form of a
 * native license's armour with a label of their own:
 *
 *     -----BEGIN LICENSEKIT ACTIVATION REQUEST-----
 *     <standard base64 of the COSE_Sign1 bytes, 64 characters a line>
 *     -----END LICENSEKIT ACTIVATION REQUEST-----
 *
 * (and `DEACTIVATION RECEIPT`). The response is a native license and keeps
 * the license's own armour. Reading tolerates CR LF line ends and surrounding
 * white space; the base64 must be canonical and nothing may stand outside the
 * two armour lines. Raw COSE bytes (starting with tag 18) are accepted as they
 * are.
 */
import { decodeBase64, decodeUtf8, encodeBase64 } from '../lib/bytes.ts';

/** The armour label of an activation request. */
export const REQUEST_LABEL = 'LICENSEKIT ACTIVATION REQUEST';
/** The armour label of a deactivation receipt. */
export const RECEIPT_LABEL = 'LICENSEKIT DEACTIVATION RECEIPT';
/** Largest request or receipt read, armoured or not (a request is about 1 KiB). */
export const MAX_EXCHANGE_BYTES = 16 * 1024;

/** Wraps COSE bytes in the armour called `label`. */
export function armorAs(label: string, bytes: Uint8Array): string {
  const b64 = encodeBase64(bytes);
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`);
  return lines.join('\n') + '\n';
}

/**
 * The COSE bytes of an armoured (or raw) file labelled `label`: a fresh
 * array the caller owns, or a string saying what is wrong.
 */
export function dearmorAs(label: string, input: string | Uint8Array): Uint8Array | string {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return 'expected text or a Uint8Array';
  if (input.length > MAX_EXCHANGE_BYTES) return `larger than ${MAX_EXCHANGE_BYTES} bytes`;
  if (input instanceof Uint8Array && input[0] === 0xd2) return input.slice();
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (text === null) return 'not UTF-8 text';
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim().split(/\r?\n/).map((l) => l.replace(/[ \t]+$/, ''));
  if (lines[0] !== `-----BEGIN ${label}-----`) return `it does not start with -----BEGIN ${label}-----`;
  if (lines[lines.length - 1] !== `-----END ${label}-----`) return `it does not end with -----END ${label}-----`;
  const b64 = lines.slice(1, -1).join('');
  if (b64.length === 0) return 'the armour holds nothing';
  const bytes = decodeBase64(b64);
  return typeof bytes === 'string' ? `not canonical base64 (${bytes})` : bytes;
}
