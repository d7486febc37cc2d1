/**
 * `licensekit/forge`: the node-forge backend, a pure-JavaScript reference
 * implementation (RS256 and Ed25519, synchronous verify, sign and keygen)
 * used to cross-check the other backends. It lives in an entry of its own so
 * that importing `licensekit` never loads node-forge: pass the object as the
 * `backend` option to use it.
 *
 * @example
 * import { verifyLicenseSync } from 'licensekit';
 * import { forgeBackend } from 'licensekit/forge';
 * const verdict = verifyLicenseSync(licenseText, { key: publicKeyXml, backend: forgeBackend });
 */
export { forgeBackend } from './backends/forge.ts';
