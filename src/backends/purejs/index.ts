/**
 * The pure-JavaScript backend: RS256 and PS256 over native `BigInt` and Ed25519 over
 * @noble/ed25519. It needs only `BigInt` and `Uint8Array`, so it runs in any
 * engine (QuickJS, Hermes, old browsers); key generation additionally needs
 * `crypto.getRandomValues`, and so does PS256 signing (its salt).
 * Synchronous; signs and generates keys too.
 */
import { isSignatureAlgorithm, type SignatureAlgorithm } from '../../lib/algorithms.ts';
import { BackendError } from '../../lib/errors.ts';
import { keyFitsAlgorithm, type PublicKey } from '../../keys/public-key.ts';
import type { JwkKeyPair, PrivateJwk, SignatureBackend } from '../backend.ts';
import { generateEd25519KeyPair, signEd25519, verifyEd25519 } from './ed25519.ts';
import { generateRsaKeyPair, hasSha1, signPs256, signRs256, verifyPss, verifyRs1, verifyRs256 } from './rsa.ts';

function unsupported(algorithm: unknown): never {
  throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', `purejs backend does not support ${String(algorithm)}`);
}

/** Every algorithm of the registry; RS1 once an entry that reads an RS1 format has given SHA-1 (`useSha1`). */
function supports(algorithm: SignatureAlgorithm): boolean {
  return isSignatureAlgorithm(algorithm) && (algorithm !== 'RS1' || hasSha1());
}

function verifySync(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  if (!supports(algorithm)) unsupported(algorithm);
  if (!keyFitsAlgorithm(key, algorithm)) return false;
  try {
    if (algorithm === 'RS256') return verifyRs256(key, data, signature);
    if (algorithm === 'RS1') return verifyRs1(key, data, signature);
    if (algorithm === 'PS256' || algorithm === 'PS256-MAX') return verifyPss(algorithm, key, data, signature);
    return verifyEd25519(key, data, signature);
  } catch {
    return false;
  }
}

/**
 * Pure-JavaScript backend (RS256, PS256, Ed25519, and PS256-MAX and RS1 (verify only; RS1 where an entry gave SHA-1, see `useSha1`); sync verify; sign and keygen).
 *
 * @example
 * ```ts
 * const ok = purejsBackend.verifySync!('EdDSA', key, data, signature);
 * ```
 */
export const purejsBackend: SignatureBackend = {
  name: 'purejs',
  supports,
  // Synchronous work: the inputs cannot change underneath it.
  verify: async (algorithm, key, data, signature) => verifySync(algorithm, key, data, signature),
  verifySync,
  sign: async (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array): Promise<Uint8Array> => {
    if (algorithm === 'RS256') return signRs256(privateJwk, data);
    if (algorithm === 'PS256') return signPs256(privateJwk, data);
    if (algorithm === 'EdDSA') return signEd25519(privateJwk, data);
    return unsupported(algorithm);
  },
  generateKeyPair: async (algorithm: SignatureAlgorithm, options?: { modulusLength?: number }): Promise<JwkKeyPair> => {
    if (algorithm === 'RS256' || algorithm === 'PS256') return generateRsaKeyPair(options?.modulusLength ?? 2048);
    if (algorithm === 'EdDSA') return generateEd25519KeyPair();
    return unsupported(algorithm);
  },
};
