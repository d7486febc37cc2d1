/**
 * Wycheproof conformance, read in place from the shared vectors folder:
 * every backend, every case. `valid` must verify, `invalid` must not,
 * `acceptable` may go either way but every backend must agree with the node
 * (OpenSSL) backend; an unknown result fails. Each failing case is named
 * `(group/tcId, result): comment [flags]`.
 */
import { describe, expect, test } from 'vitest';
import type { SignatureBackend } from '../../src/backends/backend.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { createEd25519PublicKey, createRsaPublicKey, type PublicKey } from '../../src/keys/public-key.ts';
import type { SignatureAlgorithm } from '../../src/lib/algorithms.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { describeWithVectors, readVector } from '../support/vectors.ts';
import { ALL_BACKENDS } from './all-backends.ts';

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: string;
}
interface WycheproofGroup {
  publicKey: { modulus?: string; publicExponent?: string; pk?: string };
  tests: WycheproofTest[];
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex in vector: ${text.slice(0, 20)}`);
  return bytes;
}

function importKey(algorithm: SignatureAlgorithm, group: WycheproofGroup): PublicKey | Error {
  try {
    return algorithm === 'RS256'
      ? createRsaPublicKey(hex(group.publicKey.modulus ?? ''), hex(group.publicKey.publicExponent ?? ''))
      : createEd25519PublicKey(hex(group.publicKey.pk ?? ''));
  } catch (error) {
    return error as Error;
  }
}

/** Verdict of one backend on one case: a key that does not import counts as "not verified". */
async function verdict(backend: SignatureBackend, algorithm: SignatureAlgorithm, key: PublicKey | Error, t: WycheproofTest): Promise<boolean> {
  if (key instanceof Error) return false;
  return backend.verify(algorithm, key, hex(t.msg), hex(t.sig));
}

const SUITES: ReadonlyArray<readonly [string, SignatureAlgorithm]> = [
  ['rsa_signature_2048_sha256_test.json', 'RS256'],
  ['rsa_signature_3072_sha256_test.json', 'RS256'],
  ['rsa_signature_4096_sha256_test.json', 'RS256'],
  ['ed25519_test.json', 'EdDSA'],
];

describeWithVectors('wycheproof', 'Wycheproof', () => {
  describe.each(SUITES)('%s', (file, algorithm) => {
    const suite = readVector<WycheproofFile>('wycheproof', file);

    test('the file is what we expect', () => {
      const cases = suite.testGroups.reduce((sum, g) => sum + g.tests.length, 0);
      expect(cases).toBe(suite.numberOfTests);
      expect(cases).toBeGreaterThan(100);
    });

    test.each(ALL_BACKENDS.map((b) => [b.name, b] as const))('%s backend: every case', async (_name, backend) => {
      const failures: string[] = [];
      let checked = 0;
      for (const [g, group] of suite.testGroups.entries()) {
        const key = importKey(algorithm, group);
        for (const t of group.tests) {
          const label = `(${g}/${t.tcId}, ${t.result}): ${t.comment} [${t.flags.join(', ')}]`;
          let ok: boolean;
          try {
            ok = await verdict(backend, algorithm, key, t);
          } catch (error) {
            failures.push(`${label} threw ${String(error)}`);
            continue;
          }
          checked++;
          if (t.result === 'valid') {
            if (key instanceof Error) failures.push(`${label} key did not import: ${key.message}`);
            else if (!ok) failures.push(`${label} did not verify`);
          } else if (t.result === 'invalid') {
            if (ok) failures.push(`${label} verified`);
          } else if (t.result === 'acceptable') {
            const reference = await verdict(nodeBackend, algorithm, key, t);
            if (ok !== reference) failures.push(`${label} gave ${ok}, node gave ${reference}`);
          } else {
            failures.push(`${label} unknown result "${t.result}"`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(checked).toBe(suite.numberOfTests);
    });
  });
});
