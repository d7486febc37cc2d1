/**
 * Prototype pollution elsewhere in the host app never reaches a verdict: with
 * `Object.prototype` carrying every claim, envelope field, option, product
 * option, backend member and JWK member name (each with a value chosen to do
 * harm: `MaxNoOfMachines: 0`, `verifySync: () => true`, a huge clock
 * tolerance…), every verdict, license and error is exactly what it is without.
 *
 * The pollution is installed and removed synchronously around the calls (in
 * `finally`), so no test-runner code runs while it is in place; the async
 * API is polluted for its synchronous part (options, key, backend choice,
 * and the whole verification when the backend is synchronous).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { inspectLicense, isLicenseKitError, verifyLicense, verifyLicenses, verifyLicenseSync, type VerifyOptions } from '../../src/index.node.ts';
import { resolveEvaluation } from '../../src/rules/options.ts';
import { FIXTURES_DIR, readFixtureLicense, readManifests } from '../../scripts/make-fixtures.ts';
import { signPayload, VENDOR } from '../support/issue.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
/** Every golden fixture: Cryptolens and native (binary ones as bytes). */
const manifest = readManifests();
const NOW = new Date('2026-06-01T00:00:00Z');
const yes = (): boolean => true;
const yesAsync = async (): Promise<boolean> => true;

const TEMPLATE = JSON.stringify(['Secret', ['Modules', ['Render']]]);
/** Each polluted name and the harm its value would do if it were ever read. */
const HARM: Record<string, unknown> = {
  // License claims (PascalCase as Cryptolens writes them; camelCase below).
  ProductId: 1001, ID: 1, Key: 'KEY', Created: 1_700_000_000, Expires: 4_102_444_800, Period: 30, Notes: 'x', Block: false, GlobalId: 1,
  Customer: { Id: 1 }, ActivatedMachines: [{ Mid: 'MACHINE-Z' }], TrialActivation: false, MaxNoOfMachines: 0, AllowedMachines: 'MACHINE-Z\nMACHINE-B',
  DataObjects: [{ Id: 1, Name: 'cryptolens_features', StringValue: TEMPLATE, IntValue: 0 }], Reseller: { Id: 2 }, SignDate: 1_767_225_600,
  F1: true, F2: true, F3: true, F4: true, F5: true, F6: true, F7: true, F8: true,
  Id: 1, Name: 'cryptolens_features', Email: 'x', CompanyName: 'x', Mid: 'MACHINE-Z', IP: '1.1.1.1', Time: 1, FriendlyName: 'x', FloatingExpires: 4_102_444_800,
  StringValue: TEMPLATE, IntValue: 1,
  // Envelope fields.
  licenseKey: 'e30=', signature: 'AA==', result: 0, message: 'x', metadata: { LicenseStatus: { IsValid: true } },
  // Options, product options.
  now: 4_102_444_800_000, clockToleranceSeconds: 1e10, maxSignatureAgeDays: 1e-9, machineCode: 'MACHINE-Z', allowOverdraft: true,
  requireFeatures: [8], productId: 999, product: { timeLimitedFeature: 8 }, timeLimitedFeature: 8, trialFeature: 1, featureNames: { Secret: 1 },
  key: read('keys', 'other-rsa2048.public.xml'), maxInputBytes: 1, algorithms: ['EdDSA'],
  backend: { name: 'evil', supports: yes, verify: yesAsync, verifySync: yes },
  // Backend members.
  verifySync: yes, verifyParallel: yesAsync, supports: yes, verify: yesAsync,
  // JWK members.
  d: 'AQAB', kty: 'RSA', n: 'AQAB', e: 'AQAB', crv: 'Ed25519', x: 'AQAB', use: 'enc', alg: 'HS256',
  // An inherited array element (`[]` in a feature template).
  0: 'Secret',
  // Key rings and JWK Sets (a JWK's exp retires its key, its kid names it).
  keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'kgdxqq3eF-hqcxQWQykNgzN62H8hO0t7KOUCTYmP7Wg' }], notAfter: 0, exp: 0, kid: 'evil-kid',
  // Native claims by their names (the claims themselves are a Map keyed by integers).
  entitlements: ['Enterprise'], blocked: true, issuer: 'evil', notBefore: 4_102_444_800, maxMachines: 0, machines: ['MACHINE-Z'], fingerprint: 'x',
  floatingLease: 1, maxOfflineAge: 1, cti: 'AA==', sub: 'KEY', aud: '999', iss: 'evil', nbf: 4_102_444_800, iat: 0, form: 'binary',
};
for (const name of Object.keys(HARM)) {
  const lower = name[0]!.toLowerCase() + name.slice(1);
  if (!(lower in HARM)) HARM[lower] = HARM[name];
}

/** Runs `f` with every HARM name on Object.prototype (enumerable, as an assignment would make it), always removing them. */
function polluted<T>(f: () => T): T {
  const installed: string[] = [];
  try {
    for (const [name, value] of Object.entries(HARM)) {
      Object.defineProperty(Object.prototype, name, { value, writable: true, enumerable: true, configurable: true });
      installed.push(name);
    }
    return f();
  } finally {
    for (const name of installed) delete (Object.prototype as Record<string, unknown>)[name];
  }
}

type Outcome = { ok: unknown } | { error: string };
function outcome(f: () => unknown): Outcome {
  try {
    return { ok: f() };
  } catch (error) {
    return { error: isLicenseKitError(error) ? error.code : `${(error as Error).name}: ${(error as Error).message}` };
  }
}
const snapshot = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

