/**
 * licensekit for Node: verification over node:crypto (synchronous, OpenSSL),
 * with WebCrypto and pure JavaScript available by the `backend` option.
 *
 * @example
 * import { verifyLicense } from 'licensekit';
 * const verdict = await verifyLicense(licenseText, { key: publicKeyXml });
 */
import { nodeBackend } from './backends/node.ts';
import { createVerifyApi } from './verify.ts';

export * from './exports.ts';
export { nodeBackend } from './backends/node.ts';

const api = /* @__PURE__ */ createVerifyApi([nodeBackend]);

/** Verifies a license and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over node:crypto. */
export const verifyLicenseSync = api.verifyLicenseSync;
