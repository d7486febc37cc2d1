/**
 * Key ids: the RFC 7638 JWK thumbprint, SHA-256 over the key's required
 * members in lexicographic order with no whitespace, base64url without
 * padding. It depends only on the public key (never on how it was written
 * down: XML, PEM or JWK give the same id), any JOSE library computes the same
 * value, and it is what `keygen` prints and native licenses carry as `kid`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64Url, encodeUtf8 } from '../lib/bytes.ts';
import type { PublicKey } from './public-key.ts';

/** The JSON text RFC 7638 hashes for a public JWK (RSA: e, kty, n; OKP: crv, kty, x). */
export function thumbprintInput(jwk: Readonly<Record<string, string>>): string {
  if (jwk.kty === 'RSA') return `{"e":${JSON.stringify(jwk.e)},"kty":"RSA","n":${JSON.stringify(jwk.n)}}`;
  return `{"crv":${JSON.stringify(jwk.crv)},"kty":"OKP","x":${JSON.stringify(jwk.x)}}`;
}

const ids = new WeakMap<PublicKey, string>();

/** SHA-256 over bytes. */
export type Sha256 = (data: Uint8Array) => Uint8Array;
let digest: Sha256 = sha256;

/**
 * @internal The Node entry hands node:crypto's SHA-256 here when it loads:
 * the same digest, without warming up the pure-JavaScript one on a cold
 * start (about 1 ms of a process's first verification).
 */
export function useSha256(fn: Sha256): void {
  digest = fn;
}

/**
 * The key's id: its RFC 7638 SHA-256 JWK thumbprint (43 base64url characters).
 * @example
 * keyId(importPublicKey(pem)) // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 */
export function keyId(key: PublicKey): string {
  let id = ids.get(key);
  if (id === undefined) {
    id = encodeBase64Url(digest(encodeUtf8(thumbprintInput(key.jwk))));
    ids.set(key, id);
  }
  return id;
}
