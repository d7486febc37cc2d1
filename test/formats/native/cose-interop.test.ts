/**
 * Interop with an independent COSE implementation (cose-kit, on jose and
 * cbor-x): it verifies licensekit's native licenses, and licensekit verifies
 * a COSE_Sign1 over a CWT that it made with the vendor's key. A tampered
 * license is refused by both.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encoder } from 'cbor-x';
import { Sign1, coseVerify } from 'cose-kit';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../../scripts/make-fixtures.ts';
import { issueNativeLicense, keyId } from '../../../src/issuer/index.ts';
import { importPublicKey, verifyLicenseSync } from '../../../src/index.node.ts';
import { NATIVE_CLAIMS } from '../../../src/formats/native/claims.ts';

const key = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const NOW = new Date('2026-06-01T00:00:00Z');
const KEYS = {
  EdDSA: { privateJwk: JSON.parse(key('vendor-ed25519.private.jwk.json')), publicPem: key('vendor-ed25519.public.pem') },
  PS256: { privateJwk: JSON.parse(key('vendor-rsa2048.private.jwk.json')), publicPem: key('vendor-rsa2048.public.pem') },
  RS256: { privateJwk: JSON.parse(key('vendor-rsa2048.private.jwk.json')), publicPem: key('vendor-rsa2048.public.pem') },
} as const;
const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });

describe.each(Object.keys(KEYS) as (keyof typeof KEYS)[])('%s', (algorithm) => {
  const k = KEYS[algorithm];

  test('cose-kit verifies a licensekit license, and refuses it tampered', async () => {
    const { bytes } = await issueNativeLicense({ product: 'acme-cad', expires: new Date('2027-01-01T00:00:00Z'), features: [1], entitlements: ['Pro'] }, { privateJwk: k.privateJwk, algorithm, now: NOW });
    const publicKey = createPublicKey(k.publicPem);
    const result = await coseVerify(bytes, publicKey);
    expect(result.isValid).toBe(true);
    const claims = cbor.decode(result.decoded.payload) as Map<number, unknown>;
    expect(claims.get(NATIVE_CLAIMS.aud.key)).toBe('acme-cad');
    const tampered = bytes.slice();
    tampered[tampered.length - 70]! ^= 1; // inside the payload or signature
    const after = await coseVerify(tampered, publicKey).catch(() => ({ isValid: false }));
    expect(after.isValid).toBe(false);
  });

  test('licensekit verifies a COSE_Sign1 over a CWT made by cose-kit with the vendor key', async () => {
    const payload = cbor.encode(
      new Map<number, unknown>([
        [NATIVE_CLAIMS.sub.key, 'FROM-COSE-KIT'],
        [NATIVE_CLAIMS.aud.key, '1001'],
        [NATIVE_CLAIMS.exp.key, Date.parse('2027-01-01T00:00:00Z') / 1000],
        [NATIVE_CLAIMS.iat.key, NOW.getTime() / 1000],
        [NATIVE_CLAIMS.features.key, 0b101],
      ]),
    );
    const kid = keyId(importPublicKey(k.publicPem));
    const sign1 = await Sign1.sign({ alg: algorithm, kid }, {}, Uint8Array.from(payload), createPrivateKey({ key: k.privateJwk, format: 'jwk' }));
    const bytes = Uint8Array.from(sign1.encode());
    const verdict = verifyLicenseSync(bytes, { key: k.publicPem, now: NOW, productId: 1001, requireFeatures: [1, 3] });
    expect(verdict).toMatchObject({ valid: true, format: 'native', algorithm, licenseKeyId: kid });
    expect(verdict.license!.key).toBe('FROM-COSE-KIT');
    expect(verifyLicenseSync(bytes, { key: k.publicPem, now: new Date('2027-02-01T00:00:00Z') }).reasons).toEqual(['EXPIRED']);
  });
});
