/**
 * The pure-JavaScript Ed25519 verifier has two ways to compute [k]A: a NAF for
 * a key's first verification and a fixed-base table once the key is reused.
 * Both must give the node backend's answer.
 */
import { fc, test } from '@fast-check/vitest';
import { beforeAll, describe, expect } from 'vitest';
import type { JwkKeyPair } from '../../src/backends/backend.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { purejsBackend } from '../../src/backends/purejs/index.ts';
import { publicKeyFromJwk } from './keys.ts';

let pair: JwkKeyPair;
beforeAll(async () => {
  pair = await nodeBackend.generateKeyPair!('EdDSA');
});

describe('purejs Ed25519: first use and repeated use of a key', () => {
  test.prop([fc.uint8Array({ maxLength: 200 }), fc.option(fc.nat(), { nil: undefined })], { numRuns: 60 })(
    'a fresh key object (NAF path) and a reused one (table path) agree with node',
    async (data, flip) => {
      const signature = await nodeBackend.sign!('EdDSA', pair.privateJwk, data);
      if (flip !== undefined) signature[(flip >> 3) % 64]! ^= 1 << (flip & 7);
      const expected = nodeBackend.verifySync!('EdDSA', publicKeyFromJwk(pair.publicJwk), data, signature);
      expect(expected).toBe(flip === undefined);
      const reused = publicKeyFromJwk(pair.publicJwk);
      const first = purejsBackend.verifySync!('EdDSA', reused, data, signature);
      const second = purejsBackend.verifySync!('EdDSA', reused, data, signature);
      const third = purejsBackend.verifySync!('EdDSA', reused, data, signature);
      expect([first, second, third]).toEqual([expected, expected, expected]);
    },
  );
});
