/**
 * The Cryptolens format adapter (SignMethod=1): envelope extraction from the
 * saved JSON response or the compact form, then (after the core has verified
 * the exact bytes) payload decoding and mapping to the neutral `License`,
 * and Cryptolens' own `LicenseStatus` view.
 */
import type { License } from '../../license/model.ts';
import type { ResolvedEvaluation } from '../../rules/options.ts';
import type { FormatAdapter } from '../adapter.ts';
import { parseCryptolensEnvelope, parseCryptolensPayloadBytes, type CryptolensEnvelope } from './envelope.ts';
import { mapCryptolensPayload } from './payload.ts';
import { computeStatus } from './status.ts';

export { COMPACT_PREFIX, parseCryptolensEnvelope, type CryptolensEnvelope } from './envelope.ts';
export { mapCryptolensPayload, parseCryptolensDate } from './payload.ts';
export { cryptolensClaims, type CryptolensClaims, type CryptolensDataObject } from './claims.ts';
export { computeStatus, type LicenseStatus } from './status.ts';

/** Reads Cryptolens SignMethod=1 licenses. Last in the adapter list: it claims any input and gives the typed errors for what is no license at all. */
export const cryptolensAdapter: FormatAdapter<CryptolensEnvelope> = Object.freeze({
  name: 'cryptolens',
  detect: () => true,
  parse: parseCryptolensEnvelope,
  read: (envelope: CryptolensEnvelope) => mapCryptolensPayload(parseCryptolensPayloadBytes(envelope.signedBytes)),
  status: (license: License, options: ResolvedEvaluation) => computeStatus(license, options.product, options.nowMs, options.toleranceMs),
  view: (envelope: CryptolensEnvelope) => ({ form: envelope.form, result: envelope.result, message: envelope.message, metadata: envelope.metadata }),
});
