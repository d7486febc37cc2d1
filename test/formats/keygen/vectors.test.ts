/**
 * Every Keygen peer vector (../shared/vectors/peers/keygen-*), with the key in
 * the form its SOURCE.md gives (hex, base64 DER SPKI), the license key and
 * fingerprint it names, and the verdict it must get at times chosen around
 * the dates it carries: valid inside them, EXPIRED / SIGNATURE_EXPIRED after.
 * The decoded license matches the vector's independently decrypted JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { verifyLicense, verifyLicenseSync, type VerifyOptions } from '../../../src/index.node.ts';
import type { KeygenClaims } from '../../../src/formats/keygen/index.ts';
import { describeWithVectors, VECTORS_DIR } from '../../support/vectors.ts';

const HEX = 'e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788';
const DER = 'MCowBQYDK2VwAyEA6GAeSLaTg7pSAkX9B5cemD0G0ixCV8/YIwRgFHnO54g=';

interface Case {
  dir: string;
  file: string;
  key: string;
  licenseKey?: string;
  fingerprint?: string;
  kind: 'license' | 'machine' | 'key';
  /** [now, expected reasons] */
  at: [string, string[]][];
  entitlements?: string[];
}

const CASES: Case[] = [
  { dir: 'keygen-js-aes-gcm-ed25519', file: 'license.lic', key: HEX, licenseKey: '8750AB-30B7BD-023BA9-31B601-4550A2-V3', kind: 'license', entitlements: ['OFFLINE_SUPPORT'], at: [['2025-02-01T00:00:00Z', []], ['2030-01-01T00:00:00Z', []], ['2025-01-01T00:00:00Z', ['SIGNED_IN_FUTURE']]] },
  { dir: 'keygen-node-aes-gcm-ed25519', file: 'license.lic', key: DER, licenseKey: 'DC00E8-CC6DA1-2E35BF-BBDC02-E80494-V3', kind: 'license', entitlements: ['OFFLINE_SUPPORT'], at: [['2024-06-01T00:00:00Z', []], ['2025-04-09T19:37:39.517Z', ['SIGNATURE_EXPIRED']], ['2026-06-01T00:00:00Z', ['SIGNATURE_EXPIRED']]] },
  { dir: 'keygen-cpp-license-file', file: 'license.lic', key: HEX, licenseKey: 'E1FBA2-5488D8-8AC81A-53157E-01939A-V3', kind: 'license', entitlements: ['FEATURE_ENTITLEMENT_C', 'FEATURE_ENTITLEMENT_B', 'FEATURE_ENTITLEMENT_A'], at: [['2023-01-01T00:00:00Z', []], ['2026-06-01T00:00:00Z', ['EXPIRED']]] },
  { dir: 'keygen-rs-license-file', file: 'license.lic', key: HEX, licenseKey: '988214-879010-F1185E-B37E91-E53AF5-V3', kind: 'license', entitlements: ['FEATURE_ENTITLEMENT_C', 'FEATURE_ENTITLEMENT_B', 'FEATURE_ENTITLEMENT_A'], at: [['2023-01-01T00:00:00Z', []], ['2024-01-01T00:00:00Z', ['SIGNATURE_EXPIRED']], ['2026-06-01T00:00:00Z', ['EXPIRED', 'SIGNATURE_EXPIRED']]] },
  { dir: 'keygen-py-machine-file', file: 'machine.lic', key: HEX, licenseKey: 'B10760-1B177D-656D1F-C03298-9AF89E-V3', fingerprint: '198e9fe586114844f6a4eaca5069b41a7ed43fb5a2df84892b69826d64573e39', kind: 'machine', at: [['2022-08-01T00:00:00Z', []], ['2022-09-01T00:00:00Z', ['SIGNATURE_EXPIRED']]] },
  { dir: 'keygen-rs-machine-file', file: 'machine.lic', key: HEX, licenseKey: '988214-879010-F1185E-B37E91-E53AF5-V3', fingerprint: 'af249c134edd21c508e2114f0dd52628caf36e002edd9cada71eedb2d52f6841', kind: 'machine', entitlements: ['FEATURE_ENTITLEMENT_C', 'FEATURE_ENTITLEMENT_B', 'FEATURE_ENTITLEMENT_A'], at: [['2024-01-01T00:00:00Z', []], ['2024-11-01T00:00:00Z', ['SIGNATURE_EXPIRED']], ['2026-06-01T00:00:00Z', ['EXPIRED', 'SIGNATURE_EXPIRED']]] },
  { dir: 'keygen-java-ed25519-signed-key', file: 'license_key.txt', key: HEX, kind: 'key', at: [['2021-10-14T20:00:00Z', []], ['2021-10-15T00:00:00Z', ['EXPIRED']]] },
];

const read = (c: Case): string => readFileSync(join(VECTORS_DIR, 'peers', c.dir, c.file), 'utf8');
const optionsOf = (c: Case, now: string): VerifyOptions => ({ key: c.key, now: new Date(now), ...(c.licenseKey && c.kind !== 'key' ? { licenseKey: c.licenseKey } : {}), ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}) });

type Doc = { data: { id: string; attributes: Record<string, unknown>; relationships: Record<string, { data: { id: string } | null }> }; included?: { type: string; id: string; attributes: Record<string, unknown> }[]; meta: { issued: string } };

