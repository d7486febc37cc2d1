/**
 * What each error code means, in one line: the README's error table and the
 * CLI's help. Kept apart from `errors.ts` so the browser and IIFE bundles,
 * which carry the codes, do not carry this prose (exported from the Node entry).
 */
import type { ERROR_CODES } from './errors.ts';

/** One line per code of {@link ERROR_CODES}. */
export const ERROR_MEANINGS: Readonly<Record<keyof typeof ERROR_CODES, string>> = Object.freeze({
  ERR_INPUT_TOO_LARGE: 'the license (or key) input is larger than the size limit; refused before it is read',
  ERR_INPUT_EMPTY: 'the license input is empty or only whitespace',
  ERR_INPUT_NOT_JSON: 'the license input is not UTF-8 JSON (nor a recognised compact form)',
  ERR_BASE64_INVALID: 'a base64 field of the license does not decode',
  ERR_ENVELOPE_INVALID: 'the license envelope lacks a field or has one of the wrong type',
  ERR_PAYLOAD_INVALID: 'the signed payload is not UTF-8 JSON of the expected shape',
  ERR_CBOR_INVALID: 'binary (CBOR) input is not strict CBOR: indefinite lengths, duplicate map keys, tags, undefined, trailing bytes, or over a limit',
  ERR_ALGORITHM_NOT_ALLOWED: 'the license is signed with an algorithm the "algorithms" option does not allow',
  ERR_FORMAT_UNSUPPORTED: 'the license uses a format or sign method licensekit does not verify',
  ERR_KEY_INVALID: 'the key is malformed (not RSAKeyValue XML, PEM or JWK, or inconsistent)',
  ERR_KEY_PRIVATE: 'a private key was given where the public key belongs',
  ERR_KEY_CERTIFICATE: 'a certificate was given instead of its public key',
  ERR_KEY_UNSUPPORTED: 'the key is not RSA or Ed25519, or does not fit the license\'s algorithm',
  ERR_KEY_TOO_SMALL: 'the RSA key is below the minimum size (2048 bits)',
  ERR_KEY_UNKNOWN_KID: 'the license names a key id (kid) that no key of the key ring has',
  ERR_ALGORITHM_UNSUPPORTED: 'the chosen backend cannot verify or sign with this algorithm',
  ERR_BACKEND_UNAVAILABLE: 'no backend can serve the request on this host (no WebCrypto, no CSPRNG, not in this build)',
  ERR_BACKEND_ASYNC_ONLY: 'a synchronous call reached a backend that verifies only asynchronously',
  ERR_FINGERPRINT_INVALID: 'a recorded fingerprint or machine snapshot is malformed',
  ERR_FINGERPRINT_UNAVAILABLE: 'no identifying hardware component is readable, so no machine code can be derived',
  ERR_FINGERPRINT_TOO_WEAK: 'a fingerprint to record carries too little identifying weight to bind a license to one machine',
  ERR_OPTION_INVALID: 'an option has an invalid value; the message names the option',
  ERR_FILE_UNREADABLE: 'the CLI cannot open a file, or it is not a regular file',
  ERR_STATE_LOCKED: 'the state\'s lock was not acquired within the timeout (another process holds it), or was lost while held',
  ERR_STATE_IO: 'the state folder or one of its files cannot be read or written (permissions, disk full, not a folder)',
  ERR_STATE_CORRUPT: 'state files exist but no generation of them is intact (torn, damaged, or refused by the caller\'s check)',
  ERR_STATE_TOO_LARGE: 'the state to write is larger than the store\'s size limit; nothing was written',
  ERR_STATE_VERSION: 'the state was written in a newer storage format than this licensekit reads; refused, never overwritten',
  ERR_STATE_TAMPERED: 'the state document\'s MAC does not match (edited by hand, or copied from another machine, program or vendor key) and the policy is to refuse',
  ERR_MESSAGE_INVALID: 'a vendor message (reset, revocation list) or license to import does not verify under the key, is not one, or is older than the one already held',
  ERR_INPUT_TYPE: 'a verifyLicenses item is neither a string nor a Uint8Array (verifyLicense throws a TypeError)',
  ERR_UNEXPECTED: 'anything else thrown while verifying a verifyLicenses item (a bug); see its cause',
});
