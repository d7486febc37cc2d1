/**
 * The armoured text of the exchange's device-signed files, in the form of a
 * native license's armour with a label of their own:
 *
 *     -----BEGIN LICENSEKIT ACTIVATION REQUEST-----
 *     <standard base64 of the COSE_Sign1 bytes, 64 characters a line>
 *     -----END LICENSEKIT ACTIVATION REQUEST-----
 *
 * (and `DEACTIVATION RECEIPT`). The response is a native license and keeps
 * the license's own armour. Read by the native armour's reader (CR LF line
 * ends, surrounding white space; canonical base64, nothing outside the two
 * armour lines). Raw COSE bytes (starting with tag 18) are accepted as they
 * are.
 */
import { decodeUtf8 } from '../lib/bytes.ts';
import { isLicenseKitError } from '../lib/errors.ts';
import { armor, armorKind, dearmor, type ArmorKind } from '../formats/native/armor.ts';

/** The armour label of an activation request. */
export const REQUEST_LABEL = 'LICENSEKIT ACTIVATION REQUEST';
/** The armour label of a deactivation receipt. */
export const RECEIPT_LABEL = 'LICENSEKIT DEACTIVATION RECEIPT';
/** Largest request or receipt read, armoured or not (a request is about 1 KiB). */
export const MAX_EXCHANGE_BYTES = 16 * 1024;

const KINDS: Readonly<Record<string, ArmorKind>> = Object.freeze({
  [REQUEST_LABEL]: armorKind(REQUEST_LABEL, 'activation request'),
  [RECEIPT_LABEL]: armorKind(RECEIPT_LABEL, 'deactivation receipt'),
});

/** Wraps COSE bytes in the armour called `label`. */
export function armorAs(label: string, bytes: Uint8Array): string {
  return armor(bytes, KINDS[label]!);
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
  try {
    return dearmor(text, KINDS[label]!);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return error.message;
  }
}
