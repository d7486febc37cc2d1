/**
 * Security review of the Keygen formats (issue 11): what a customer who holds the file can change without the
 * vendor's key (the unsigned `alg`, the armour label, duplicate JSON members) never gives a VALID it should not,
 * and JSON member names such as `__proto__` in a signed document stay plain data in the claims. A signed key's
 * signature re-spelt without its padding verifies too, so the license's `key` is Keygen's own (padded) spelling:
 * a key revoked by its value is REVOKED whichever spelling the customer presents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeWithVectors, VECTORS_DIR } from '../../support/vectors.ts';
import { isLicenseKitError, verifyLicenseSync, type Verdict } from '../../../src/index.node.ts';
import type { KeygenClaims } from '../../../src/formats/keygen/index.ts';
import { licenseDocument, machineDocument, makeKeygenFile, testKeys } from './make.ts';

const keys = testKeys();
const LK = 'ABCDEF-123456-ABCDEF-123456-ABCDEF-V3';
const NOW = new Date('2024-07-01T00:00:00Z');
const verify = (text: string): Verdict => verifyLicenseSync(text, { key: keys.ed25519.publicHex, now: NOW, licenseKey: LK });
const outcome = (text: string): string => {
  try {
    const v = verify(text);
    return v.valid ? 'VALID' : v.reasons.join(',');
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
};
const inner = (file: string): Record<string, string> => JSON.parse(Buffer.from(file.split('\n').slice(1, -2).join(''), 'base64').toString()) as Record<string, string>;
const armour = (json: string, label = 'LICENSE'): string => `-----BEGIN ${label} FILE-----\n${Buffer.from(json).toString('base64')}\n-----END ${label} FILE-----\n`;

describe('Keygen: what the holder of a file can change', () => {
  const encrypted = makeKeygenFile(licenseDocument(), { encrypt: { licenseKey: LK } });
  const plain = makeKeygenFile(licenseDocument(), { encrypt: null });
  const machine = makeKeygenFile(machineDocument('f'.repeat(64)), { kind: 'machine', encrypt: null });

  test('the unsigned alg cannot make one enc read as the other encryption, nor another signature scheme verify', () => {
    expect([outcome(encrypted), outcome(plain), outcome(machine)]).toEqual(['VALID', 'VALID', 'VALID']);
    expect(outcome(armour(JSON.stringify({ ...inner(encrypted), alg: 'base64+ed25519' })))).toBe('ERR_BASE64_INVALID');
    expect(outcome(armour(JSON.stringify({ ...inner(plain), alg: 'aes-256-gcm+ed25519' })))).toBe('ERR_ENVELOPE_INVALID');
    expect(outcome(armour(JSON.stringify({ ...inner(plain), alg: 'base64+ed25519+rsa-sha256' })))).toBe('ERR_FORMAT_UNSUPPORTED');
    expect(outcome(armour(JSON.stringify({ ...inner(plain), alg: 'base64+rsa-sha256' })))).toBe('ERR_KEY_UNSUPPORTED');
  });

  test('a machine file relabelled as a license file (and back) no longer verifies: the label is the signed prefix', () => {
    expect(outcome(armour(JSON.stringify(inner(machine)), 'LICENSE'))).toBe('SIGNATURE_INVALID');
    expect(outcome(armour(JSON.stringify(inner(plain)), 'MACHINE'))).toBe('SIGNATURE_INVALID');
  });

  test('a signed license attribute named __proto__ is kept as data in claims.attributes (not made the prototype of an internal object)', () => {
    const doc = licenseDocument() as { data: { attributes: Record<string, unknown> } };
    const file = makeKeygenFile(JSON.parse(JSON.stringify(doc).replace('"name":"Test"', '"__proto__":{"maxProcesses":99},"name":"Test"')), { encrypt: null });
    const attributes = (verify(file).license!.claims as unknown as KeygenClaims).attributes;
    expect(Object.hasOwn(attributes, '__proto__')).toBe(true);
    expect(attributes.__proto__).toEqual({ maxProcesses: 99 });
    expect(Object.hasOwn(attributes, 'maxProcesses')).toBe(false);
  });

  test('a 1 MiB file of deeply nested JSON is a typed error, quickly', () => {
    const text = armour(`{"enc":${'['.repeat(700_000)}`);
    const started = performance.now();
    expect(outcome(text)).toBe('ERR_ENVELOPE_INVALID');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describeWithVectors('peers/keygen-java-ed25519-signed-key', 'Keygen signed key: one key, whatever padding its signature is spelt with', () => {
  const dir = join(VECTORS_DIR, 'peers/keygen-java-ed25519-signed-key');
  const signedKey = readFileSync(join(dir, 'license_key.txt'), 'utf8').trim();
  const publicKey = 'e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788';
  const now = new Date('2021-10-14T16:00:00Z');

  test.each([
    ['as Keygen wrote it', signedKey],
    ['its signature without padding', signedKey.replace(/=+$/, '')],
    ['its signature with one "=" of two', signedKey.replace(/==$/, '=')],
  ])('%s: the license key is Keygen\'s, and a revocation of that key applies', (_name, presented) => {
    expect(signedKey.endsWith('==')).toBe(true);
    const verdict = verifyLicenseSync(presented, { key: publicKey, now });
    expect([verdict.valid, verdict.license?.key]).toEqual([true, signedKey]);
    const revoked = verifyLicenseSync(presented, { key: publicKey, now, facts: { revoked: new Set([signedKey]), revocationSequence: 1 } });
    expect(revoked.reasons).toEqual(['REVOKED']);
  });
});
