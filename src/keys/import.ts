/**
 * One function to import any public key form licensekit accepts, detected
 * from its content: Cryptolens `<RSAKeyValue>` XML, PEM (SPKI or PKCS#1), a
 * JWK (object or JSON text), or raw DER bytes (SPKI); and the forms Keygen
 * hands out: a raw Ed25519 public key in hex (64 digits), DER SPKI in base64.
 */
import { decodeBase64, decodeUtf8, fromHex } from '../lib/bytes.ts';
import { KeyError } from '../lib/errors.ts';
import { importJwk } from './jwk.ts';
import { importPem, importSpki, looksLikePem } from './pem.ts';
import { createEd25519PublicKey, isPublicKey, type PublicKey } from './public-key.ts';
import { importRsaKeyValueXml, looksLikeXml } from './xml.ts';

/** Anything `importPublicKey` accepts. */
export type KeyInput = string | Uint8Array | Record<string, unknown> | PublicKey;

/** Largest key input accepted, in bytes or characters (a PEM or XML key is well under 4 KiB). */
export const MAX_KEY_INPUT_BYTES = 64 * 1024;

/**
 * Imports a public key, detecting its form. Throws `KeyError` with a stable code
 * (`ERR_KEY_INVALID`, `ERR_KEY_PRIVATE`, `ERR_KEY_CERTIFICATE`, `ERR_KEY_UNSUPPORTED`, `ERR_KEY_TOO_SMALL`).
 *
 * @example
 * const key = importPublicKey('<RSAKeyValue><Modulus>…</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>');
 */
export function importPublicKey(input: KeyInput): PublicKey {
  if (isPublicKey(input)) return input;
  if (input instanceof Uint8Array) {
    if (input.length > MAX_KEY_INPUT_BYTES) throw new KeyError('ERR_KEY_INVALID', `key input larger than ${MAX_KEY_INPUT_BYTES} bytes`);
    if (input[0] === 0x30) return importSpki(input);
    const text = decodeUtf8(input);
    if (text === null) throw new KeyError('ERR_KEY_INVALID', 'key bytes are neither DER nor UTF-8 text');
    return importPublicKey(text);
  }
  if (typeof input === 'object' && input !== null) return importJwk(input);
  if (typeof input !== 'string') throw new KeyError('ERR_KEY_INVALID', `key must be a string, Uint8Array, JWK object or imported PublicKey, got ${typeof input}`);
  if (input.length > MAX_KEY_INPUT_BYTES) throw new KeyError('ERR_KEY_INVALID', `key text longer than ${MAX_KEY_INPUT_BYTES} characters`);
  const text = input.replace(/^\uFEFF/, '');
  if (looksLikePem(text)) return importPem(text);
  if (looksLikeXml(text)) return importRsaKeyValueXml(text);
  if (/^\s*\{/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new KeyError('ERR_KEY_INVALID', 'key text starts like a JWK but is not valid JSON');
    }
    return importJwk(parsed);
  }
  const bare = text.trim();
  // Keygen's forms: the raw 32-byte Ed25519 key in hex, and DER SPKI in base64 (a DER SEQUENCE starts "M").
  if (/^[0-9a-fA-F]{64}$/.test(bare)) return createEd25519PublicKey(fromHex(bare)!);
  if (/^M[A-Za-z0-9+/]+={0,2}$/.test(bare)) {
    const der = decodeBase64(bare);
    if (typeof der !== 'string' && der[0] === 0x30) return importSpki(der);
  }
  throw new KeyError('ERR_KEY_INVALID', 'key is not RSAKeyValue XML, PEM, JWK, a hex Ed25519 key or base64 DER');
}
