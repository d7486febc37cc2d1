/**
 * Keygen's signed forms, taken apart before anything is verified:
 *
 * - **license files** and **machine files**: armour lines
 *   (`-----BEGIN LICENSE FILE-----` / `-----BEGIN MACHINE FILE-----`) around
 *   base64 of the JSON `{"enc", "sig", "alg"}`. The signed bytes are
 *   `license/` (or `machine/`) followed by the `enc` text exactly as received;
 *   `alg` is `<encryption>+<signature>`: `aes-256-gcm` or `base64`, then
 *   `ed25519`, `rsa-pss-sha256` (PS256-MAX: RSA-PSS with the maximum salt) or
 *   `rsa-sha256` (RS256).
 * - **signed license keys**: `key/` + base64url dataset, `.`, base64url
 *   signature; the signed bytes are the text before the `.` (keygen-api's
 *   `generate_*_signed_key!(version: 2)`). `ED25519_SIGN` keys have a 64-byte
 *   signature; `RSA_2048_PKCS1_SIGN_V2` (RS256) and
 *   `RSA_2048_PKCS1_PSS_SIGN_V2` (PS256-MAX) keys a modulus-long one, and
 *   nothing in the key says which padding: the caller's `algorithms` names it.
 *
 * Nothing here decrypts or parses what the file claims: `read.ts` does that
 * once the core has verified the signature over these bytes.
 */
import type { SignedEnvelope } from '../../core/envelope.ts';
import type { SignatureAlgorithm } from '../../lib/algorithms.ts';
import { decodeBase64, decodeBase64Url, decodeUtf8, encodeBase64, encodeUtf8 } from '../../lib/bytes.ts';
import { LicenseInputError, UnsupportedFormatError } from '../../lib/errors.ts';
import type { ParseHints } from '../adapter.ts';
import { KEY_PREFIX, skipStart } from './detect.ts';

export { bytesLookLikeKeygen, looksLikeKeygen } from './detect.ts';

/** Which Keygen form a file is. */
export type KeygenKind = 'license' | 'machine' | 'key';

/** How a Keygen file's payload is carried: AES-256-GCM encrypted, base64 plain text, or a key's dataset. */
export type KeygenEncryption = 'aes-256-gcm' | 'base64' | 'none';

/** A Keygen envelope: the signed bytes, and the `enc` text to decode once they verified. */
export interface KeygenEnvelope extends SignedEnvelope {
  readonly format: 'keygen';
  readonly kind: KeygenKind;
  /** The file's `alg` as written (`aes-256-gcm+ed25519`); for a signed key `ed25519`, `rsa-sha256` or `rsa-pss-sha256`. */
  readonly alg: string;
  readonly encryption: KeygenEncryption;
  /** The `enc` text (license and machine files) or the base64url dataset (signed keys), as received. */
  readonly enc: string;
  /** The whole signed key (signed keys only) as Keygen stores it (its signature in padded base64url, however it was received): the license's key. */
  readonly signedKey: string | null;
}

