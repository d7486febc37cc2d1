/**
 * Reading the members of a private JWK (issuing side), shared by the backends
 * that sign without a native JWK importer (pure JavaScript, node-forge).
 */
import { jwkMemberBytes } from '../keys/jwk.ts';
import { KeyError } from '../lib/errors.ts';
import type { PrivateJwk } from './backend.ts';

/**
 * The bytes of base64url member `name` of a private JWK.
 * Throws `KeyError` `ERR_KEY_INVALID` when it is missing or not base64url.
 */
export function jwkBytes(jwk: PrivateJwk, name: string): Uint8Array {
  return jwkMemberBytes(jwk, name, 'private JWK');
}

/** Checks `jwk.kty` (and `crv` for OKP); throws `KeyError` `ERR_KEY_INVALID` otherwise. */
export function expectJwkType(jwk: PrivateJwk, kty: 'RSA' | 'OKP'): void {
  // Own members only, as for public JWKs.
  const actual = Object.hasOwn(jwk, 'kty') ? jwk.kty : undefined;
  if (actual !== kty || (kty === 'OKP' && (!Object.hasOwn(jwk, 'crv') || jwk.crv !== 'Ed25519'))) {
    throw new KeyError('ERR_KEY_INVALID', `expected a private ${kty === 'RSA' ? 'RSA' : 'Ed25519'} JWK, got kty=${String(actual)}`);
  }
}
