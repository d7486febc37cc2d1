/**
 * The Cryptolens format adapter: envelope extraction, then (after the core has
 * verified the exact bytes) payload decoding and mapping to `License`.
 */
import type { License } from '../../license/model.ts';
import { parseCryptolensPayloadBytes, type CryptolensEnvelope } from './envelope.ts';
import { mapCryptolensPayload } from './payload.ts';

export { COMPACT_PREFIX, parseCryptolensEnvelope, type CryptolensEnvelope } from './envelope.ts';
export { mapCryptolensPayload, parseCryptolensDate } from './payload.ts';

/** Reads the License out of an envelope whose signature has verified. */
export function readCryptolensLicense(envelope: CryptolensEnvelope): License {
  return mapCryptolensPayload(parseCryptolensPayloadBytes(envelope.signedBytes));
}
