/**
 * What the state layer needs from the state's rules: the salted hashes to
 * store for a first-use binding (never a secret or a HWID in clear), and the
 * shape of the facts it passes back. The rules themselves (`clock.ts`,
 * `grace.ts`, `licensee-secret.ts`, `hwid.ts`, `revocation.ts`) run inside
 * `evaluateLicense` like every other check.
 */
export { hwidToBind } from './hwid.ts';
export { secretToBind } from './licensee-secret.ts';
export type { ClockEvidence, StateFacts } from './options.ts';
