/**
 * The library as the page sees it: site/library.ts (the browser API reading
 * every format: the core ones, Keygen's and NetLicensing's), built as an IIFE
 * beside the page (licensekit-site.iife.js), defines the global `licensekit`.
 * The page imports only its types, so app.js never carries a second copy of
 * the library.
 */
import type * as Library from './library.ts';

export type LicenseKit = typeof Library;

/** The global the IIFE bundle defines, or `null` when it did not load. */
export function library(): LicenseKit | null {
  const lk: unknown = (globalThis as { licensekit?: unknown }).licensekit;
  return typeof lk === 'object' && lk !== null ? (lk as LicenseKit) : null;
}
