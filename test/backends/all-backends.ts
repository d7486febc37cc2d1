/** The four built-in backends, for suites that run every case through each. */
import type { SignatureBackend } from '../../src/backends/backend.ts';
import { forgeBackend } from '../../src/backends/forge.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { purejsBackend } from '../../src/backends/purejs/index.ts';
import { useSha1 } from '../../src/backends/purejs/rsa.ts';
import { sha1 } from '@noble/hashes/legacy.js';
import { webcryptoBackend } from '../../src/backends/webcrypto.ts';

// RS1 on the pure-JavaScript backend needs SHA-1, which the entries that read an RS1 format give it (src/netlicensing.ts, src/index.node.ts).
useSha1(sha1);

/** Every backend, the node (OpenSSL) reference first. */
export const ALL_BACKENDS: readonly SignatureBackend[] = [nodeBackend, webcryptoBackend, purejsBackend, forgeBackend];

/** Every backend that can sign. */
export const SIGNING_BACKENDS: readonly SignatureBackend[] = ALL_BACKENDS.filter((b) => b.sign && b.generateKeyPair);
