/**
 * Reading the members of a private JWK (issuing side), shared by the backends
 * that sign without a native JWK importer (pure JavaScript, node-forge).
 */
import { decodeBase64Url } from '../lib/bytes.ts';
import { KeyError } from '../lib/errors.ts';
import type { PrivateJwk } from './backend.ts';

/**
 * The bytes of base64url member `name` of `jwk`.
 * Throws `KeyError` `ERR_KEY_INVALID` when it is missing or not base64url.
 */
export function jwkBytes(jwk: PrivateJwk, name: string): Uint8Array {
  const text = jwk[name];
  if (typeof text !== 'string' || text.length === 0) {
    throw new KeyError('ERR_KEY_INVALID', `private JWK lacks "${name}"`);
  }
  const bytes = decodeBase64Url(text);
  if (typeof bytes === 'string') throw new KeyError('ERR_KEY_INVALID', `private JWK member "${name}" is not base64url (${bytes})`);
  return bytes;
}

/** Checks `jwk.kty` (and `crv` for OKP); throws `KeyError` `ERR_KEY_INVALID` otherwise. */
export function expectJwkType(jwk: PrivateJwk, kty: 'RSA' | 'OKP'): void {
  if (jwk.kty !== kty || (kty === 'OKP' && jwk.crv !== 'Ed25519')) {
    throw new KeyError('ERR_KEY_INVALID', `expected a private ${kty === 'RSA' ? 'RSA' : 'Ed25519'} JWK, got kty=${String(jwk.kty)}`);
  }
}
