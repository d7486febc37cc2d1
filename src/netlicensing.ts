/**
 * `licensekit/netlicensing`: licensekit for any JavaScript host, reading
 * NetLicensing's offline validation files (XML-DSig, RSA-SHA1) beside the core
 * formats. Its own entry because the strict XML reader and C14N are not
 * needed by the `licensekit` browser and IIFE bundles, which stay within their
 * 40 KiB budget without them. In Node, `licensekit` itself reads NetLicensing
 * files (and so does the CLI).
 *
 * @example
 * import { verifyLicense } from 'licensekit/netlicensing';
 * const verdict = await verifyLicense(xmlText, { key: NETLICENSING_PUBLIC_KEY_PEM });
 * // verdict.warnings: ['WEAK_ALGORITHM'] (SHA-1); a past `ttl` is SIGNATURE_EXPIRED
 */
import { purejsBackend } from './backends/purejs/index.ts';
import { webcryptoBackend } from './backends/webcrypto.ts';
import { FORMAT_ADAPTERS } from './formats/index.ts';
import { netlicensingFormat } from './formats/netlicensing/index.ts';
import { createVerifyApi } from './verify.ts';
import { sha1 } from '@noble/hashes/legacy.js';
import { useSha1 } from './backends/purejs/rsa.ts';
import { createInspectLicense } from './inspect-formats.ts';
export { createInspectLicense, type InspectLicense, type InspectOptions } from './inspect-formats.ts';

export * from './exports.ts';
export { netlicensingClaims, netlicensingFormat, type NetLicensingClaims, type NetLicensingItem, type NetLicensingModule } from './formats/netlicensing/index.ts';
export { purejsBackend } from './backends/purejs/index.ts';
export { webcryptoBackend } from './backends/webcrypto.ts';

// RS1 (NetLicensing's rsa-sha1) on the pure-JavaScript backend: SHA-1 comes with this entry, not with the core bundles.
useSha1(sha1);

const FORMATS = Object.freeze([netlicensingFormat, ...FORMAT_ADAPTERS]);
const api = /* @__PURE__ */ createVerifyApi([webcryptoBackend, purejsBackend], FORMATS);

/** Verifies a license (NetLicensing's offline validation files included) and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over the pure-JavaScript backend. */
export const verifyLicenseSync = api.verifyLicenseSync;
/** Verifies many licenses under one key in parallel (see `VerifyApi.verifyLicenses`). */
export const verifyLicenses = api.verifyLicenses;
/** Decodes a license file's claims WITHOUT verifying them, NetLicensing's files included. */
export const inspectLicense = /* @__PURE__ */ createInspectLicense(FORMATS);
