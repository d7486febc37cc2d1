/**
 * licensekit for any JavaScript host (browsers, workers, Deno, Bun, plugin
 * sandboxes): verification over WebCrypto where it exists, and a fast pure
 * JavaScript backend (BigInt RSA, noble Ed25519) where it does not. No Node
 * module is imported.
 *
 * @example
 * import { verifyLicense } from 'licensekit';
 * const verdict = await verifyLicense(licenseText, { key: publicKeyXml, now: new Date() });
 */
import { purejsBackend } from './backends/purejs/index.ts';
import { webcryptoBackend } from './backends/webcrypto.ts';
import { createVerifyApi } from './verify.ts';

export * from './exports.ts';
export type { BatchErrorCode, BatchItemError, BatchResult } from './batch.ts';
export { purejsBackend } from './backends/purejs/index.ts';
export { webcryptoBackend } from './backends/webcrypto.ts';

const api = /* @__PURE__ */ createVerifyApi([webcryptoBackend, purejsBackend]);

/** Verifies a license and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over the pure-JavaScript backend. */
export const verifyLicenseSync = api.verifyLicenseSync;
/** Verifies many licenses under one key in parallel, over WebCrypto (or pure JavaScript where it is absent); answers in input order (see `VerifyApi.verifyLicenses`). */
export const verifyLicenses = api.verifyLicenses;
