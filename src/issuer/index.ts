/**
 * `licensekit/issuer`: the vendor side. Make key pairs, export the public key
 * in the forms programs embed, and issue native (COSE/CWT) and Cryptolens-format licenses. Signing
 * uses node:crypto by default; any backend with `sign` can be passed.
 */
import { nodeBackend } from '../backends/node.ts';
import type { JwkKeyPair, SignatureBackend } from '../backends/backend.ts';
import { importJwk } from '../keys/jwk.ts';
import { exportPem, exportRsaKeyValueXml } from '../keys/export.ts';
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import { BackendError } from '../lib/errors.ts';
import { randomLicenseKey } from './cryptolens.ts';
import { sealCustomerBundle as sealBundle, type SealCustomerBundleOptions, type SealedCustomerBundle } from '../customers/seal.ts';
import { signNativeLicense, signResetMessage, signRevocationList, type IssuedNativeLicense, type NativeIssueOptions as RawNativeIssueOptions, type NativeLicenseClaims } from '../formats/native/issue.ts';

export { buildCryptolensPayload, issueCryptolensLicense, randomLicenseKey, signCryptolensPayload, type IssueOptions, type LicenseClaims, type MachineClaim } from './cryptolens.ts';
export { exportPem, exportRsaKeyValueXml, exportSpki } from '../keys/export.ts';
export { buildNativeClaims, type IssuedNativeLicense, type NativeLicenseClaims } from '../formats/native/issue.ts';
export { keyId } from '../keys/thumbprint.ts';
export { generateCustomerSecret, parseCustomerSecret, type CustomerSecretFormat, type ParsedCustomerSecret } from '../customers/secret.ts';
export {
  addCustomerWithSecret,
  bundleCustomerLicenses,
  customerLicensesBySecret,
  findCustomerBySecret,
  SECRET_TAKEN_MESSAGE,
  type AddCustomerOptions,
  type BundleCustomerOptions,
  type CustomerLicenses,
} from '../customers/vendor.ts';
export type { SealedCustomerBundle } from '../customers/seal.ts';

/** Options of {@link issueNativeLicense}: `backend` defaults to node:crypto. */
export type NativeIssueOptions = Omit<RawNativeIssueOptions, 'backend'> & { readonly backend?: SignatureBackend };

/**
 * Issues a native licensekit license (COSE_Sign1 over a CWT claims set) signed
 * with the vendor's private key: `bytes` for a `.lic` file, `text` armoured.
 * Ed25519 keys sign EdDSA; RSA keys PS256 (or `algorithm: 'RS256'`). The
 * protected header carries the key id (the public key's RFC 7638 thumbprint).
 * @example
 * const { text } = await issueNativeLicense({ product: 'acme-cad', expires: new Date('2027-01-01'), features: [1] }, { privateJwk });
 */
export function issueNativeLicense(claims: NativeLicenseClaims, options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  return signNativeLicense(claims?.key === undefined ? { ...claims, key: randomLicenseKey() } : claims, { ...options, backend: options?.backend ?? nodeBackend });
}

/** A generated key pair with the public key in every shipped form. */
export interface VendorKeyPair extends JwkKeyPair {
  /** `<RSAKeyValue>` XML (RSA only), as Cryptolens shows it. */
  readonly publicKeyXml: string | null;
  /** PEM SPKI. */
  readonly publicKeyPem: string;
}

/** Generates a vendor key pair (RS256 2048-bit by default). */
export async function generateVendorKeyPair(
  options: { algorithm?: SignatureAlgorithm; modulusLength?: number; backend?: SignatureBackend } = {},
): Promise<VendorKeyPair> {
  const algorithm = options.algorithm ?? 'RS256';
  const backend = options.backend ?? nodeBackend;
  if (!backend.generateKeyPair) throw new BackendError('ERR_BACKEND_UNAVAILABLE', `backend "${backend.name}" cannot generate keys`);
  const pair = await backend.generateKeyPair(algorithm, { modulusLength: options.modulusLength ?? 2048 });
  const key = importJwk(pair.publicJwk);
  return { ...pair, publicKeyXml: key.type === 'rsa' ? exportRsaKeyValueXml(key) : null, publicKeyPem: exportPem(key) };
}

/**
 * Issues a vendor-signed HWID reset for one license (for `state.importMessage`):
 * `counter` must exceed the last reset the program imported for it (start at 1).
 */
export function issueResetMessage(licenseKey: string, counter: number, options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  return signResetMessage(licenseKey, counter, { ...options, backend: options?.backend ?? nodeBackend });
}

/** Issues a vendor-signed revocation list: `sequence` must exceed the last list programs imported. */
export function issueRevocationList(sequence: number, revoked: readonly string[], options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  return signRevocationList(sequence, revoked, { ...options, backend: options?.backend ?? nodeBackend });
}

/** Options of {@link sealCustomerBundle}: `backend` defaults to node:crypto. */
export type CustomerBundleOptions = Omit<SealCustomerBundleOptions, 'backend'> & { readonly backend?: SignatureBackend };

/**
 * Seals a customer's signed native licenses into one customer bundle:
 * encrypted (XChaCha20-Poly1305) under a key derived from the customer's
 * secret (scrypt, N = 2^15, r = 8, p = 1) and signed with the vendor key
 * (COSE_Sign1) over the ciphertext, salt, nonce and parameters. The secret is
 * never written. Programs open it with `openCustomerBundle`.
 * @example
 * const { text } = await sealCustomerBundle({ customer: { id: 'c1', name: 'Acme', secret }, licenses: [cad.bytes, viewer.bytes], signingKey: privateJwk });
 */
export function sealCustomerBundle(options: CustomerBundleOptions): Promise<SealedCustomerBundle> {
  return sealBundle({ ...options, backend: options?.backend ?? nodeBackend });
}
