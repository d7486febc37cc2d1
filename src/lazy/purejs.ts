/** The pure-JavaScript backend for Node's `licensekit` (`backend: 'purejs'`), loaded on first use (see load.node.ts). */
import { sha1 } from '@noble/hashes/legacy.js';
import { useSha1 } from '../backends/purejs/rsa.ts';

// RS1 (NetLicensing's rsa-sha1) on this backend: SHA-1 is loaded by the entries that read it.
useSha1(sha1);

export { purejsBackend } from '../backends/purejs/index.ts';
