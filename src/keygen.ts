/**
 * `licensekit/keygen`: licensekit for any JavaScript host, reading Keygen's
 * license files, machine files and signed keys beside the core formats. Its
 * own entry because Keygen's encrypted files need AES-256-GCM (@noble/ciphers,
 * pure JavaScript): the `licensekit` browser and IIFE bundles stay within
 * their 40 KiB budget without it. In Node, `licensekit` itself reads Keygen's
 * formats.
 *
 * @example
 * import { verifyLicense } from 'licensekit/keygen';
 * const verdict = await verifyLicense(licenseFileText, { key: KEYGEN_PUBLIC_KEY_HEX, licenseKey: LICENSE_KEY });
 */
import { purejsBackend } from './backends/purejs/index.ts';
import { webcryptoBackend } from './backends/webcrypto.ts';
import { nobleAesGcmOpen } from './formats/keygen/aes-noble.ts';
import { formatAdaptersWithKeygen } from './formats/keygen/index.ts';
import { createVerifyApi } from './verify.ts';
import { createInspectLicense } from './inspect-formats.ts';
export { createInspectLicense, type InspectLicense, type InspectOptions } from './inspect-formats.ts';

export * from './exports.ts';
export { createKeygenAdapter, formatAdaptersWithKeygen, type AesGcmOpen, type KeygenClaims } from './formats/keygen/index.ts';

/** The core formats and Keygen's, decrypting with @noble/ciphers' AES-GCM. */
export const FORMAT_ADAPTERS_WITH_KEYGEN = /* @__PURE__ */ formatAdaptersWithKeygen(nobleAesGcmOpen);
export { purejsBackend } from './backends/purejs/index.ts';
export { webcryptoBackend } from './backends/webcrypto.ts';

const api = /* @__PURE__ */ createVerifyApi([webcryptoBackend, purejsBackend], FORMAT_ADAPTERS_WITH_KEYGEN);

/** Verifies a license (Keygen's formats included) and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over the pure-JavaScript backend. */
export const verifyLicenseSync = api.verifyLicenseSync;
/** Verifies many licenses under one key in parallel (see `VerifyApi.verifyLicenses`). */
export const verifyLicenses = api.verifyLicenses;
/** Decodes a license file's claims WITHOUT verifying them, Keygen's included (an encrypted file shows its envelope; with `licenseKey` its claims too). */
export const inspectLicense = /* @__PURE__ */ createInspectLicense(FORMAT_ADAPTERS_WITH_KEYGEN);
