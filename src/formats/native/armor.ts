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
 *
 * The other COSE files licensekit writes (customer bundles, activation
 * requests, deactivation receipts) use the same armour under a label of their
 * own: {@link armorKind} names it, and every function here takes one.
 */
import { decodeBase64, encodeBase64 } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';

/** An armour: its two lines, and what its messages call the file. */
export interface ArmorKind {
  readonly begin: string;
  readonly end: string;
  readonly noun: string;
}

/** The armour labelled `label` (`-----BEGIN ${label}-----`), whose messages call the file `noun`. */
export function armorKind(label: string, noun: string): ArmorKind {
  return Object.freeze({ begin: `-----BEGIN ${label}-----`, end: `-----END ${label}-----`, noun });
}

/** A native license's armour. */
export const LICENSE_ARMOR = armorKind('LICENSEKIT LICENSE', 'license');
export const ARMOR_BEGIN = LICENSE_ARMOR.begin;
export const ARMOR_END = LICENSE_ARMOR.end;

/** True when `text` starts (after white space or a BOM) like an armoured file of this kind. */
export function looksArmored(text: string, kind: ArmorKind = LICENSE_ARMOR): boolean {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
  return text.startsWith(kind.begin, i);
}

/** Wraps COSE bytes in the armour: standard base64 in 64-character lines. */
export function armor(bytes: Uint8Array, kind: ArmorKind = LICENSE_ARMOR): string {
  const b64 = encodeBase64(bytes);
  const lines: string[] = [kind.begin];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(kind.end);
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
export function dearmor(text: string, kind: ArmorKind = LICENSE_ARMOR): Uint8Array {
  const { begin, end, noun } = kind;
  const trimmed = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (!trimmed.startsWith(begin)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured ${noun} starts with ${begin}`);
  if (!trimmed.endsWith(end)) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `an armoured ${noun} ends with ${end}, and nothing may follow it`);
  // The lines between the armour lines, as `split(/\r?\n/)` cuts them (a CR right before an LF belongs to the line end),
  // in one pass by their bounds in `trimmed`: the first and the last must be blank, the base64 lines between them are
  // joined as they come, without their trailing spaces and tabs (an e-mail client's).
  const bodyEnd = trimmed.length - end.length;
  let b64 = '';
  let lines = 0;
  let blankEnds = true;
  for (let at = begin.length; ; lines++) {
    const lf = at <= bodyEnd ? trimmed.indexOf('\n', at) : -1;
    const last = lf === -1 || lf >= bodyEnd;
    let to = last ? bodyEnd : lf;
    if (!last && to > at && trimmed.charCodeAt(to - 1) === 0x0d) to--;
    if (lines === 0 || last) blankEnds &&= blank(trimmed, at, to);
    else {
      while (to > at && (trimmed.charCodeAt(to - 1) === 0x20 || trimmed.charCodeAt(to - 1) === 0x09)) to--;
      b64 += trimmed.slice(at, to);
    }
    if (last) break;
    at = lf + 1;
  }
  // The BEGIN and END lines stand alone: the body starts after a line end and ends with one.
  if (lines < 2 || !blankEnds) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'the armour lines must stand on lines of their own, with the base64 between them');
  if (b64.length === 0) throw new LicenseInputError('ERR_ENVELOPE_INVALID', `the armoured ${noun} is empty`);
  const bytes = decodeBase64(b64);
  if (typeof bytes !== 'string') return bytes;
  // Refused: say why as before, a foreign character (on any line: `b64` is the lines joined) first.
  if (!/^[A-Za-z0-9+/=]*$/.test(b64)) throw new LicenseInputError('ERR_BASE64_INVALID', `a line of the armoured ${noun} holds a character that is not base64`);
  throw new LicenseInputError('ERR_BASE64_INVALID', `the armoured ${noun} is not valid base64 (${bytes})`);
}
