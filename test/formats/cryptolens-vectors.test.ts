/**
 * Every real Cryptolens file in the shared vectors: SignMethod=1 files verify
 * exactly as `expectedValid` says (JSON and compact forms), decoded fields
 * match `decodedPayload`; SignMethod=0 files verify as `expectedValid` says
 * (the whole suite is test/formats/sm0/);
 * files without a public key still decode.
 */
import { describe, expect, test } from 'vitest';
import { cryptolensClaims, inspectLicense, verifyLicenseSync, type License } from '../../src/index.node.ts';
import { describeWithVectors, listVectors, readVector } from '../support/vectors.ts';

interface Vector {
  publicKeyXml?: string;
  keyBits?: number;
  license: string | Record<string, unknown>;
  licenseCompact?: string;
  expectedValid: boolean | null;
  signMethod: number;
  decodedPayload?: Record<string, unknown>;
}

const NOW = new Date('2026-11-22T00:00:00Z');
const text = (v: Vector): string => (typeof v.license === 'string' ? v.license : JSON.stringify(v.license));

/** Seconds (or a zone-less ISO string) as the vector states it, compared with the decoded Date. */
function expectSameInstant(actual: Date | null, expected: unknown, field: string): void {
  if (expected === null || expected === undefined) return void expect(actual, field).toBeNull();
  if (typeof expected === 'number') return void expect(actual!.getTime(), field).toBe(expected * 1000);
  const s = String(expected);
  expect(actual!.toISOString().slice(0, 19), field).toBe(s.slice(0, 19));
}

/** Checks the decoded License against the vector's independently decoded payload. */
function expectMatchesPayload(license: License, p: Record<string, unknown>): void {
  expect(license.productId).toBe(p.ProductId ?? null);
  expect(license.id).toBe(p.ID ?? null);
  expect(license.key).toBe(p.Key ?? null);
  const claims = cryptolensClaims(license)!;
  expect(claims.period).toBe(p.Period ?? null);
  expect(license.notes).toBe(p.Notes ?? null);
  expect(license.block).toBe(p.Block ?? null);
  expect(claims.globalId).toBe(p.GlobalId ?? null);
  expect(claims.trialActivation).toBe(p.TrialActivation ?? null);
  expect(license.maxNoOfMachines).toBe(p.MaxNoOfMachines ?? null);
  for (let i = 1; i <= 8; i++) expect(license.features[`F${i}` as 'F1'], `F${i}`).toBe(p[`F${i}`] ?? null);
  expectSameInstant(license.created, p.Created, 'Created');
  expectSameInstant(license.expires, p.Expires, 'Expires');
  expectSameInstant(license.signDate, p.SignDate, 'SignDate');
  const machines = (p.ActivatedMachines ?? null) as Record<string, unknown>[] | null;
  expect(license.activatedMachines?.length ?? null).toBe(machines?.length ?? null);
  machines?.forEach((m, i) => {
    const got = license.activatedMachines![i]!;
    expect(got.mid).toBe(m.Mid);
    expect(got.ip).toBe(m.IP ?? null);
    expect(got.friendlyName).toBe(m.FriendlyName ?? null);
    expectSameInstant(got.time, m.Time, `ActivatedMachines[${i}].Time`);
    expect(got.floating).toBe(String(m.Mid).startsWith('floating:'));
  });
  const allowed = p.AllowedMachines as string | null | undefined;
  expect(license.allowedMachines).toEqual(allowed == null ? null : allowed.split('\n').map((s) => s.trim()).filter(Boolean));
  const data = (p.DataObjects ?? null) as Record<string, unknown>[] | null;
  expect(claims.dataObjects?.map((o) => [o.id, o.name, o.stringValue, o.intValue]) ?? null).toEqual(data?.map((o) => [o.Id, o.Name, o.StringValue, o.IntValue]) ?? null);
  const customer = p.Customer as Record<string, unknown> | null | undefined;
  if (customer) expect([license.customer?.id, license.customer?.name, license.customer?.email]).toEqual([customer.Id, customer.Name ?? null, customer.Email ?? null]);
  else expect(license.customer).toBeNull();
}

describeWithVectors('cryptolens', 'Cryptolens vectors', () => {
  const top = listVectors('cryptolens');
  const sm1 = top.filter((f) => /^(sm1|neg-sm1)-/.test(f));
  const sm0 = top.filter((f) => /^(sm0|neg-sm0)-/.test(f));
  const unverified = top.filter((f) => f.startsWith('unverified-'));

  test('the folder holds the files this suite was written for', () => {
    expect(sm1.length).toBeGreaterThanOrEqual(18);
    expect(sm0.length).toBeGreaterThanOrEqual(9);
    expect(listVectors('cryptolens/cpp-tests-bulk').length).toBe(1024);
  });

  test.each(sm1)('%s verifies as expectedValid says and decodes to decodedPayload', (file) => {
    const v = readVector<Vector>('cryptolens', file);
    const verdict = verifyLicenseSync(text(v), { key: v.publicKeyXml!, now: NOW });
    expect(verdict.reasons.includes('SIGNATURE_INVALID')).toBe(!v.expectedValid);
    expect(verdict.keyBits).toBe(v.keyBits);
    expect(verdict.warnings.includes('WEAK_KEY')).toBe(v.keyBits! < 2048);
    if (v.expectedValid) {
      expect(verdict.license).not.toBeNull();
      expectMatchesPayload(verdict.license!, v.decodedPayload!);
    } else {
      expect(verdict.license).toBeNull();
      expect(verdict.valid).toBe(false);
    }
  });

  test.each(sm0)('%s (SignMethod=0) verifies exactly as expectedValid says, with the re-serialisation warning', (file) => {
    const v = readVector<Vector>('cryptolens', file);
    const verdict = verifyLicenseSync(text(v), { key: v.publicKeyXml!, now: NOW });
    expect(verdict.license !== null).toBe(v.expectedValid);
    expect(verdict.warnings).toContain('SIGNED_RESERIALISATION');
  });

  test.each(unverified)('%s (no public key) decodes without verification', (file) => {
    const v = readVector<Vector>('cryptolens', file);
    const inspection = inspectLicense(text(v));
    expect(inspection.verified).toBe(false);
    if (v.decodedPayload) expectMatchesPayload(inspection.license!, v.decodedPayload);
    else expect(inspection.license!.key).toMatch(/^[A-Z]{5}(-[A-Z]{5}){3}$/);
  });

  describe('cpp-tests-bulk (1,024 files, JSON and compact forms)', () => {
    const bulk = listVectors('cryptolens/cpp-tests-bulk');
    test.each(bulk)('%s', (file) => {
      const v = readVector<Vector>('cryptolens/cpp-tests-bulk', file);
      const json = verifyLicenseSync(text(v), { key: v.publicKeyXml!, now: NOW });
      const compact = verifyLicenseSync(v.licenseCompact!, { key: v.publicKeyXml!, now: NOW });
      expect(json.reasons.includes('SIGNATURE_INVALID')).toBe(!v.expectedValid);
      expect(compact.reasons).toEqual(json.reasons);
      if (v.expectedValid) {
        expectMatchesPayload(json.license!, v.decodedPayload!);
        expect(compact.license!.toJSON()).toEqual(json.license!.toJSON());
      }
    });
  });
});
