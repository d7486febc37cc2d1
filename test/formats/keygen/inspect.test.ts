/**
 * inspectLicense reads every format of its entry, as verifyLicense does:
 * Node's licensekit and licensekit/keygen read Keygen's files (an encrypted
 * one shows its envelope and `license: null` until `licenseKey` is given),
 * licensekit/netlicensing reads NetLicensing's; the core entry (the browser and
 * IIFE bundles) answers a Keygen or NetLicensing input with
 * ERR_FORMAT_UNSUPPORTED naming the entry to import, from verify and inspect,
 * as text and as bytes. Files made with our own keys (make.ts), and the real
 * peer vectors where ../shared/vectors is present.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { inspectLicense as coreInspect, verifyLicenseSync as coreVerify } from '../../../src/index.ts';
import { inspectLicense, verifyLicenseSync } from '../../../src/index.node.ts';
import { inspectLicense as keygenInspect } from '../../../src/keygen.ts';
import { inspectLicense as netlicensingInspect } from '../../../src/netlicensing.ts';
import { describeWithVectors, VECTORS_DIR } from '../../support/vectors.ts';
import { licenseDocument, machineDocument, makeKeygenFile, makeSignedKey, testKeys } from './make.ts';

const LK = 'ABCDEF-123456-ABCDEF-123456-ABCDEF-V3';
const FP = 'e'.repeat(64);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `untyped ${String(error)}`;
  }
  return 'no error';
}

describe('inspectLicense with Keygen files', () => {
  const encrypted = makeKeygenFile(licenseDocument({ entitlements: ['PRO'], expiry: '2030-01-01T00:00:00.000Z' }), { encrypt: { licenseKey: LK } });

  test('an encrypted file without its license key: the envelope (alg, enc length, signature), license null', () => {
    for (const inspect of [inspectLicense, keygenInspect]) {
      const i = inspect(encrypted);
      expect(i).toMatchObject({ verified: false, format: 'keygen', form: 'license file', algorithm: 'EdDSA', keyId: null, signatureBytes: 64, license: null });
      expect(i.envelope).toMatchObject({ alg: 'aes-256-gcm+ed25519', encrypted: true });
      const doc = JSON.parse(Buffer.from(encrypted.trim().split('\n').slice(1, -1).join(''), 'base64').toString()) as { enc: string };
      expect(i.envelope.encLength).toBe(doc.enc.length);
      expect(i.signedBytes).toBe('license/'.length + doc.enc.length);
    }
  });

  test('with the license key: the claims, unverified; a wrong key is ERR_LICENSE_KEY_WRONG', () => {
    for (const inspect of [inspectLicense, keygenInspect]) {
      const { license, verified } = inspect(encrypted, { licenseKey: LK });
      expect(verified).toBe(false);
      expect(license?.entitlements).toEqual(['PRO']);
      expect(license?.expires?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
      expect(codeOf(() => inspect(encrypted, { licenseKey: 'WRONG' }))).toBe('ERR_LICENSE_KEY_WRONG');
    }
  });

  test('a machine file needs the fingerprint too; a plain (base64) file and a signed key show their claims at once', () => {
    const machine = makeKeygenFile(machineDocument(FP), { kind: 'machine', encrypt: { licenseKey: LK, fingerprint: FP } });
    expect(inspectLicense(machine).license).toBeNull();
    expect(codeOf(() => inspectLicense(machine, { licenseKey: LK }))).toBe('ERR_LICENSE_KEY_REQUIRED');
    const opened = inspectLicense(machine, { licenseKey: LK, fingerprint: FP }).license;
    expect([opened?.activatedMachines?.map((m) => m.machineCode), opened?.allowedMachines]).toEqual([[FP], null]);
    const plain = makeKeygenFile(licenseDocument({ entitlements: ['X'] }), { encrypt: null });
    expect(inspectLicense(plain)).toMatchObject({ form: 'license file', envelope: { alg: 'base64+ed25519', encrypted: false } });
    expect(inspectLicense(plain).license?.entitlements).toEqual(['X']);
    const key = makeSignedKey(JSON.stringify({ license: { id: 'L1' } }));
    expect(keygenInspect(key)).toMatchObject({ form: 'signed key', license: { id: 'L1' } });
  });

  test('a tampered file still inspects (nothing is verified), and verify says SIGNATURE_INVALID', () => {
    const plain = makeKeygenFile(licenseDocument(), { encrypt: null, signature: 'rsa-pss-sha256' });
    const doc = JSON.parse(Buffer.from(plain.trim().split('\n').slice(1, -1).join(''), 'base64').toString()) as Record<string, string>;
    const forged = { ...licenseDocument({ entitlements: ['ENTERPRISE'] }) };
    const tampered = `-----BEGIN LICENSE FILE-----\n${Buffer.from(JSON.stringify({ ...doc, enc: Buffer.from(JSON.stringify(forged)).toString('base64') })).toString('base64')}\n-----END LICENSE FILE-----\n`;
    expect(inspectLicense(tampered).license?.entitlements).toEqual(['ENTERPRISE']);
    expect(inspectLicense(tampered).algorithm).toBe('PS256-MAX');
    expect(verifyLicenseSync(tampered, { key: testKeys().rsa.publicPem, now: new Date('2024-07-01T00:00:00Z') }).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  test('options: an empty licenseKey, a non-string fingerprint or an unknown name is ERR_OPTION_INVALID', () => {
    for (const options of [{ licenseKey: '' }, { fingerprint: 7 }, { licensekey: LK }, { key: 'x' }]) {
      expect(codeOf(() => inspectLicense(encrypted, options as never)), JSON.stringify(options)).toBe('ERR_OPTION_INVALID');
    }
  });
});

describe('the core entry (browser and IIFE bundles) names the entry that reads Keygen and NetLicensing files', () => {
  const file = makeKeygenFile(licenseDocument(), { encrypt: { licenseKey: LK } });
  const machine = makeKeygenFile(machineDocument(FP), { kind: 'machine', encrypt: null });
  const signedKey = makeSignedKey('dataset');
  const key = testKeys().ed25519.publicHex;

  test.each([
    ['a license file', file, 'keygen'],
    ['a machine file', machine, 'keygen'],
    ['a signed key', signedKey, 'keygen'],
    ['a license file after white space and a BOM', `\uFEFF \n${file}`, 'keygen'],
    ['an XML document', '<?xml version="1.0"?><netlicensing:validationResult/>', 'netlicensing'],
    ['an XML document after a BOM', '\uFEFF<a/>', 'netlicensing'],
  ])('%s: ERR_FORMAT_UNSUPPORTED "import licensekit/%s", from verify and inspect, as text and bytes', (_name, text, entry) => {
    const bytes = new TextEncoder().encode(text);
    const withBom = Uint8Array.of(0xef, 0xbb, 0xbf, ...bytes);
    for (const input of [text, bytes, withBom]) {
      for (const call of [() => coreInspect(input), () => coreVerify(input, { key })]) {
        expect(call).toThrow(expect.objectContaining({ code: 'ERR_FORMAT_UNSUPPORTED', name: 'UnsupportedFormatError', message: expect.stringContaining(`import licensekit/${entry}`) }));
      }
    }
  });

  test('anything else is what it was: Cryptolens JSON, garbage and text mentioning a Keygen armour later are ERR_INPUT_NOT_JSON', () => {
    for (const input of ['hello world', `license: ${file}`, '{"licenseKey": 1']) expect(codeOf(() => coreInspect(input)), input.slice(0, 20)).toBe('ERR_INPUT_NOT_JSON');
  });

  test.prop([fc.string({ maxLength: 200 })], { numRuns: 200 })('arbitrary text gives only typed errors from the core inspect', (text) => {
    expect(codeOf(() => coreInspect(text))).toMatch(/^ERR_|^no error$/);
  });
});

describeWithVectors('peers', 'inspect with the real peer vectors', () => {
  const peer = (...p: string[]) => readFileSync(join(VECTORS_DIR, 'peers', ...p), 'utf8');

  test('keygen-node-aes-gcm-ed25519: envelope only without the license key, the decrypted claims with it', () => {
    const text = peer('keygen-node-aes-gcm-ed25519', 'license.lic');
    expect(inspectLicense(text)).toMatchObject({ format: 'keygen', license: null, envelope: { alg: 'aes-256-gcm+ed25519', encrypted: true } });
    const decrypted = JSON.parse(peer('keygen-node-aes-gcm-ed25519', 'decrypted.json')) as { data: { id: string } };
    expect(keygenInspect(text, { licenseKey: 'DC00E8-CC6DA1-2E35BF-BBDC02-E80494-V3' }).license?.id).toBe(decrypted.data.id);
    expect(codeOf(() => coreInspect(text))).toBe('ERR_FORMAT_UNSUPPORTED');
  });

  test('netlicensing-xmldsig: Node\'s and the licensekit/netlicensing entry inspect it; the core entry names licensekit/netlicensing', () => {
    const xml = peer('netlicensing-xmldsig', 'Isb-DEMO.xml');
    for (const inspect of [inspectLicense, netlicensingInspect]) {
      const i = inspect(xml);
      expect(i).toMatchObject({ verified: false, format: 'netlicensing', form: 'xml-dsig', algorithm: 'RS1' });
      expect(i.license).not.toBeNull();
    }
    expect(() => coreInspect(xml)).toThrow(expect.objectContaining({ code: 'ERR_FORMAT_UNSUPPORTED', message: expect.stringContaining('licensekit/netlicensing') }));
  });
});
