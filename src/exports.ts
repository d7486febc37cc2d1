/**
 * Everything the entry points share, apart from the verify functions they bind
 * to their own default backends.
 */
export { importPublicKey, type KeyInput } from './keys/import.ts';
export type { PublicKey, RsaPublicNumbers } from './keys/public-key.ts';
export { inspectLicense, type Inspection } from './inspect.ts';
export { DEFAULT_MAX_INPUT_BYTES, createVerifyApi, type LicenseInput, type Verdict, type VerdictDetails, type VerifyApi, type VerifyOptions } from './verify.ts';
export { VerifiedLicense } from './license/verified.ts';
export type { LicenseEvaluation } from './license/verified.ts';
export type { ActivatedMachine, FeatureFlag, FeatureNumber, License, Party } from './license/model.ts';
export type { CheckResult, Evaluation, FormatStatus } from './rules/evaluate.ts';
export { FORMAT_ADAPTERS, type EnvelopeView, type FormatAdapter } from './formats/index.ts';
export { cryptolensClaims, type CryptolensClaims, type CryptolensDataObject, type LicenseStatus } from './formats/cryptolens/index.ts';
export { importKeyRing, MAX_RING_KEYS, type KeyRing, type KeyRingEntry, type KeyRingInput, type KeyRingMember } from './keys/ring.ts';
export { keyId } from './keys/thumbprint.ts';
export type { EvaluationOptions, FeatureRequirement, ProductDefinition } from './rules/options.ts';
export { REASONS, WARNINGS, type ReasonCode, type WarningCode } from './rules/reasons.ts';
export { ALGORITHMS, type SignatureAlgorithm } from './lib/algorithms.ts';
export type { BackendName, SignatureBackend, PrivateJwk, JwkKeyPair } from './backends/backend.ts';
export type { BackendChoice } from './backends/select.ts';
export {
  BackendError,
  ERROR_CODES,
  FileReadError,
  StateError,
  LedgerError,
  ActivationError,
  FingerprintError,
  KeyError,
  LicenseInputError,
  LicenseKitError,
  OptionError,
  UnsupportedFormatError,
  isLicenseKitError,
  type BackendErrorCode,
  type CodeOf,
  type ErrorClassName,
  type ErrorCode,
  type ErrorCodeInfo,
  type FingerprintErrorCode,
  type KeyErrorCode,
  type LedgerErrorCode,
  type ActivationErrorCode,
  type LicenseInputErrorCode,
  type LicenseKitErrorOptions,
  type StateErrorCode,
} from './lib/errors.ts';
