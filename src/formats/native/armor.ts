/**
 * The armoured text form of a native license, for copy-paste and e-mail:
 *
 *     -----BEGIN LICENSEKIT LICENSE-----
 *     <standard base64 of the COSE_Sign1 bytes, 64 characters a line>
 *     -----END LICENSEKIT LICENSE-----
 *
 * Reading tolerates CR LF line ends, surrounding white space and lines of any
 * length, but the base64 must be canonical (the strict decoder refuses
 * anything else) and nothing may stand outside the two lines.
 */
import { decodeBase64, encodeBase64 } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';

export const ARMOR_BEGIN = '-----BEGIN LICENSEKIT LICENSE-----';
export const ARMOR_END = '-----END LICENSEKIT LICENSE-----';

/** True when `text` starts (after white space) like an armoured native license. */
export function looksArmored(text: string): boolean {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
  return text.startsWith(ARMOR_BEGIN, i);
}

/** Wraps COSE bytes in the armour. */
export function armor(bytes: Uint8Array): string {
  const b64 = encodeBase64(bytes);
  const lines: string[] = [ARMOR_BEGIN];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(ARMOR_END);
  return lines.join('\n') + '\n';
}

/** The COSE bytes inside the armour (a fresh array the caller owns). */
export function dearmor(text: string): Uint8Array {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith(ARMOR_BEGIN)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured license starts with ${ARMOR_BEGIN}`);
  if (!trimmed.endsWith(ARMOR_END)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured license ends with ${ARMOR_END}, and nothing may follow it`);
  const lines = trimmed.slice(ARMOR_BEGIN.length, trimmed.length - ARMOR_END.length).split(/\r?\n/);
  // The BEGIN and END lines stand alone: the body starts after a line end and ends with one.
  if (lines.length < 3 || !/^[ \t]*$/.test(lines[0]!) || !/^[ \t]*$/.test(lines[lines.length - 1]!)) {
    throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armour lines must stand on lines of their own, with the base64 between them');
  }
  let b64 = '';
  for (const line of lines.slice(1, -1)) {
    // Trailing spaces or tabs (an e-mail client's) are tolerated; anything else must be base64.
    const content = line.replace(/[ \t]+$/, '');
    if (!/^[A-Za-z0-9+/=]*$/.test(content)) throw new LicenseInputError('ERR_BASE64_INVALID', 'a line of the armoured license holds a character that is not base64');
    b64 += content;
  }
  if (b64.length === 0) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armoured license is empty');
  const bytes = decodeBase64(b64);
  if (typeof bytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `the armoured license is not valid base64 (${bytes})`);
  return bytes;
}
