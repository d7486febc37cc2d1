/**
 * Decrypting an `aes-256-gcm+…` Keygen file, after its signature verified.
 * The AES key is SHA-256 of the license key (a license file) or of the
 * license key followed by the machine fingerprint (a machine file); `enc` is
 * `base64(ciphertext).base64(iv).base64(tag)`, with no additional data.
 *
 * AES-GCM is the entry's: `licensekit/keygen` (browsers, bare engines) and the
 * inspector page give @noble/ciphers' (audited, pure JavaScript; `aes-noble.ts`),
 * Node's `licensekit` gives node:crypto's. The noble one builds its AES tables
 * when it loads, about 12 ms that every Node start-up would pay for a format
 * most programs never read.
 *
 * Why errors and not verdicts: verification decrypts only once the signature
 * has verified, so the ciphertext is the vendor's; a tag that does not check can only mean the license key
 * (or fingerprint) given is not the one the file was made for.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64, encodeUtf8 } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';
import type { KeygenEnvelope } from './envelope.ts';

/**
 * Opens AES-256-GCM: `sealed` is the ciphertext followed by the 16-byte tag, no
 * additional data. Returns the plaintext, or throws when the tag does not check.
 */
export type AesGcmOpen = (key: Uint8Array, iv: Uint8Array, sealed: Uint8Array) => Uint8Array;

/** What decrypting needs from the options: the license key, and a machine file's fingerprint. */
export interface DecryptionInputs {
  readonly licenseKey: string | null;
  readonly fingerprint: string | null;
}

function part(text: string): Uint8Array {
  const bytes = decodeBase64(text);
  // The envelope checked each part when it was parsed.
  if (typeof bytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `Keygen: "enc" is not valid base64 (${bytes})`);
  return bytes;
}

/** The AES key for an envelope: SHA-256(licenseKey) or SHA-256(licenseKey + fingerprint). Typed errors name what is missing. */
export function keygenAesKey(envelope: KeygenEnvelope, inputs: DecryptionInputs): Uint8Array {
  const what = envelope.kind === 'machine' ? 'machine file' : 'license file';
  const needs = envelope.kind === 'machine' ? '"licenseKey" and "fingerprint" (--license-key and --fingerprint)' : '"licenseKey" (--license-key)';
  if (inputs.licenseKey === null) {
    throw new LicenseInputError('ERR_LICENSE_KEY_REQUIRED', `this Keygen ${what} is encrypted (${envelope.alg}): reading it needs ${needs}; "licenseKey" is missing`);
  }
  if (envelope.kind !== 'machine') return sha256(encodeUtf8(inputs.licenseKey));
  if (inputs.fingerprint === null) {
    throw new LicenseInputError('ERR_LICENSE_KEY_REQUIRED', `this Keygen machine file is encrypted (${envelope.alg}): reading it needs ${needs}; "fingerprint" is missing`);
  }
  return sha256(encodeUtf8(inputs.licenseKey + inputs.fingerprint));
}

/** Decrypts a verified `aes-256-gcm` file's `enc`; `ERR_LICENSE_KEY_REQUIRED` or `ERR_LICENSE_KEY_WRONG` when the inputs do not open it. */
export function decryptKeygen(envelope: KeygenEnvelope, inputs: DecryptionInputs, open: AesGcmOpen): Uint8Array {
  const key = keygenAesKey(envelope, inputs);
  const [ciphertext, iv, tag] = envelope.enc.split('.').map(part) as [Uint8Array, Uint8Array, Uint8Array];
  const sealed = new Uint8Array(ciphertext.length + tag.length);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  try {
    return open(key, iv, sealed);
  } catch (cause) {
    const given = envelope.kind === 'machine' ? 'license key and fingerprint given are' : 'license key given is';
    throw new LicenseInputError('ERR_LICENSE_KEY_WRONG', `this Keygen ${envelope.kind} file does not decrypt: the ${given} not the one${envelope.kind === 'machine' ? 's' : ''} it was encrypted for`, { cause });
  }
}
