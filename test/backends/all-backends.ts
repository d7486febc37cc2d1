/** The four built-in backends, for suites that run every case through each. */
import type { SignatureBackend } from '../../src/backends/backend.ts';
import { forgeBackend } from '../../src/backends/forge.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { purejsBackend } from '../../src/backends/purejs/index.ts';
import { webcryptoBackend } from '../../src/backends/webcrypto.ts';

/** Every backend, the node (OpenSSL) reference first. */
export const ALL_BACKENDS: readonly SignatureBackend[] = [nodeBackend, webcryptoBackend, purejsBackend, forgeBackend];

/** Every backend that can sign. */
export const SIGNING_BACKENDS: readonly SignatureBackend[] = ALL_BACKENDS.filter((b) => b.sign && b.generateKeyPair);
