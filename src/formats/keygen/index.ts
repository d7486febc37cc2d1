/**
 * The Keygen format adapter: license files, machine files (Ed25519, RSA
 * PKCS#1 v1.5 or RSA-PSS with the maximum salt, AES-256-GCM encrypted or
 * base64) and signed license keys (ED25519_SIGN, RSA_2048_PKCS1_SIGN_V2 and
 * RSA_2048_PKCS1_PSS_SIGN_V2, the RSA ones with `algorithms` naming the
 * padding), read byte for byte as Keygen's own clients read them.
 *
 * Order, for an encrypted file: the envelope's shape → the signature over
 * `license/` + `enc` exactly as received (the core; a tampered file is
 * SIGNATURE_INVALID whether or not the license key is given) → only then
 * decryption with the license key (and fingerprint), whose absence or
 * mismatch is a typed error naming the input (`ERR_LICENSE_KEY_REQUIRED`,
 * `ERR_LICENSE_KEY_WRONG`), never a signature failure → the payload.
 */
import type { License } from '../../license/model.ts';
import type { ResolvedEvaluation } from '../../rules/options.ts';
import type { FormatAdapter } from '../adapter.ts';
import { FORMAT_ADAPTERS } from '../index.ts';
import { decryptKeygen, type AesGcmOpen } from './decrypt.ts';
import { detectKeygen } from './detect.ts';
import { parseKeygenEnvelope, plainPayload, signedKeyDataset, type KeygenEnvelope } from './envelope.ts';
import { mapKeygenDocument, mapKeygenSignedKey, parseKeygenJson } from './read.ts';

export { parseKeygenEnvelope, type KeygenEnvelope, type KeygenKind, type KeygenEncryption } from './envelope.ts';
export { decryptKeygen, keygenAesKey, type AesGcmOpen, type DecryptionInputs } from './decrypt.ts';
export { mapKeygenDocument, mapKeygenSignedKey, type KeygenClaims } from './read.ts';

const NO_INPUTS = Object.freeze({ licenseKey: null, fingerprint: null });

/** The neutral license of a verified Keygen envelope (decrypting with the options' `licenseKey`/`fingerprint`, through `open`, when it is encrypted). */
export function readKeygen(envelope: KeygenEnvelope, options: Pick<ResolvedEvaluation, 'licenseKey' | 'fingerprint'> | undefined, open: AesGcmOpen): License {
  if (envelope.kind === 'key') return mapKeygenSignedKey(envelope.signedKey!, signedKeyDataset(envelope));
  const bytes = envelope.encryption === 'aes-256-gcm' ? decryptKeygen(envelope, options ?? NO_INPUTS, open) : plainPayload(envelope);
  return mapKeygenDocument(parseKeygenJson(bytes), envelope.kind);
}

/** The Keygen adapter, decrypting `aes-256-gcm` files with the entry's AES-GCM (`open`). */
export function createKeygenAdapter(open: AesGcmOpen): FormatAdapter<KeygenEnvelope> {
  return Object.freeze({
    name: 'keygen',
    detect: detectKeygen,
    parse: parseKeygenEnvelope,
    read: (envelope: KeygenEnvelope, options?: Pick<ResolvedEvaluation, 'licenseKey' | 'fingerprint'>) => readKeygen(envelope, options, open),
    // What inspect shows without decrypting: the `alg`, whether it is encrypted, and the length of `enc` as received (characters).
    view: (envelope: KeygenEnvelope) => ({ form: envelope.kind === 'key' ? 'signed key' : `${envelope.kind} file`, alg: envelope.alg, encrypted: envelope.encryption === 'aes-256-gcm', encLength: envelope.enc.length }),
  });
}

/**
 * The core formats and Keygen's (asked first: its detection is a fixed prefix), with the entry's AES-GCM. Keygen's
 * files need AES-GCM, about 8 KiB gzipped in pure JavaScript, so the browser and IIFE bundles leave it out: the Node
 * entry (node:crypto's AES) and `licensekit/keygen` (@noble/ciphers') build this list.
 */
export function formatAdaptersWithKeygen(open: AesGcmOpen): readonly FormatAdapter<any>[] {
  return Object.freeze([createKeygenAdapter(open), ...FORMAT_ADAPTERS]);
}
