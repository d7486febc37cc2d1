/**
 * JSON Web Keys (RFC 7517): RSA (`kty: "RSA"`) and Ed25519 (`kty: "OKP"`,
 * `crv: "Ed25519"`). Private JWKs (with `d`) are refused. Members are read as
 * OWN properties only: an inherited `n`, `kty` or `d` (prototype pollution
 * elsewhere in the host) is never part of a key.
 */
import { decodeBase64Url } from '../lib/bytes.ts';
import { KeyError } from '../lib/errors.ts';
import { createEd25519PublicKey, createRsaPublicKey, type PublicKey } from './public-key.ts';

/**
 * The bytes of base64url member `name` of a JWK (public or private; `label`
 * names which in messages). Throws `KeyError` `ERR_KEY_INVALID` when it is
 * missing, empty or not base64url.
 */
export function jwkMemberBytes(jwk: Readonly<Record<string, unknown>>, name: string, label = 'JWK'): Uint8Array {
  const value = member(jwk, name);
  if (typeof value !== 'string' || value.length === 0) throw new KeyError('ERR_KEY_INVALID', `${label} member "${name}" must be a non-empty base64url string`);
  const bytes = decodeBase64Url(value);
  if (typeof bytes === 'string') throw new KeyError('ERR_KEY_INVALID', `${label} member "${name}" is not valid base64url (${bytes})`);
  return bytes;
}

/** Own member `name` of a JWK, or `undefined`. */
function member(jwk: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(jwk, name) ? jwk[name] : undefined;
}

/** `"alg"` as a message shows it: a string quoted and cut short, anything else by its type. */
function describeAlg(alg: unknown): string {
  return typeof alg === 'string' ? JSON.stringify(alg.slice(0, 40)) : typeof alg;
}

/**
 * Imports a public JWK object. An RSA JWK's `"alg"` (`RS256`, `PS256`, or
 * `RS1`: RSASSA-PKCS1-v1_5 with SHA-1, WebCrypto's JWK name, verified only
 * where a legacy format prescribes it) binds the key to that algorithm;
 * without `"alg"` it fits every RSA algorithm.
 */
export function importJwk(jwk: unknown): PublicKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new KeyError('ERR_KEY_INVALID', 'JWK must be a JSON object');
  const source = jwk as Record<string, unknown>;
  const record = { kty: member(source, 'kty'), crv: member(source, 'crv'), use: member(source, 'use'), alg: member(source, 'alg') };
  if (Object.hasOwn(source, 'd')) throw new KeyError('ERR_KEY_PRIVATE', 'a private JWK (with "d") was given where the public key belongs');
  if (record.use !== undefined && record.use !== 'sig') throw new KeyError('ERR_KEY_UNSUPPORTED', `JWK "use" is "${String(record.use)}", expected "sig"`);
  if (record.alg !== undefined && record.alg !== 'RS256' && record.alg !== 'PS256' && record.alg !== 'RS1' && record.alg !== 'EdDSA' && record.alg !== 'Ed25519') {
    throw new KeyError('ERR_KEY_UNSUPPORTED', `JWK "alg" ${describeAlg(record.alg)} is not supported (RS256, PS256, RS1, EdDSA)`);
  }
  if (record.kty === 'RSA') {
    // "alg" binds the key to that one algorithm (RFC 7517 §4.4); without it an RSA key fits RS256 and PS256 (and RS1, PS256-MAX where a format prescribes them).
    if (record.alg !== undefined && record.alg !== 'RS256' && record.alg !== 'PS256' && record.alg !== 'RS1') throw new KeyError('ERR_KEY_UNSUPPORTED', `an RSA JWK cannot have "alg" ${describeAlg(record.alg)}`);
    return createRsaPublicKey(jwkMemberBytes(source, 'n'), jwkMemberBytes(source, 'e'), record.alg);
  }
  if (record.kty === 'OKP' && record.crv === 'Ed25519') {
    if (record.alg !== undefined && record.alg !== 'EdDSA' && record.alg !== 'Ed25519') throw new KeyError('ERR_KEY_UNSUPPORTED', `an Ed25519 JWK cannot have "alg" ${String(record.alg)}`);
    return createEd25519PublicKey(jwkMemberBytes(source, 'x'));
  }
  throw new KeyError('ERR_KEY_UNSUPPORTED', `unsupported JWK (kty ${String(record.kty)}${record.crv ? `, crv ${String(record.crv)}` : ''}); licensekit verifies RSA and Ed25519`);
}
