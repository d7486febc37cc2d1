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

/** True when `text[from, to)` holds only spaces and tabs. */
function blank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** The COSE bytes inside the armour (a fresh array the caller owns). */
export function dearmor(text: string): Uint8Array {
  const trimmed = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (!trimmed.startsWith(ARMOR_BEGIN)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured license starts with ${ARMOR_BEGIN}`);
  if (!trimmed.endsWith(ARMOR_END)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured license ends with ${ARMOR_END}, and nothing may follow it`);
  // The lines between the armour lines, as `split(/\r?\n/)` cuts them (a CR right before an LF belongs to the line end),
  // by their bounds in `trimmed`; for the base64 lines, trailing spaces and tabs (an e-mail client's) are left out.
  const bodyEnd = trimmed.length - ARMOR_END.length;
  const starts: number[] = [];
  const ends: number[] = [];
  let lineStart = ARMOR_BEGIN.length;
  for (;;) {
    const lf = lineStart <= bodyEnd ? trimmed.indexOf('\n', lineStart) : -1;
    const stop = lf === -1 || lf >= bodyEnd ? bodyEnd : lf;
    starts.push(lineStart);
    ends.push(stop > lineStart && stop !== bodyEnd && trimmed.charCodeAt(stop - 1) === 0x0d ? stop - 1 : stop);
    if (stop === bodyEnd) break;
    lineStart = stop + 1;
  }
  const last = ends.length - 1;
  // The BEGIN and END lines stand alone: the body starts after a line end and ends with one.
  if (ends.length < 3 || !blank(trimmed, starts[0]!, ends[0]!) || !blank(trimmed, starts[last]!, ends[last]!)) {
    throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armour lines must stand on lines of their own, with the base64 between them');
  }
  for (let l = 1; l < last; l++) {
    let to = ends[l]!;
    while (to > starts[l]! && (trimmed.charCodeAt(to - 1) === 0x20 || trimmed.charCodeAt(to - 1) === 0x09)) to--;
    ends[l] = to;
  }
  let b64 = '';
  for (let l = 1; l < last; l++) b64 += trimmed.slice(starts[l]!, ends[l]!);
  if (b64.length === 0) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armoured license is empty');
  const bytes = decodeBase64(b64);
  if (typeof bytes !== 'string') return bytes; // canonical base64: only its alphabet, so every line passed the check below
  // Refused: say why as before, a line with a foreign character first.
  for (let l = 1; l < last; l++) {
    if (!/^[A-Za-z0-9+/=]*$/.test(trimmed.slice(starts[l]!, ends[l]!))) throw new LicenseInputError('ERR_BASE64_INVALID', 'a line of the armoured license holds a character that is not base64');
  }
  throw new LicenseInputError('ERR_BASE64_INVALID', `the armoured license is not valid base64 (${bytes})`);
}
