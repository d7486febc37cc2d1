/**
 * `licensekit/netlicensing`: NetLicensing offline validation files (XML-DSig,
 * RSA-SHA1) as a format adapter a caller passes in, so the core bundles (and
 * the IIFE) carry no XML reader:
 *
 * ```js
 * import { verifyLicense } from 'licensekit';
 * import { netlicensingFormat } from 'licensekit/netlicensing';
 * const verdict = await verifyLicense(xml, { key: NETLICENSING_PUBLIC_KEY_PEM, formats: [netlicensingFormat] });
 * ```
 *
 * The CLI always includes it.
 */
import type { FormatAdapter } from '../adapter.ts';
import { looksLikeXml, parseNetLicensingEnvelope, type NetLicensingEnvelope } from './envelope.ts';
import { readNetLicensing } from './read.ts';
import type { WarningCode } from '../../rules/reasons.ts';

export { netlicensingClaims, type NetLicensingClaims, type NetLicensingItem, type NetLicensingModule } from './read.ts';
export type { NetLicensingEnvelope } from './envelope.ts';

const NONE: readonly WarningCode[] = Object.freeze([]);

/** The NetLicensing format adapter: pass it in the `formats` option of `verifyLicense` / `inspectLicense`. It claims input whose first character is `<`. */
export const netlicensingFormat: FormatAdapter<NetLicensingEnvelope> = Object.freeze({
  name: 'netlicensing',
  detect: looksLikeXml,
  parse: parseNetLicensingEnvelope,
  read: readNetLicensing,
  // WEAK_ALGORITHM comes from the registry (RS1's hash is SHA-1), as for any format signed with it.
  warnings: () => NONE,
  view: (envelope: NetLicensingEnvelope) => ({
    form: 'xml-dsig',
    canonicalization: envelope.canonicalizationMethod,
    digestMatches: envelope.digestMatches,
    ttl: envelope.document.root.attributes.find((a) => a.name === 'ttl')?.value ?? null,
  }),
});
