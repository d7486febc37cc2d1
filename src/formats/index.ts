/**
 * Format detection: which adapter reads a license text. One adapter today
 * (Cryptolens); the native format plugs in here.
 */
import type { SignedEnvelope } from '../core/envelope.ts';
import type { License } from '../license/model.ts';
import { parseCryptolensEnvelope, readCryptolensLicense, type CryptolensEnvelope } from './cryptolens/index.ts';

/** A parsed envelope of any supported format. */
export type AnyEnvelope = CryptolensEnvelope;

/** Extracts the signed envelope from license text, choosing the format by content. */
export function parseEnvelope(text: string): AnyEnvelope {
  return parseCryptolensEnvelope(text);
}

/** Maps a verified envelope's payload to the format-neutral License. */
export function readLicense(envelope: SignedEnvelope & AnyEnvelope): License {
  return readCryptolensLicense(envelope);
}
