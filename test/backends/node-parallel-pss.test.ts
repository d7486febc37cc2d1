/**
 * The node backend's worker threads verify PS256 with PSS padding and the
 * exact 32-byte salt, and never mix schemes in one chunk: RS256 and PS256
 * checks under the same key, interleaved, each get their own answer.
 */
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import { parallelPoolStats } from '../../src/backends/node-parallel.ts';
import type { SignatureAlgorithm } from '../../src/lib/algorithms.ts';
import { publicKeyFromJwk } from './keys.ts';

describe('node verifyParallel with PS256', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = publicKeyFromJwk(pair.publicKey.export({ format: 'jwk' }) as Record<string, string>);
  const pss = (data: Uint8Array, saltLength: number) =>
    new Uint8Array(sign('sha256', data, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
  const pkcs1 = (data: Uint8Array) => new Uint8Array(sign('sha256', data, pair.privateKey));

  test('workers answer PS256 and RS256 checks, interleaved, as verifySync does', async () => {
    const data = Uint8Array.of(1, 2, 3, 4);
    const warmUp = pss(data, 32);
    const deadline = Date.now() + 20_000;
    while (parallelPoolStats().workersOnline === 0 && Date.now() < deadline) {
      await Promise.all(Array.from({ length: 64 }, () => nodeBackend.verifyParallel!('PS256', key, data, warmUp)));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(parallelPoolStats().workersOnline).toBeGreaterThan(0);

    const cases: { algorithm: SignatureAlgorithm; data: Uint8Array; signature: Uint8Array; expected: boolean }[] = [];
    for (let i = 0; i < 640; i++) {
      const d = Uint8Array.of(i & 255, i >> 8, 7);
      // Runs of one kind, so whole chunks of each go to the workers, and mixed stretches between them.
      const kind = i < 320 ? Math.floor(i / 40) % 4 : i % 4;
      if (kind === 0) cases.push({ algorithm: 'PS256', data: d, signature: pss(d, 32), expected: true });
      else if (kind === 1) cases.push({ algorithm: 'PS256', data: d, signature: pss(d, 20), expected: false });
      else if (kind === 2) cases.push({ algorithm: 'RS256', data: d, signature: pkcs1(d), expected: true });
      else cases.push({ algorithm: 'PS256', data: d, signature: pkcs1(d), expected: false });
    }
    const before = parallelPoolStats();
    const answers = await Promise.all(cases.map((c) => nodeBackend.verifyParallel!(c.algorithm, key, c.data, c.signature)));
    const after = parallelPoolStats();
    expect(answers).toEqual(cases.map((c) => c.expected));
    expect(answers).toEqual(cases.map((c) => nodeBackend.verifySync!(c.algorithm, key, c.data, c.signature)));
    expect(after.inWorkers - before.inWorkers).toBeGreaterThan(0);
  });
});
