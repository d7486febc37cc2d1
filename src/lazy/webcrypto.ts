/** The WebCrypto backend for Node's `licensekit` (`backend: 'webcrypto'`), loaded on first use (see load.node.ts). */
export { webcryptoBackend } from '../backends/webcrypto.ts';
