/**
 * RS1 on the pure-JavaScript backend needs SHA-1, which only the entries that
 * read an RS1 format (licensekit/netlicensing, Node's licensekit) give it, so
 * the core browser and IIFE bundles carry no SHA-1. Before that the backend
 * does not offer RS1 (supports false, verify is ERR_ALGORITHM_UNSUPPORTED, never
 * a silent false); after it, RS1 verifies. Own file: a fresh module graph.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { purejsBackend } from '../../src/backends/purejs/index.ts';
import { createRsaPublicKey } from '../../src/keys/public-key.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = pair.publicKey.export({ format: 'jwk' });
const key = createRsaPublicKey(Buffer.from(jwk.n!, 'base64url'), Buffer.from(jwk.e!, 'base64url'));
const data = new TextEncoder().encode('<NetLicensingDocument/>');
const signature = new Uint8Array(sign('sha1', data, pair.privateKey));

describe('pure-JavaScript RS1 and SHA-1', () => {
  test('the core alone: RS1 is not offered, and verifying it is a typed error', () => {
    expect(purejsBackend.supports('RS1')).toBe(false);
    expect(purejsBackend.supports('RS256')).toBe(true);
    expect(purejsBackend.supports('PS256-MAX')).toBe(true);
    expect(() => purejsBackend.verifySync!('RS1', key, data, signature)).toThrow(expect.objectContaining({ code: 'ERR_ALGORITHM_UNSUPPORTED' }));
  });

  test('once licensekit/netlicensing is loaded, RS1 verifies (and a changed byte does not)', async () => {
    await import('../../src/netlicensing.ts');
    expect(purejsBackend.supports('RS1')).toBe(true);
    expect(purejsBackend.verifySync!('RS1', key, data, signature)).toBe(true);
    const bad = signature.slice();
    bad[10]! ^= 1;
    expect(purejsBackend.verifySync!('RS1', key, data, bad)).toBe(false);
  });
});
