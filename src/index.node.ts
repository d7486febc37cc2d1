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
import { lazyBackend } from './backends/lazy.ts';
import { isSignatureAlgorithm } from './lib/algorithms.ts';
import { BackendError } from './lib/errors.ts';
import { createHash } from 'node:crypto';
import { useSha256 } from './keys/thumbprint.ts';
import { createVerifyApi, useSharedSource } from './verify.ts';
import { memoizedShared } from './options-memo.ts';
import { createInspectLicense } from './inspect-formats.ts';
import { FORMAT_ADAPTERS, type FormatAdapter } from './formats/index.ts';
import { useExactReaders } from './formats/cryptolens/envelope.ts';
import { exactResponse } from './formats/cryptolens/exact-response.ts';
import { exactPayload } from './formats/cryptolens/exact-payload.ts';
import { lazyAdapter } from './formats/lazy.ts';
import { detectKeygen } from './formats/keygen/detect.ts';
import { nodeAesGcmOpen } from './formats/keygen/aes.node.ts';
import type { AesGcmOpen, KeygenEnvelope } from './formats/keygen/index.ts';
import { looksLikeXml } from './formats/netlicensing/detect.ts';
import type { NetLicensingEnvelope } from './formats/netlicensing/index.ts';
import { loadKeygen, loadNetlicensing, loadPurejs, loadWebcrypto } from './lazy/load.node.ts';

export * from './exports.ts';
export { createInspectLicense, type InspectLicense, type InspectOptions } from './inspect-formats.ts';
export { ERROR_MEANINGS } from './lib/error-meanings.ts';
export type { AesGcmOpen, KeygenClaims } from './formats/keygen/index.ts';
export { netlicensingClaims } from './formats/netlicensing/claims.ts';
export type { NetLicensingClaims, NetLicensingItem, NetLicensingModule } from './formats/netlicensing/index.ts';
export type { BatchErrorCode, BatchItemError, BatchResult } from './batch.ts';
export { nodeBackend } from './backends/node.ts';

// Keygen's and NetLicensing's readers and the WebCrypto and pure-JavaScript backends load on first use
// (src/lazy/load.node.ts): each stands here as an adapter or backend that answers `detect` (or its name) at
// once and loads the real one when it is first needed, so `import 'licensekit'` compiles none of them.

/** The Keygen adapter, decrypting `aes-256-gcm` files with `open` (its reader loads on first use). */
export function createKeygenAdapter(open: AesGcmOpen): FormatAdapter<KeygenEnvelope> {
  return lazyAdapter('keygen', detectKeygen, () => loadKeygen().createKeygenAdapter(open));
}

/** The core formats with Keygen's first, decrypting with `open`. */
export function formatAdaptersWithKeygen(open: AesGcmOpen): readonly FormatAdapter<any>[] {
  return Object.freeze([createKeygenAdapter(open), ...FORMAT_ADAPTERS]);
}

/** The NetLicensing format adapter (its XML reader loads on first use). */
export const netlicensingFormat: FormatAdapter<NetLicensingEnvelope> = lazyAdapter('netlicensing', looksLikeXml, () => loadNetlicensing().netlicensingFormat);
/** The pure-JavaScript backend (`backend: 'purejs'`; loads on first use). */
export const purejsBackend: SignatureBackend = lazyBackend('purejs', { verifySync: true, sign: true, generateKeyPair: true }, () => loadPurejs().purejsBackend);
/** The WebCrypto backend over this host's `crypto.subtle` (`backend: 'webcrypto'`; loads on first use). */
export const webcryptoBackend: SignatureBackend = lazyBackend('webcrypto', { sign: true, generateKeyPair: true, frozen: true }, () => loadWebcrypto().webcryptoBackend);

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
// Node's verification API remembers what an unchanged options object resolved to (src/options-memo.ts); the browser
// and IIFE bundles (held to 40 KiB) do not carry it and validate on every call.
useSharedSource(memoizedShared);
// Cryptolens responses and payloads exactly as Cryptolens writes them are read without JSON.parse (same results; not in those bundles either).
useExactReaders(exactResponse, exactPayload);

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
