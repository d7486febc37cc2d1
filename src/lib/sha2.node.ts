/**
 * SHA-256 over node:crypto, in @noble/hashes' call shape (`sha256(bytes)`):
 * Node's main entry (scripts/build.mjs, dist/node/index.js and index.cjs) takes
 * this module in place of `@noble/hashes/sha2.js`, whose classes and SHA-512
 * tables a cold start would otherwise compile and build for nothing where
 * OpenSSL is at hand. Only `sha256(data)` is here: a module that asked for
 * more would fail the build, not run.
 */
import { createHash } from 'node:crypto';

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