const ARMOR = /^-----BEGIN (LICENSE|MACHINE) FILE-----$/;
/** A signed key: `key/`, base64url (padding tolerated), `.`, base64url. */
const SIGNED_KEY = /^key\/[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$/;
/** Largest `{enc, sig, alg}` JSON read (the verify size limit bounds the input; this bounds JSON.parse on unverified text). */
const MAX_DOCUMENT_CHARS = 4 * 1024 * 1024;

function invalid(message: string): never {
  throw new LicenseInputError('ERR_ENVELOPE_INVALID', `Keygen: ${message}`);
}

/** Signature algorithms by the part of `alg` after the `+`. */
/**
 * Signature algorithms by the part of `alg` after the `+`. Keygen signs `rsa-pss-sha256` with OpenSSL's
 * `sign_pss(SHA256, data, salt_length: :max, mgf1_hash: SHA256)` (keygen-api's checkout services), so it is
 * PS256-MAX: the maximum salt (222 bytes for RSA-2048), required exactly, not JOSE's PS256 (salt 32).
 */
const SIGNATURES: Readonly<Record<string, SignatureAlgorithm>> = Object.freeze({ ed25519: 'EdDSA', 'rsa-sha256': 'RS256', 'rsa-pss-sha256': 'PS256-MAX' });

function signatureAlgorithm(scheme: string, alg: string): SignatureAlgorithm {
  const algorithm = Object.hasOwn(SIGNATURES, scheme) ? SIGNATURES[scheme]! : null;
  if (algorithm === null) throw new UnsupportedFormatError(`Keygen file algorithm "${alg}" is not one licensekit verifies (aes-256-gcm or base64, with ed25519, rsa-pss-sha256 or rsa-sha256)`);
  return algorithm;
}

/** The base64 between the armour lines (CR LF, trailing blanks and any line length tolerated; nothing outside the armour). */
function dearmor(text: string): { kind: 'license' | 'machine'; body: string } {
  const lines = text.slice(skipStart(text)).split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const open = ARMOR.exec(lines[0] ?? '');
  if (!open) invalid('a license or machine file starts with its own -----BEGIN … FILE----- line');
  const label = open[1]!;
  if (lines.length < 3 || lines[lines.length - 1] !== `-----END ${label} FILE-----`) invalid(`a ${label.toLowerCase()} file ends with -----END ${label} FILE-----, and nothing may follow it`);
  const body = lines.slice(1, -1).join('');
  if (body.length === 0) invalid('the file is empty between its armour lines');
  if (body.length > MAX_DOCUMENT_CHARS) invalid('the file is larger than any Keygen file');
  return { kind: label === 'LICENSE' ? 'license' : 'machine', body };
}

function base64(text: string, what: string): Uint8Array {
  const bytes = decodeBase64(text);
  if (typeof bytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `Keygen: ${what} is not valid base64 (${bytes})`);
  return bytes;
}

/** base64url with its padding, if any, left off (Keygen's signed keys keep it). */
function base64Url(text: string, what: string): Uint8Array {
  const bytes = decodeBase64Url(text.replace(/={1,2}$/, ''));
  if (typeof bytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `Keygen: ${what} is not valid base64url (${bytes})`);
  return bytes;
}

/** A string field of the unverified `{enc, sig, alg}` document. */
function field(doc: Record<string, unknown>, name: string): string {
  const value = Object.hasOwn(doc, name) ? doc[name] : undefined;
  if (typeof value !== 'string' || value.length === 0) invalid(`the file's "${name}" must be a non-empty string`);
  return value;
}

/** Checks `enc`'s shape for its encryption: three base64 parts (ciphertext, 12-byte IV, 16-byte tag), or one. */
function checkEnc(enc: string, encryption: KeygenEncryption): void {
  if (encryption === 'aes-256-gcm') {
    const parts = enc.split('.');
    if (parts.length !== 3) invalid('an encrypted file\'s "enc" is ciphertext.iv.tag in base64');
    if (base64(parts[1]!, 'the IV').length !== 12) invalid('the AES-GCM IV must be 12 bytes');
    if (base64(parts[2]!, 'the tag').length !== 16) invalid('the AES-GCM tag must be 16 bytes');
    base64(parts[0]!, 'the ciphertext');
  } else base64(enc, '"enc"');
}

function parseFile(text: string): KeygenEnvelope {
  const { kind, body } = dearmor(text);
  const json = decodeUtf8(base64(body, 'the file body'));
  if (json === null) invalid('the file body is not UTF-8 JSON');
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (cause) {
    throw new LicenseInputError('ERR_ENVELOPE_INVALID', `Keygen: the file body is not JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) invalid('the file body must be a JSON object {enc, sig, alg}');
  const record = doc as Record<string, unknown>;
  const alg = field(record, 'alg');
  const enc = field(record, 'enc');
  const sig = field(record, 'sig');
  const plus = alg.indexOf('+');
  const cipher = plus < 0 ? '' : alg.slice(0, plus);
  if (cipher !== 'aes-256-gcm' && cipher !== 'base64') {
    throw new UnsupportedFormatError(`Keygen file algorithm "${alg}" is not one licensekit verifies (aes-256-gcm or base64, with ed25519, rsa-pss-sha256 or rsa-sha256)`);
  }
  const algorithm = signatureAlgorithm(alg.slice(plus + 1), alg);
  checkEnc(enc, cipher);
  return {
    format: 'keygen',
    kind,
    alg,
    encryption: cipher,
    enc,
    signedKey: null,
    algorithm,
    keyId: null,
    signedBytes: encodeUtf8(`${kind}/${enc}`),
    signature: base64(sig, 'the file\'s "sig"'),
  };
}

/** The RSA padding of a `*_V2` RSA signed key: the one RSA algorithm Keygen uses that `algorithms` allows. */
function rsaKeyAlgorithm(bytes: number, hints: ParseHints | undefined): 'RS256' | 'PS256-MAX' {
  const named = (['RS256', 'PS256-MAX'] as const).filter((a) => hints?.algorithms?.includes(a));
  if (named.length === 1) return named[0]!;
  throw new UnsupportedFormatError(
    `a Keygen RSA signed key (${bytes}-byte signature) does not say which padding signed it (its policy's scheme does): ` +
      'verify it with "algorithms": ["RS256"] for RSA_2048_PKCS1_SIGN_V2 or ["PS256-MAX"] for RSA_2048_PKCS1_PSS_SIGN_V2 (CLI: --algorithm)',
  );
}

function parseSignedKey(key: string, hints: ParseHints | undefined): KeygenEnvelope {
  if (!SIGNED_KEY.test(key)) invalid('a signed license key is key/<base64url dataset>.<base64url signature>');
  const dot = key.indexOf('.');
  const signature = base64Url(key.slice(dot + 1), 'the key\'s signature');
  const dataset = key.slice(KEY_PREFIX.length, dot);
  base64Url(dataset, 'the key\'s dataset');
  // 64 bytes: ED25519_SIGN. 128 to 1024 bytes (RSA 1024 to 8192 bits): RSA_2048_PKCS1_SIGN_V2 or _PSS_SIGN_V2.
  if (signature.length !== 64 && (signature.length < 128 || signature.length > 1024)) {
    throw new UnsupportedFormatError(`a Keygen signed key with a ${signature.length}-byte signature is neither ED25519_SIGN (64 bytes) nor an RSA *_SIGN_V2 key`);
  }
  const algorithm = signature.length === 64 ? 'EdDSA' : rsaKeyAlgorithm(signature.length, hints);
  // The signature's padding is not signed: unpadded or short of an "=", it verifies the same. The license's key is
  // Keygen's own spelling (padded base64url), so a key revoked by its value cannot pass as a re-spelt twin.
  const keygenSpelling = `${key.slice(0, dot)}.${encodeBase64(signature).replace(/\+/g, '-').replace(/\//g, '_')}`;
  return {
    format: 'keygen',
    kind: 'key',
    alg: algorithm === 'EdDSA' ? 'ed25519' : algorithm === 'RS256' ? 'rsa-sha256' : 'rsa-pss-sha256',
    encryption: 'none',
    enc: dataset,
    signedKey: keygenSpelling,
    algorithm,
    keyId: null,
    signedBytes: encodeUtf8(key.slice(0, dot)),
    signature,
  };
}

/** Takes a Keygen license file, machine file or signed key apart (typed errors for anything else); `hints` name an RSA signed key's padding. */
export function parseKeygenEnvelope(input: string | Uint8Array, hints?: ParseHints): KeygenEnvelope {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (text === null) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'Keygen: a license file, machine file or signed key is UTF-8 text');
  const start = skipStart(text);
  if (text.startsWith(KEY_PREFIX, start)) return parseSignedKey(text.trim().replace(/^\uFEFF/, ''), hints);
  return parseFile(text);
}

/** Decodes a signed key's dataset (call only after the signature verified): its UTF-8 text. */
export function signedKeyDataset(envelope: KeygenEnvelope): string {
  const text = decodeUtf8(base64Url(envelope.enc, 'the key\'s dataset'));
  if (text === null) throw new LicenseInputError('ERR_PAYLOAD_INVALID', 'Keygen: the signed key\'s dataset is not UTF-8 text');
  return text;
}

/** Decodes a `base64+…` file's `enc` (call only after the signature verified). */
export function plainPayload(envelope: KeygenEnvelope): Uint8Array {
  return base64(envelope.enc, '"enc"');
}
