/**
 * Verifying a vendor message (an HWID reset or a revocation list) before the
 * state imports it: a native COSE_Sign1 message whose signature must verify
 * under the vendor's key ring, exactly like a license, and whose claims must
 * say what it is. Anything else is `ERR_MESSAGE_INVALID`, never imported.
 */
import type { SignatureBackend } from '../backends/backend.ts';
import { verifySignedEnvelope } from '../core/envelope.ts';
import { nativeAdapter } from '../formats/native/index.ts';
import { readVendorMessage, type VendorMessage } from '../formats/native/messages.ts';
import { decodeClaims } from '../formats/native/read.ts';
import { isLicenseKitError, StateError } from '../lib/errors.ts';
import { keyFitsAlgorithm } from '../keys/public-key.ts';
import { candidateKeys, type KeyRing } from '../keys/ring.ts';

/** A message whose signature verified, with the id of the key that verified it. */
export interface VerifiedMessage {
  readonly message: VendorMessage;
  readonly keyId: string;
}

/** Verifies and reads a vendor message; `ERR_MESSAGE_INVALID` for anything that is not one signed by a key of `ring`. */
export async function verifyVendorMessage(input: string | Uint8Array, ring: KeyRing, backend: SignatureBackend): Promise<VerifiedMessage> {
  if (!nativeAdapter.detect(input)) throw new StateError('ERR_MESSAGE_INVALID', 'not a licensekit message (a COSE_Sign1, armoured or binary)');
  let envelope;
  try {
    envelope = nativeAdapter.parse(input);
  } catch (error) {
    throw new StateError('ERR_MESSAGE_INVALID', `the message cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let keys;
  try {
    keys = candidateKeys(ring, envelope.keyId, (key) => keyFitsAlgorithm(key, envelope.algorithm));
  } catch (error) {
    throw new StateError('ERR_MESSAGE_INVALID', `the message is signed by a key this program does not hold: ${(error as Error).message}`, { cause: error });
  }
  for (const entry of keys) {
    if (!keyFitsAlgorithm(entry.key, envelope.algorithm)) continue;
    if (await verifySignedEnvelope(envelope, entry.key, backend)) {
      try {
        return { message: readVendorMessage(decodeClaims(envelope.cose.payload)), keyId: entry.kid };
      } catch (error) {
        if (!isLicenseKitError(error)) throw error;
        throw new StateError('ERR_MESSAGE_INVALID', error.message, { cause: error });
      }
    }
  }
  throw new StateError('ERR_MESSAGE_INVALID', 'the message signature does not verify under the vendor key');
}
