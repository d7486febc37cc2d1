/**
 * buffer.ts carves small byte arrays from a slab it makes on first use. An empty array asked for before anything
 * else (an empty copy, as `nodeBackend.verifyParallel` makes of empty data) must not find the slab missing: this
 * file runs in a fresh module graph, and asks for nothing before these.
 */
import { expect, test } from 'vitest';
import { allocBytes, copyBytes } from '../../src/lib/bytes.ts';

test('an empty array is the first thing asked of the slab: an empty array, then the slab works as ever', () => {
  expect(copyBytes(new Uint8Array(0))).toEqual(new Uint8Array(0));
  expect(allocBytes(0).length).toBe(0);
  const bytes = copyBytes(new Uint8Array([1, 2, 3]));
  expect(Array.from(bytes)).toEqual([1, 2, 3]);
  expect(Array.from(copyBytes(new Uint8Array(0)))).toEqual([]);
  expect(Array.from(bytes)).toEqual([1, 2, 3]);
});
