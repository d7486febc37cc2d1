/**
 * licensekit for Node: verification over node:crypto (synchronous, OpenSSL),
 * with WebCrypto and pure JavaScript available by the `backend` option.
 * node-forge, the reference implementation, is not imported here (it took
 * most of a cold start): `licensekit/forge` exports its backend, and
 * `backend: 'forge'` loads it on first use, for the async API (see `forgeByName`).
 * `licensekit` resolves here under Node's "node" condition; `licensekit/node`
 * names this entry explicitly, for TypeScript's `moduleResolution: "bundler"`
 * (which does not set "node") and bundlers building for Node.
 *
 * @example
 * import { verifyLicense } from 'licensekit';
 * const verdict = await verifyLicense(licenseText, { key: publicKeyXml });
 */
import type { SignatureBackend } from './backends/backend.ts';
import { nodeBackend } from './backends/node.ts';
import { purejsBackend } from './backends/purejs/index.ts';
import { webcryptoBackend } from './backends/webcrypto.ts';
import { isSignatureAlgorithm } from './lib/algorithms.ts';
import { BackendError } from './lib/errors.ts';
import { createHash } from 'node:crypto';
import { useSha256 } from './keys/thumbprint.ts';
import { createVerifyApi } from './verify.ts';
import { sha1 } from '@noble/hashes/legacy.js';
import { useSha1 } from './backends/purejs/rsa.ts';
import { createInspectLicense } from './inspect-formats.ts';
import { nodeAesGcmOpen } from './formats/keygen/aes.node.ts';
import { formatAdaptersWithKeygen } from './formats/keygen/index.ts';
import { netlicensingFormat } from './formats/netlicensing/index.ts';

export * from './exports.ts';
export { createInspectLicense, type InspectLicense, type InspectOptions } from './inspect-formats.ts';
export { ERROR_MEANINGS } from './lib/error-meanings.ts';
export { createKeygenAdapter, formatAdaptersWithKeygen, type AesGcmOpen, type KeygenClaims } from './formats/keygen/index.ts';
export { netlicensingClaims, netlicensingFormat, type NetLicensingClaims, type NetLicensingItem, type NetLicensingModule } from './formats/netlicensing/index.ts';
export type { BatchErrorCode, BatchItemError, BatchResult } from './batch.ts';
export { nodeBackend } from './backends/node.ts';
export { purejsBackend } from './backends/purejs/index.ts';
export { webcryptoBackend } from './backends/webcrypto.ts';

let forgeLoading: Promise<SignatureBackend> | undefined;

/** node-forge's backend, loaded on first use (once; a failed load is a typed error, never a bad signature). */
function loadForge(): Promise<SignatureBackend> {
  forgeLoading ??= import('./backends/forge.ts').then(
    (m) => m.forgeBackend,
    (cause: unknown) => {
      forgeLoading = undefined;
      throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'backend "forge": node-forge could not be loaded', { cause });
    },
  );
  return forgeLoading;
}

/**
 * `backend: 'forge'` by name, without loading node-forge (tens of
 * milliseconds) when `licensekit` is imported: `verifyLicense` and
 * `verifyLicenses` load it on first use. By name it is asynchronous only
 * (no `verifySync`: the sync API cannot wait for a module), so
 * `verifyLicenseSync` refuses it with `ERR_BACKEND_ASYNC_ONLY`; the object
 * from `licensekit/forge` (`forgeBackend`) verifies synchronously.
 */
const forgeByName: SignatureBackend = {
  name: 'forge',
  // The reference implementation covers every algorithm licensekit knows (test/entry/forge-entry.test.ts holds it to that).
  supports: isSignatureAlgorithm,
  verify: async (algorithm, key, data, signature) => (await loadForge()).verify(algorithm, key, data, signature),
};

useSha256((data) => new Uint8Array(createHash('sha256').update(data).digest()));
// RS1 (NetLicensing's rsa-sha1) on the pure-JavaScript backend (`backend: 'purejs'`): SHA-1 is loaded by the entries that read it.
useSha1(sha1);

/** The core formats and Keygen's, decrypting with node:crypto's AES-GCM. */
export const FORMAT_ADAPTERS_WITH_KEYGEN = formatAdaptersWithKeygen(nodeAesGcmOpen);
/** The formats Node's licensekit reads: NetLicensing's, Keygen's and the core ones. */
const NODE_FORMATS = Object.freeze([netlicensingFormat, ...FORMAT_ADAPTERS_WITH_KEYGEN]);
// node:crypto first; the others serve `backend: 'webcrypto' | 'purejs' | 'forge'`.
const api = /* @__PURE__ */ createVerifyApi([nodeBackend, webcryptoBackend, purejsBackend, forgeByName], NODE_FORMATS);
/** Decodes a license file's claims WITHOUT verifying them, in every format Node's licensekit reads (Keygen's encrypted files: give `licenseKey`). */
export const inspectLicense = /* @__PURE__ */ createInspectLicense(NODE_FORMATS);

/** Verifies a license and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over node:crypto. */
export const verifyLicenseSync = api.verifyLicenseSync;
/** Verifies many licenses under one key in parallel, over node:crypto on worker threads beside the calling thread; answers in input order (see `VerifyApi.verifyLicenses`). */
export const verifyLicenses = api.verifyLicenses;
