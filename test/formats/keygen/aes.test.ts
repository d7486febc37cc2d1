/**
 * The two AES-256-GCM openers the entries give the Keygen adapter (node:crypto
 * for Node's licensekit, @noble/ciphers for licensekit/keygen and the page)
 * agree on every sealed message, and both refuse any changed byte.
 */
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { nobleAesGcmOpen } from '../../../src/formats/keygen/aes-noble.ts';
import { nodeAesGcmOpen } from '../../../src/formats/keygen/aes.node.ts';

function seal(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([body, cipher.getAuthTag()]));
}

const opens = (open: typeof nodeAesGcmOpen, key: Uint8Array, iv: Uint8Array, sealed: Uint8Array): Uint8Array | 'refused' => {
  try {
    return open(key, iv, sealed);
  } catch {
    return 'refused';
  }
};

test('node:crypto and @noble/ciphers open the same messages to the same bytes, and refuse the same changed ones', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (key, iv, plain, at, flip) => {
      const sealed = seal(key, iv, plain);
      expect(opens(nodeAesGcmOpen, key, iv, sealed)).toEqual(plain);
      expect(opens(nobleAesGcmOpen, key, iv, sealed)).toEqual(plain);
      const changed = sealed.slice();
      changed[at % changed.length]! ^= flip;
      expect(opens(nodeAesGcmOpen, key, iv, changed)).toBe('refused');
      expect(opens(nobleAesGcmOpen, key, iv, changed)).toBe('refused');
    }),
    { numRuns: 200 },
  );
  expect(opens(nodeAesGcmOpen, new Uint8Array(32), new Uint8Array(12), new Uint8Array(15))).toBe('refused'); // shorter than the tag
});
