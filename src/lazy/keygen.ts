/**
 * Keygen's reader for Node's `licensekit`, loaded on first use (see load.node.ts). It decrypts with the AES-GCM
 * the entry hands it (node:crypto's): a part requires nothing, so an app bundled as an ES module carries it whole.
 */
export { createKeygenAdapter } from '../formats/keygen/index.ts';
