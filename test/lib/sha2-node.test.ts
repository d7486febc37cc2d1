/**
 * Node's main entry takes src/lib/sha2.node.ts (node:crypto) in place of
 * @noble/hashes' SHA-256 (scripts/build.mjs): the two must give the same
 * digest for every input, or key ids and HMACs would differ between Node and
 * the browser bundles.
 */
import { fc, test } from '@fast-check/vitest';
import { sha256 as noble } from '@noble/hashes/sha2.js';
import { expect } from 'vitest';
import { sha256 } from '../../src/lib/sha2.node.ts';

test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 300 })('sha2.node.ts gives @noble/hashes’ SHA-256, as a plain Uint8Array', (data) => {
  const got = sha256(data);
  expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype);
  expect(got).toEqual(noble(data));
});
