/**
 * The Cryptolens format adapter (SignMethod=1): envelope extraction from the
 * saved JSON response or the compact form, then (after the core has verified
 * the exact bytes) payload decoding and mapping to the neutral `License`,
 * and Cryptolens' own `LicenseStatus` view. Legacy SignMethod=0 files are
 * read by `sign-method-0.ts` into the same `License`, with the warning
 * `SIGNED_RESERIALISATION`.
 */
import type { License } from '../../license/model.ts';
import type { ResolvedEvaluation } from '../../rules/options.ts';
import type { FormatAdapter } from '../adapter.ts';
import { parseCryptolensEnvelope, readCryptolensPayloadBytes, type CryptolensEnvelope } from './envelope.ts';
import { mapCryptolensPayload } from './payload.ts';
import { computeStatus } from './status.ts';
import type { SignMethod0Envelope } from './sign-method-0.ts';
import type { WarningCode } from '../../rules/reasons.ts';

export { COMPACT_PREFIX, parseCryptolensEnvelope, type CryptolensEnvelope } from './envelope.ts';
export { mapCryptolensPayload, parseCryptolensDate } from './payload.ts';
export { cryptolensClaims, type CryptolensClaims, type CryptolensDataObject } from './claims.ts';
export { computeStatus, type LicenseStatus } from './status.ts';
export type { SignMethod0Envelope } from './sign-method-0.ts';

const isSignMethod0 = (envelope: CryptolensEnvelope): envelope is SignMethod0Envelope => (envelope as Partial<SignMethod0Envelope>).signMethod === 0;
const RESERIALISED: readonly WarningCode[] = Object.freeze(['SIGNED_RESERIALISATION']);
const NONE: readonly WarningCode[] = Object.freeze([]);

/** Reads Cryptolens SignMethod=1 (and legacy SignMethod=0) licenses. Last in the adapter list: it claims any input and gives the typed errors for what is no license at all. */
export const cryptolensAdapter: FormatAdapter<CryptolensEnvelope> = Object.freeze({
  name: 'cryptolens',
  detect: () => true,
  parse: parseCryptolensEnvelope,
  read: (envelope: CryptolensEnvelope) => mapCryptolensPayload(isSignMethod0(envelope) ? envelope.signedPayload : readCryptolensPayloadBytes(envelope.signedBytes)),
  warnings: (envelope: CryptolensEnvelope) => (isSignMethod0(envelope) ? RESERIALISED : NONE),
  status: (license: License, options: ResolvedEvaluation) => computeStatus(license, options.product, options.nowMs, options.toleranceMs),
  view: (envelope: CryptolensEnvelope) =>
    isSignMethod0(envelope)
      ? { form: envelope.form, signMethod: 0, signedString: envelope.signedString, result: envelope.result, message: envelope.message }
      : { form: envelope.form, result: envelope.result, message: envelope.message, metadata: envelope.metadata },
});
