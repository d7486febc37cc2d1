/**
 * HMAC-SHA-256 (RFC 2104) over the SHA-256 the verifying bundles already carry
 * (for key ids), instead of a second module: the browser and IIFE bundles stay
 * within their size budget. Checked against node:crypto's HMAC by a property
 * test (test/lib/hmac.test.ts).
 */
import { sha256 } from '@noble/hashes/sha2.js';

const BLOCK = 64;

/** HMAC-SHA-256 of `data` under `key`. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = new Uint8Array(BLOCK);
  k.set(key.length > BLOCK ? sha256(key) : key);
  const inner = new Uint8Array(BLOCK + data.length);
  const outer = new Uint8Array(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i]! ^ 0x36;
    outer[i] = k[i]! ^ 0x5c;
  }
  inner.set(data, BLOCK);
  outer.set(sha256(inner), BLOCK);
  return sha256(outer);
}
