/**
 * Customer secrets and customer bundles, the program's side: read the secret
 * a customer was sent, and open the bundle of their licenses with it. Runs in
 * Node, browsers and bare engines (no `node:*` import; the pure-JavaScript
 * signature backend by default). Exported from `licensekit` (Node) and, for
 * browsers, `licensekit/customers` (scrypt and XChaCha20-Poly1305 are ~9 KiB
 * gzipped, outside the main bundle's budget). The vendor's side (generating
 * secrets, sealing bundles, the ledger) is in `licensekit/issuer`.
 *
 * @example
 * import { openCustomerBundle } from 'licensekit/customers';
 * const opened = await openCustomerBundle(bundleText, { secret, key: VENDOR_PUBLIC_KEY, productId: 1001 });
 */
export { openCustomerBundle, BUNDLE_REASONS, type BundleLicense, type BundleReasonCode, type OpenCustomerBundleOptions, type OpenedCustomerBundle } from './open.ts';
export { generateCustomerSecret, parseCustomerSecret, CUSTOMER_SECRET_FORMATS, type CustomerSecretFormat, type ParsedCustomerSecret, type RandomBytes } from './secret.ts';
export { BUNDLE_ARMOR_BEGIN, BUNDLE_ARMOR_END, DEFAULT_MAX_BUNDLE_BYTES } from './bundle-format.ts';
