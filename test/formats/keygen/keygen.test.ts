/**
 * Keygen files made here with our own keys (make.ts, node:crypto): the
 * verdict's reason codes are the same as for any format (EXPIRED, BLOCKED,
 * SIGNATURE_EXPIRED, SIGNED_IN_FUTURE, FEATURE_MISSING, MACHINE_MISMATCH);
 * both encryptions and both signature schemes; every backend agrees; the laws:
 * any changed byte is never valid, arbitrary input only gives typed errors.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { LicenseKitError, verifyLicense, verifyLicenseSync, type VerifyOptions } from '../../../src/index.node.ts';
import type { KeygenClaims } from '../../../src/formats/keygen/index.ts';
import { importPublicKey } from '../../../src/keys/import.ts';
import { ALL_BACKENDS } from '../../backends/all-backends.ts';
import { licenseDocument, machineDocument, makeKeygenFile, makeSignedKey, testKeys } from './make.ts';

const keys = testKeys();
const LK = 'ABCDEF-123456-ABCDEF-123456-ABCDEF-V3';
const FP = 'f'.repeat(64);
const NOW = new Date('2024-07-01T00:00:00Z');
const base: VerifyOptions = { key: keys.ed25519.publicHex, now: NOW, licenseKey: LK };

describe('Keygen files made with our own keys', () => {
  test.each([
    ['a plain license', {}, []],
    ['an expired license', { expiry: '2024-06-15T00:00:00.000Z' }, ['EXPIRED']],
    ['a suspended license', { suspended: true }, ['BLOCKED']],
    ['a banned license', { status: 'BANNED' }, ['BLOCKED']],
    ['a file past its meta.expiry', { fileExpiry: '2024-06-30T00:00:00.000Z' }, ['SIGNATURE_EXPIRED']],
    ['a file past issued + ttl', { ttl: 86_400 }, ['SIGNATURE_EXPIRED']],
    ['a file issued after now', { issued: '2024-08-01T00:00:00.000Z' }, ['SIGNED_IN_FUTURE']],
    ['everything wrong at once', { expiry: '2024-06-15T00:00:00.000Z', suspended: true, ttl: 60 }, ['EXPIRED', 'BLOCKED', 'SIGNATURE_EXPIRED']],
  ] as const)('%s: %j', async (_, doc, reasons) => {
    for (const encrypt of [{ licenseKey: LK }, null]) {
      const verdict = await verifyLicense(makeKeygenFile(licenseDocument(doc), { encrypt }), base);
      expect(verdict.reasons).toEqual(reasons);
      expect(verdict.format).toBe('keygen');
    }
  });

  test('entitlement codes are what requireFeatures checks', async () => {
    const file = makeKeygenFile(licenseDocument({ entitlements: ['PRO', 'EXPORT'] }), { encrypt: { licenseKey: LK } });
    expect((await verifyLicense(file, { ...base, requireFeatures: ['PRO', 'EXPORT'] })).reasons).toEqual([]);
    const missing = await verifyLicense(file, { ...base, requireFeatures: ['PRO', 'ENTERPRISE'] });
    expect(missing.reasons).toEqual(['FEATURE_MISSING']);
    expect(missing.checks.find((c) => c.check === 'features')?.detail).toBe('missing ENTERPRISE');
    expect(missing.license!.hasFeature('EXPORT')).toBe(true);
  });

  test('the license maps to the neutral model; Keygen-only data is in claims', async () => {
    const file = makeKeygenFile(licenseDocument({ maxMachines: 3, expiry: '2025-01-01T00:00:00.000Z', fileExpiry: '2024-12-01T00:00:00.000Z' }), { encrypt: { licenseKey: LK } });
    const { license } = await verifyLicense(file, base);
    expect(license).toMatchObject({ format: 'keygen', id: '11111111-2222-3333-4444-555555555555', key: 'TEST-KEY', product: 'prod-1', maxNoOfMachines: 3, block: false });
    expect(license!.expires?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(license!.signDate?.toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(license!.maxSignatureAgeSeconds).toBe(183 * 86_400);
    expect(license!.metadata.tier).toBe('pro');
    const claims = license!.claims as unknown as KeygenClaims;
    expect(claims).toMatchObject({ kind: 'license', status: 'ACTIVE', name: 'Test' });
    expect(claims.policy?.id).toBe('pol-1');
    // Plain data: a structured clone keeps every field.
    expect(structuredClone(license!.claims)).toEqual({ ...license!.claims });
  });

  test('a machine file: its fingerprint is the activated machine; it needs the license key and the fingerprint', async () => {
    const file = makeKeygenFile(machineDocument(FP, { maxMachines: 1 }), { kind: 'machine', encrypt: { licenseKey: LK, fingerprint: FP } });
    const options = { ...base, fingerprint: FP };
    expect((await verifyLicense(file, { ...options, machineCode: FP })).reasons).toEqual([]);
    expect((await verifyLicense(file, { ...options, machineCode: 'e'.repeat(64) })).reasons).toEqual(['MACHINE_MISMATCH']);
    expect((await verifyLicense(file, options)).license?.key).toBe('TEST-KEY');
    await expect(verifyLicense(file, base)).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_REQUIRED' });
    await expect(verifyLicense(file, { ...options, fingerprint: 'e'.repeat(64) })).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_WRONG' });
    // The license key alone does not open a machine file: it is encrypted under both.
    await expect(verifyLicense(file, { ...options, licenseKey: LK + FP, fingerprint: undefined })).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_REQUIRED' });
  });

  test('order: a tampered encrypted file is SIGNATURE_INVALID with or without the license key; the key is asked for only once the signature verified', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: { licenseKey: LK } });
    const body = file.split('\n')[1]!;
    const doc = JSON.parse(Buffer.from(file.split('\n').slice(1, -2).join(''), 'base64').toString()) as { enc: string; sig: string; alg: string };
    const forged = { ...doc, enc: `${doc.enc.slice(0, 5)}${doc.enc[5] === 'A' ? 'B' : 'A'}${doc.enc.slice(6)}` };
    const text = `-----BEGIN LICENSE FILE-----\n${Buffer.from(JSON.stringify(forged)).toString('base64')}\n-----END LICENSE FILE-----\n`;
    expect(body.length).toBe(60);
    for (const options of [base, { key: keys.ed25519.publicHex, now: NOW }]) {
      const verdict = await verifyLicense(text, options);
      expect(verdict.reasons).toEqual(['SIGNATURE_INVALID']);
      expect(verdict.license).toBeNull();
    }
  });

  test('a plain (base64) file needs no license key, and one given is not used', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: null });
    expect((await verifyLicense(file, { key: keys.ed25519.publicHex, now: NOW })).valid).toBe(true);
    expect((await verifyLicense(file, { ...base, licenseKey: 'ANYTHING' })).valid).toBe(true);
  });

  test('rsa-sha256 files verify as RS256 under the vendor\'s RSA key (PEM)', async () => {
    for (const encrypt of [{ licenseKey: LK }, null]) {
      const file = makeKeygenFile(licenseDocument({ entitlements: ['PRO'] }), { encrypt, signature: 'rsa-sha256' });
      const verdict = await verifyLicense(file, { ...base, key: keys.rsa.publicPem, requireFeatures: ['PRO'] });
      expect(verdict.algorithm).toBe('RS256');
      expect(verdict.reasons).toEqual([]);
      // The Ed25519 key does not fit an RSA-signed file: a key problem, not a verdict.
      await expect(verifyLicense(file, base)).rejects.toMatchObject({ code: 'ERR_KEY_UNSUPPORTED' });
    }
  });

  test('algorithms Keygen does not document, or not verified yet, are ERR_FORMAT_UNSUPPORTED', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: null });
    const doc = JSON.parse(Buffer.from(file.split('\n').slice(1, -2).join(''), 'base64').toString()) as Record<string, string>;
    for (const alg of ['aes-128-cbc+ed25519', 'base64+hmac-sha256', 'ed25519', 'base64+rsa-pss-sha512']) {
      const text = `-----BEGIN LICENSE FILE-----\n${Buffer.from(JSON.stringify({ ...doc, alg })).toString('base64')}\n-----END LICENSE FILE-----\n`;
      await expect(verifyLicense(text, base)).rejects.toMatchObject({ code: 'ERR_FORMAT_UNSUPPORTED' });
    }
  });

  test('signed keys: a JSON dataset maps to the license; any other dataset is kept as text', async () => {
    const json = makeSignedKey(JSON.stringify({ license: { id: 'L1', created: '2024-01-01T00:00:00.000Z', expiry: '2024-06-01T00:00:00.000Z' }, product: { id: 'P1' } }));
    const verdict = await verifyLicense(json, base);
    expect(verdict.reasons).toEqual(['EXPIRED']);
    expect(verdict.license).toMatchObject({ id: 'L1', product: 'P1', key: json });
    const text = makeSignedKey('customer@example.com|pro');
    const plain = await verifyLicense(text, base);
    expect(plain.valid).toBe(true);
    expect((plain.license!.claims as unknown as KeygenClaims).dataset).toBe('customer@example.com|pro');
  });

  test('Keygen\'s key forms import: hex, base64 DER SPKI and PEM are the same key', () => {
    const { publicHex, publicPem } = keys.ed25519;
    const der = publicPem.replace(/-----[A-Z ]+-----|\s/g, '');
    const fromHex = importPublicKey(publicHex);
    expect(importPublicKey(der).ed25519).toEqual(fromHex.ed25519);
    expect(importPublicKey(publicPem).ed25519).toEqual(fromHex.ed25519);
    expect(importPublicKey(publicHex.toUpperCase()).ed25519).toEqual(fromHex.ed25519);
    for (const bad of [publicHex.slice(2), `${publicHex}00`, 'MCowBQ', 'M!!!']) expect(() => importPublicKey(bad)).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }));
  });

  test('licenseKey and fingerprint options are checked: a non-empty string', async () => {
    const file = makeKeygenFile(licenseDocument(), { encrypt: { licenseKey: LK } });
    for (const bad of [{ licenseKey: '' }, { licenseKey: 42 }, { fingerprint: null }]) {
      await expect(verifyLicense(file, { ...base, ...(bad as object) })).rejects.toMatchObject({ code: 'ERR_OPTION_INVALID' });
    }
  });
});

describe('every backend agrees', () => {
  const files = [
    ['ed25519, encrypted', makeKeygenFile(licenseDocument(), { encrypt: { licenseKey: LK } }), keys.ed25519.publicHex],
    ['ed25519, machine file', makeKeygenFile(machineDocument(FP), { kind: 'machine', encrypt: { licenseKey: LK, fingerprint: FP } }), keys.ed25519.publicHex],
    ['rsa-sha256, plain', makeKeygenFile(licenseDocument({ suspended: true }), { encrypt: null, signature: 'rsa-sha256' }), keys.rsa.publicPem],
    ['signed key', makeSignedKey('{"license":{"id":"L2"}}'), keys.ed25519.publicHex],
  ] as const;
  test.each(files)('%s: the same verdict on node, webcrypto, purejs and forge, and a changed signature fails on each', async (_, file, key) => {
    const verdicts = [];
    for (const backend of ALL_BACKENDS) {
      const v = await verifyLicense(file, { ...base, key, fingerprint: FP, backend });
      verdicts.push({ backend: backend.name, reasons: v.reasons, id: v.license?.id });
    }
    expect(new Set(verdicts.map((v) => JSON.stringify({ ...v, backend: '' }))).size).toBe(1);
    expect(verdicts.map((v) => v.backend)).toEqual(['node', 'webcrypto', 'purejs', 'forge']);
  });
});

describe('laws', () => {
  const encrypted = makeKeygenFile(licenseDocument({ entitlements: ['PRO'] }), { encrypt: { licenseKey: LK } });
  const machine = makeKeygenFile(machineDocument(FP), { kind: 'machine', encrypt: { licenseKey: LK, fingerprint: FP } });
  const plain = makeKeygenFile(licenseDocument(), { encrypt: null });
  const signedKey = makeSignedKey('{"license":{"id":"L3"}}');
  const samples = [encrypted, machine, plain, signedKey];
  const options = { ...base, fingerprint: FP };
  for (const s of samples) expect(verifyLicenseSync(s, options).valid).toBe(true);

  test.prop([fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 200 })('changing any byte (but the trailing line end) never gives a valid license; only typed errors', (which, index, delta) => {
    const original = Buffer.from(samples[which % samples.length]!, 'latin1');
    const end = original[original.length - 1] === 0x0a ? original.length - 1 : original.length;
    const bytes = Buffer.from(original);
    const i = index % end;
    bytes[i] = (bytes[i]! + delta) % 256;
    try {
      expect(verifyLicenseSync(bytes, options).valid).toBe(false);
    } catch (error) {
      expect(error).toBeInstanceOf(LicenseKitError);
    }
  });

  const prefixed = fc.tuple(fc.constantFrom('-----BEGIN LICENSE FILE-----\n', '-----BEGIN MACHINE FILE-----\n', 'key/', ''), fc.oneof(fc.string(), fc.base64String(), fc.json()), fc.constantFrom('', '\n-----END LICENSE FILE-----\n', '\n-----END MACHINE FILE-----\n', '.AAAA'));
  test.prop([prefixed], { numRuns: 200 })('arbitrary input that starts like a Keygen file gives a typed error or an invalid verdict, never a crash', ([head, middle, tail]) => {
    try {
      expect(verifyLicenseSync(head + middle + tail, options).valid).toBe(false);
    } catch (error) {
      expect(error).toBeInstanceOf(LicenseKitError);
    }
  });

  test.prop([fc.json({ maxDepth: 3 })], { numRuns: 100 })('a well-formed file around arbitrary {enc, sig, alg} JSON: typed errors only', (json) => {
    const text = `-----BEGIN LICENSE FILE-----\n${Buffer.from(json).toString('base64')}\n-----END LICENSE FILE-----\n`;
    try {
      expect(verifyLicenseSync(text, options).valid).toBe(false);
    } catch (error) {
      expect(error).toBeInstanceOf(LicenseKitError);
    }
  });

  test.prop([fc.json({ maxDepth: 4 })], { numRuns: 100 })('a correctly signed file of arbitrary JSON: a typed error (ERR_PAYLOAD_INVALID) or a verdict, never a crash', (json) => {
    const file = makeKeygenFile(JSON.parse(json), { encrypt: { licenseKey: LK } });
    try {
      verifyLicenseSync(file, options);
    } catch (error) {
      expect(error).toBeInstanceOf(LicenseKitError);
      expect((error as LicenseKitError).code).toBe('ERR_PAYLOAD_INVALID');
    }
  });
});