interface Case {
  readonly name: string;
  readonly text: string | Uint8Array;
  readonly options: VerifyOptions;
}
const cases: Case[] = [];

beforeAll(async () => {
  for (const m of manifest) cases.push({ name: m.file, text: readFixtureLicense(m), options: { key: read('keys', m.key), now: new Date(m.now), ...(m.options as object) } });
  const ON_Z = { key: VENDOR.publicXml, now: NOW, machineCode: 'MACHINE-Z' };
  // A node-locked license that names no MaxNoOfMachines, Block, flags, AllowedMachines or data objects: pollution could supply each.
  const sparse = await signPayload({ ProductId: 1001, ID: 1, Key: 'K', Created: 1_767_225_600, Expires: 1_798_761_600, SignDate: 1_768_435_200, ActivatedMachines: [{ Mid: 'MACHINE-A' }] });
  cases.push({ name: 'sparse, other machine, features', text: sparse, options: { ...ON_Z, requireFeatures: [1, 'Secret', 'Modules.Render'] } });
  cases.push({ name: 'sparse, no options but the key', text: sparse, options: { key: VENDOR.publicXml, now: NOW } });
  cases.push({ name: 'sparse, camelCase keys', text: await signPayload({ productId: 1001, expires: 1_798_761_600, signDate: 1_768_435_200, activatedMachines: [{ mid: 'MACHINE-A' }] }), options: ON_Z });
  cases.push({ name: 'floating lease without FloatingExpires', text: await signPayload({ ProductId: 1001, SignDate: 1_768_435_200, MaxNoOfMachines: 1, ActivatedMachines: [{ Mid: 'floating:overdraft:MACHINE-Z' }] }), options: ON_Z });
  cases.push({ name: 'an empty node in the template', text: await signPayload({ ProductId: 1001, SignDate: 1_768_435_200, DataObjects: [{ Name: 'cryptolens_features', StringValue: '[[]]' }] }), options: { key: VENDOR.publicXml, now: NOW, requireFeatures: ['Secret'] } });
  cases.push({ name: 'a public JWK object as the key', text: sparse, options: { ...ON_Z, key: JSON.parse(read('keys', 'vendor-rsa2048.public.jwk.json')) as Record<string, unknown> } });
  cases.push({ name: 'a product definition without trial or time-limited flags', text: sparse, options: { ...ON_Z, product: { featureNames: { Pro: 2 } }, requireFeatures: ['Pro'] } });
});

describe('Object.prototype polluted with every claim, option and member name', () => {
  test('verifyLicenseSync (node:crypto and pure JS) gives the same verdict or error', () => {
    expect(cases.length).toBeGreaterThan(manifest.length);
    for (const c of cases) {
      for (const backend of ['node', 'purejs'] as const) {
        const options = { ...c.options, backend };
        const clean = outcome(() => snapshot(verifyLicenseSync(c.text, options)));
        const dirty = outcome(() => snapshot(polluted(() => verifyLicenseSync(c.text, options))));
        expect(dirty, `${c.name} (${backend})`).toEqual(clean);
      }
    }
  });

  test('verifyLicense and verifyLicenses (polluted for their synchronous part), also over WebCrypto', async () => {
    for (const c of cases) {
      for (const backend of ['node', 'webcrypto', 'purejs'] as const) {
        const options = { ...c.options, backend };
        const settle = (p: Promise<unknown>): Promise<Outcome> => p.then((v) => ({ ok: snapshot(v) }), (e: unknown) => ({ error: isLicenseKitError(e) ? e.code : String(e) }));
        const clean = await settle(verifyLicense(c.text, options));
        const dirty = await settle(polluted(() => verifyLicense(c.text, options)));
        expect(dirty, `${c.name} (${backend})`).toEqual(clean);
        const batchClean = await settle(verifyLicenses([c.text], options));
        const batchDirty = await settle(polluted(() => verifyLicenses([c.text], options)));
        expect(batchDirty, `${c.name} batch (${backend})`).toEqual(batchClean);
      }
    }
  });

  test('inspectLicense, license.evaluate, hasFeature and isOnMachine answer the same', () => {
    for (const c of cases) {
      const clean = outcome(() => snapshot(inspectLicense(c.text)));
      const dirty = outcome(() => snapshot(polluted(() => inspectLicense(c.text))));
      expect(dirty, c.name).toEqual(clean);
      const verdict = outcome(() => verifyLicenseSync(c.text, c.options));
      if (!('ok' in verdict)) continue;
      const license = (verdict.ok as { license: import('../../src/index.node.ts').VerifiedLicense | null }).license;
      if (!license) continue;
      const questions = () => [
        license.evaluate({ now: NOW }).reasons,
        license.evaluate({ now: NOW, machineCode: 'MACHINE-Z', requireFeatures: ['Secret'] }).reasons,
        ([1, 2, 8, 'Secret', 'Modules.Render', 'Pro'] as const).map((f) => license.hasFeature(f, { featureNames: {} })),
        license.isOnMachine('MACHINE-Z', { now: NOW }),
        license.evaluate({ now: NOW }).status,
      ];
      expect(snapshot(polluted(questions)), c.name).toEqual(snapshot(questions()));
    }
  });

  test('an omitted option is never taken from the prototype (now, tolerance, overdraft, product)', () => {
    const clean = resolveEvaluation({}, () => 42);
    const dirty = polluted(() => resolveEvaluation({}, () => 42));
    expect(dirty).toEqual(clean);
    expect(dirty.nowMs).toBe(42);
  });
});
