/**
 * The customer bundle's wire format, shared by the vendor side (`seal.ts`) and
 * the program side (`open.ts`).
 *
 * A bundle is a COSE_Sign1 message (CBOR tag 18) signed with the vendor's key
 * exactly as a native license is (protected `alg` and `kid`). Its payload is a
 * CBOR map that says what it is and how to open it, all of it covered by the
 * signature:
 *
 * | key | value |
 * |---|---|
 * | `6` (`iat`) | when the vendor sealed it (NumericDate) |
 * | `-65570` (`messageType`) | `"customer-bundle"`: never a license, never a reset or revocation list |
 * | `"v"` | 1, this layout |
 * | `"kdf"` | `["scrypt", log2 N, r, p]` |
 * | `"aead"` | `"XChaCha20-Poly1305"` |
 * | `"salt"` | 16 random bytes |
 * | `"nonce"` | 24 random bytes |
 * | `"ct"` | the ciphertext and its 16-byte tag |
 *
 * The key is `scrypt(secret, salt, N, r, p, 32 bytes)` over the secret's
 * canonical text (`parseCustomerSecret`); the additional data is
 * `"licensekit customer bundle v1"`. The plaintext is a CBOR map
 * `{"customer": [id, name], "licenses": [[product, licenseKey, licenseBytes], …]}`
 * where each license is a native license (COSE_Sign1 bytes) the vendor signed.
 * The secret itself is never written.
 *
 * No `node:*` import.
 */
import { armor, armorKind, dearmor, looksArmored } from '../formats/native/armor.ts';

/** The `messageType` of a customer bundle. */
export const BUNDLE_MESSAGE_TYPE = 'customer-bundle';
/** The layout version this licensekit writes and reads. */
export const BUNDLE_VERSION = 1;
/** The one AEAD. */
export const BUNDLE_AEAD = 'XChaCha20-Poly1305';
/** Additional authenticated data of the AEAD: binds the ciphertext to this use. */
export const BUNDLE_AAD = 'licensekit customer bundle v1';
export const SALT_BYTES = 16;
export const NONCE_BYTES = 24;
export const KEY_BYTES = 32;

/**
 * scrypt's cost. The reader refuses anything outside these bounds before it
 * derives a key, so a (re-signed or vendor-mistaken) header cannot make a
 * program allocate gigabytes or spin for minutes: memory is 128·r·N bytes,
 * 32 MiB at the default 2^15 and 128 MiB at the most 2^17.
 */
export const SCRYPT = Object.freeze({ defaultLogN: 15, minLogN: 15, maxLogN: 17, r: 8, p: 1, maxmem: 128 * 8 * 2 ** 17 + 4096 });

/** Most licenses one bundle carries. */
export const MAX_BUNDLE_LICENSES = 1024;
/** Default size limit on a bundle (bytes, or characters of its armoured text). */
export const DEFAULT_MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

/** A bundle's armour: the native license's, under a label of its own. */
export const BUNDLE_ARMOR = armorKind('LICENSEKIT CUSTOMER BUNDLE', 'customer bundle');
export const BUNDLE_ARMOR_BEGIN = BUNDLE_ARMOR.begin;
export const BUNDLE_ARMOR_END = BUNDLE_ARMOR.end;

/** The armoured text of a bundle: standard base64 in 64-character lines between its own armour lines. */
export function armorBundle(bytes: Uint8Array): string {
  return armor(bytes, BUNDLE_ARMOR);
}

/** True when `text` starts (after white space or a BOM) with the bundle's armour line. */
export function looksLikeArmoredBundle(text: string): boolean {
  return looksArmored(text, BUNDLE_ARMOR);
}

/** The bytes inside a bundle's armour (the native armour's reading: CR LF, trailing blanks; canonical base64 only). */
export function dearmorBundle(text: string): Uint8Array {
  return dearmor(text, BUNDLE_ARMOR);
}
