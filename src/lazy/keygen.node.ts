/** Keygen's reader for Node's `licensekit`, loaded on first use (see load.node.ts): decrypts with node:crypto's AES-GCM. */
export { createKeygenAdapter } from '../formats/keygen/index.ts';
export { nodeAesGcmOpen } from '../formats/keygen/aes.node.ts';
