/**
 * The library the inspector page runs, as the global `licensekit`: the same
 * API as the `licensekit` browser entry (src/index.ts), over WebCrypto and the
 * pure-JavaScript backend, but reading EVERY format licensekit reads: the core
 * ones, Keygen's (licensekit/keygen: AES-GCM) and NetLicensing's
 * (licensekit/netlicensing: the XML reader, C14N, SHA-1 for RS1). Built into
 * dist/site/licensekit-site.iife.js by scripts/build.mjs (`buildSite`); the
 * page is not held to the 40 KiB budget of the package's own bundles, only to
 * its 100 KB total transfer (test/site/page.test.ts).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { purejsBackend } from '../src/backends/purejs/index.ts';
import { useSha1 } from '../src/backends/purejs/rsa.ts';
import { webcryptoBackend } from '../src/backends/webcrypto.ts';
import { nobleAesGcmOpen } from '../src/formats/keygen/aes-noble.ts';
import { formatAdaptersWithKeygen } from '../src/formats/keygen/index.ts';
import { netlicensingFormat } from '../src/formats/netlicensing/index.ts';
import { createInspectLicense } from '../src/inspect-formats.ts';
import { createVerifyApi } from '../src/verify.ts';

export * from '../src/exports.ts';
export { purejsBackend } from '../src/backends/purejs/index.ts';
export { webcryptoBackend } from '../src/backends/webcrypto.ts';

// RS1 (NetLicensing's rsa-sha1) on the pure-JavaScript backend, for `backend: 'purejs'`.
useSha1(sha1);

/** Every format the page reads, in the order they are asked: NetLicensing's, Keygen's, then the core ones. */
export const SITE_FORMATS = Object.freeze([netlicensingFormat, ...formatAdaptersWithKeygen(nobleAesGcmOpen)]);

const api = /* @__PURE__ */ createVerifyApi([webcryptoBackend, purejsBackend], SITE_FORMATS);

/** Verifies a license in any format and evaluates every rule (see `VerifyApi.verifyLicense`). */
export const verifyLicense = api.verifyLicense;
/** Synchronous `verifyLicense` over the pure-JavaScript backend. */
export const verifyLicenseSync = api.verifyLicenseSync;
/** Verifies many licenses under one key (see `VerifyApi.verifyLicenses`). */
export const verifyLicenses = api.verifyLicenses;
/** Decodes a license's claims WITHOUT verifying them, in any format (an encrypted Keygen file: with `licenseKey`). */
export const inspectLicense = /* @__PURE__ */ createInspectLicense(SITE_FORMATS);
