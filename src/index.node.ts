/**
 * licensekit for Node: verification over node:crypto (synchronous, OpenSSL),
 * with WebCrypto and pure JavaScript available by the `backend` option.
 * `licensekit` resolves here under Node's "node" condition; `licensekit/node`
 * names this entry explicitly, for TypeScript's `moduleResolution: "bundler"`
 * (which does not set "node") and bundlers building for Node.
 *
 * @example
 * import { verifyLicense } from 'licensekit';
 * const verdict = await verifyLicense(licenseText, { key: publicKeyXml });
 */
import { forgeBackend } from './backends/forge.ts';
import { nodeBackend } from './backends/node.ts';
import { purejsBackend } from './backends/purejs/index.ts';
import { webcryptoBackend } from './backends/webcrypto.ts';
import { createVerifyApi } from './verify.ts';

export * from './exports.ts';
export type { BatchErrorCode, BatchItemError, BatchResult } from './batch.ts';
export { nodeBackend } from './backends/node.ts';
export { purejsBackend } from './backends/purejs/index.ts';
export { webcryptoBackend } from './backends/webcrypto.ts';
export { forgeBackend } from './backends/forge.ts';

// node:crypto first; the others serve `backend: 'webcrypto' | 'purejs' | 'forge'`.
const api = /* @__PURE__ */ createVerifyApi([nodeBackend, webcryptoBackend, purejsBackend, forgeBackend]);

/** Verifies a license and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over node:crypto. */
export const verifyLicenseSync = api.verifyLicenseSync;
/** Verifies many licenses under one key in parallel, over node:crypto on worker threads beside the calling thread; answers in input order (see `VerifyApi.verifyLicenses`). */
export const verifyLicenses = api.verifyLicenses;