describeWithVectors('peers', 'Keygen peer vectors', () => {
  for (const c of CASES) {
    describe(c.dir, () => {
      for (const [now, reasons] of c.at) {
        test(`at ${now}: ${reasons.length === 0 ? 'valid' : reasons.join(', ')}`, async () => {
          const verdict = await verifyLicense(read(c), optionsOf(c, now));
          expect(verdict.format).toBe('keygen');
          expect(verdict.algorithm).toBe('EdDSA');
          expect(verdict.reasons).toEqual(reasons);
          expect(verdict.valid).toBe(reasons.length === 0);
          expect(verdict.license).not.toBeNull();
          expect((verdict.license!.claims as unknown as KeygenClaims).kind).toBe(c.kind);
          // The synchronous path gives the same verdict.
          expect(verifyLicenseSync(read(c), optionsOf(c, now)).reasons).toEqual(reasons);
        });
      }

      if (c.entitlements) {
        test('entitlement codes are features', async () => {
          const ok = await verifyLicense(read(c), { ...optionsOf(c, c.at[0]![0]), requireFeatures: [c.entitlements![0]!] });
          expect(ok.reasons).toEqual([]);
          const missing = await verifyLicense(read(c), { ...optionsOf(c, c.at[0]![0]), requireFeatures: ['NOT_AN_ENTITLEMENT'] });
          expect(missing.reasons).toEqual(['FEATURE_MISSING']);
        });
      }

      if (c.kind !== 'key') {
        test('the decoded license matches the decrypted JSON', async () => {
          const verdict = await verifyLicense(read(c), optionsOf(c, c.at[0]![0]));
          const license = verdict.license!;
          const decrypted = join(VECTORS_DIR, 'peers', c.dir, 'decrypted.json');
          // One vector ships no decrypted copy: its license key (which opened it) is what the license says it is.
          if (!existsSync(decrypted)) return void expect(license.key).toBe(c.licenseKey);
          const doc = JSON.parse(readFileSync(decrypted, 'utf8')) as Doc;
          const lic = c.kind === 'machine' ? doc.included!.find((i) => i.type === 'licenses')! : { ...doc.data, type: 'licenses' };
          expect(license.id).toBe(lic.id);
          expect(license.key).toBe(lic.attributes.key);
          expect(license.expires?.toISOString() ?? null).toBe(lic.attributes.expiry ?? null);
          expect(license.maxNoOfMachines).toBe(lic.attributes.maxMachines ?? null);
          expect(license.signDate!.toISOString()).toBe(doc.meta.issued);
          expect(license.block).toBe(false);
          expect([...license.entitlements].sort()).toEqual((doc.included ?? []).filter((i) => i.type === 'entitlements').map((i) => i.attributes.code).sort());
          if (c.kind === 'machine') {
            expect(license.activatedMachines!.map((m) => m.machineCode)).toEqual([c.fingerprint]);
            const bound = await verifyLicense(read(c), { ...optionsOf(c, c.at[0]![0]), machineCode: c.fingerprint! });
            expect(bound.reasons).toEqual([]);
            const other = await verifyLicense(read(c), { ...optionsOf(c, c.at[0]![0]), machineCode: 'another-machine' });
            expect(other.reasons).toEqual(['MACHINE_MISMATCH']);
          }
        });

        test('without the license key: a typed error naming it, after the signature verified', async () => {
          const { licenseKey: _, ...without } = optionsOf(c, c.at[0]![0]);
          await expect(verifyLicense(read(c), without)).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_REQUIRED', message: expect.stringContaining('licenseKey') });
          await expect(verifyLicense(read(c), { ...optionsOf(c, c.at[0]![0]), licenseKey: 'WRONG-KEY' })).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_WRONG' });
          if (c.kind === 'machine') {
            const { fingerprint: __, ...noFingerprint } = optionsOf(c, c.at[0]![0]);
            await expect(verifyLicense(read(c), noFingerprint)).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_REQUIRED', message: expect.stringContaining('fingerprint') });
            await expect(verifyLicense(read(c), { ...optionsOf(c, c.at[0]![0]), fingerprint: '0'.repeat(64) })).rejects.toMatchObject({ code: 'ERR_LICENSE_KEY_WRONG' });
          }
        });
      }

      test('a key that did not sign it: SIGNATURE_INVALID, with or without the license key', async () => {
        const other = '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';
        for (const options of [optionsOf(c, c.at[0]![0]), { key: other, now: new Date(c.at[0]![0]) }]) {
          const verdict = await verifyLicense(read(c), { ...options, key: other });
          expect(verdict.reasons).toEqual(['SIGNATURE_INVALID']);
          expect(verdict.license).toBeNull();
        }
      });
    });
  }

  test('the signed key\'s dataset maps to the license', async () => {
    const c = CASES.find((x) => x.kind === 'key')!;
    const verdict = await verifyLicense(read(c), optionsOf(c, '2021-10-14T20:00:00Z'));
    const license = verdict.license!;
    expect(license.key).toBe(read(c).trim());
    expect(license.id).toBe('f3d657de-2b50-4adf-867b-ef03dc86a3fe');
    expect(license.created?.toISOString()).toBe('2021-10-14T15:20:32.670Z');
    expect(license.expires?.toISOString()).toBe('2021-10-15T00:00:00.000Z');
    expect(license.product).toBe('1f086ec9-a943-46ea-9da4-e62c2180c2f4');
  });
});
