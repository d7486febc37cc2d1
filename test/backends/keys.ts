/** Key fixtures for the backend suites: key pairs from each backend, imported as `PublicKey`s. */
import type { JwkKeyPair, SignatureBackend } from '../../src/backends/backend.ts';
import { createEd25519PublicKey, createRsaPublicKey, type PublicKey } from '../../src/keys/public-key.ts';
import type { SignatureAlgorithm } from '../../src/lib/algorithms.ts';
import { decodeBase64Url } from '../../src/lib/bytes.ts';

function b64u(text: string | undefined): Uint8Array {
  const bytes = decodeBase64Url(text ?? '');
  if (typeof bytes === 'string') throw new Error(`bad base64url in JWK (${bytes})`);
  return bytes;
}

/** Imports a public JWK the way the core does, without depending on the JWK parser. */
export function publicKeyFromJwk(jwk: Readonly<Record<string, string>>): PublicKey {
  return jwk.kty === 'RSA' ? createRsaPublicKey(b64u(jwk.n), b64u(jwk.e)) : createEd25519PublicKey(b64u(jwk.x));
}

/** A key pair, who generated it, and its imported public key. */
export interface KeyFixture {
  readonly algorithm: SignatureAlgorithm;
  readonly generator: string;
  readonly pair: JwkKeyPair;
  readonly publicKey: PublicKey;
}

/**
 * One key pair per (backend, algorithm). PS256 fixtures reuse the RS256 key
 * pairs (an RSA key without "alg" fits both), so RSA keys are generated once.
 */
export async function keyFixtures(backends: readonly SignatureBackend[]): Promise<KeyFixture[]> {
  const out: KeyFixture[] = [];
  for (const algorithm of ['RS256', 'EdDSA'] as const) {
    for (const backend of backends) {
      const pair = await backend.generateKeyPair!(algorithm, { modulusLength: 2048 });
      out.push({ algorithm, generator: backend.name, pair, publicKey: publicKeyFromJwk(pair.publicJwk) });
    }
  }
  for (const rsa of out.filter((f) => f.algorithm === 'RS256')) out.push({ ...rsa, algorithm: 'PS256' });
  return out;
}
