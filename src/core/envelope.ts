/**
 * The one core every format funnels into: a signed envelope is the exact bytes
 * that were signed, the signature, and the algorithm. Verification runs over
 * those bytes as received; nothing is re-encoded, and no claim is read before
 * the signature has been checked.
 */
import type { SignatureBackend } from '../backends/backend.ts';
import { ALGORITHMS, type SignatureAlgorithm } from '../lib/algorithms.ts';
import { KeyError, LicenseInputError, isLicenseKitError } from '../lib/errors.ts';
import { keyFitsAlgorithm, type PublicKey } from '../keys/public-key.ts';

/** What a format adapter extracts from a license file before verification. */
export interface SignedEnvelope {
  /** The format the envelope came in, e.g. `cryptolens`. */
  readonly format: string;
  /** Exactly the bytes the issuer signed. */
  readonly signedBytes: Uint8Array;
  /** The signature over `signedBytes`. */
  readonly signature: Uint8Array;
  /** The algorithm the format prescribes. */
  readonly algorithm: SignatureAlgorithm;
  /** The key id the license names (a signed header such as COSE's protected `kid`), or `null` when it names none. */
  readonly keyId: string | null;
}

/**
 * Refuses an envelope whose algorithm the caller's allow-list (validated
 * beforehand: an array of known names) excludes, with `ERR_ALGORITHM_NOT_ALLOWED`,
 * and a key that does not fit the envelope's algorithm (`ERR_KEY_UNSUPPORTED`):
 * see `keyFitsAlgorithm` (an RSA key without a JWK "alg" fits RS256 and PS256).
 */
export function checkKeyFits(envelope: SignedEnvelope, key: PublicKey, allowed: readonly SignatureAlgorithm[] | null = null): void {
  if (allowed !== null && !allowed.includes(envelope.algorithm)) {
    throw new LicenseInputError('ERR_ALGORITHM_NOT_ALLOWED', `this ${envelope.format} license is signed with ${envelope.algorithm}, which the "algorithms" option does not allow (${allowed.join(', ')})`);
  }
  if (!keyFitsAlgorithm(key, envelope.algorithm)) {
    throw new KeyError(
      'ERR_KEY_UNSUPPORTED',
      `the key is for ${key.algorithms.map((a) => ALGORITHMS[a].description).join(' or ')} but this ${envelope.format} license is signed with ${ALGORITHMS[envelope.algorithm].description}`,
    );
  }
}

/**
 * The one place a backend's answer becomes the signature check's result:
 * `false` for a bad signature. A backend's typed error (misuse such as
 * `ERR_ALGORITHM_UNSUPPORTED`) propagates; anything else it throws counts as
 * "did not verify".
 */
export function signatureOutcome(error: unknown): false {
  if (isLicenseKitError(error)) throw error;
  return false;
}

/** Verifies an envelope asynchronously; `false` for a bad signature (never throws for one). */
export function verifySignedEnvelope(envelope: SignedEnvelope, key: PublicKey, backend: SignatureBackend): Promise<boolean> {
  try {
    return backend.verify(envelope.algorithm, key, envelope.signedBytes, envelope.signature).catch(signatureOutcome);
  } catch (error) {
    return Promise.resolve(signatureOutcome(error));
  }
}

/** Verifies an envelope synchronously on a backend that has `verifySync`. */
export function verifySignedEnvelopeSync(envelope: SignedEnvelope, key: PublicKey, backend: SignatureBackend): boolean {
  try {
    return backend.verifySync!(envelope.algorithm, key, envelope.signedBytes, envelope.signature);
  } catch (error) {
    return signatureOutcome(error);
  }
}
