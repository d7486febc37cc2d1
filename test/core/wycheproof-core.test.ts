/**
 * The Wycheproof RSASSA-PKCS1-v1_5 SHA-256 suites (2048, 3072, 4096) through
 * licensekit's own key importer (each group's PEM) and the one core
 * `verifySignedEnvelope`. Each case is labelled `(group/tcId, result): comment [flags]`.
 * licensekit is strict: `acceptable` cases (a DigestInfo without its NULL) are refused.
 */
import { expect, test } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import { verifySignedEnvelope } from '../../src/core/envelope.ts';
import { importPublicKey } from '../../src/keys/import.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { describeWithVectors, readVector } from '../support/vectors.ts';

interface Case { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable' }
interface Group { publicKeyPem: string; keyJwk?: Record<string, string>; tests: Case[] }

const SUITES = [2048, 3072, 4096].map((bits) => `rsa_signature_${bits}_sha256_test.json`);

describeWithVectors('wycheproof', 'Wycheproof RS256 through the core', () => {
  for (const file of SUITES) {
    const suite = readVector<{ numberOfTests: number; testGroups: Group[] }>('wycheproof', file);
    const cases = suite.testGroups.flatMap((group, g) => group.tests.map((c) => ({ group, g, c })));
    test('suite is complete', () => expect(cases.length).toBe(suite.numberOfTests));
    test.each(cases.map(({ group, g, c }) => [`${file.replace('_test.json', '')} (${g}/${c.tcId}, ${c.result}): ${c.comment} [${c.flags.join(',')}]`, group, c] as const))(
      '%s',
      async (_, group, c) => {
        const key = importPublicKey(group.publicKeyPem);
        if (group.keyJwk) expect(importPublicKey(group.keyJwk).jwk).toEqual(key.jwk);
        const ok = await verifySignedEnvelope({ format: 'wycheproof', algorithm: 'RS256', keyId: null, signedBytes: fromHex(c.msg)!, signature: fromHex(c.sig)! }, key, nodeBackend);
        if (c.result === 'valid') expect(ok).toBe(true);
        else if (c.result === 'invalid') expect(ok).toBe(false);
        else if (c.result === 'acceptable') expect(ok, 'licensekit is strict: legacy encodings (MissingNull) are refused').toBe(false);
        else expect.fail(`unknown Wycheproof result "${String(c.result)}"`);
      },
    );
  }
});
