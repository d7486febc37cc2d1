/** The issuer: what it signs is what verification reads back, and it never signs an unbounded license by accident. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import { buildCryptolensPayload, issueCryptolensLicense } from '../../src/issuer/cryptolens.ts';
import { verifyLicenseSync } from '../../src/index.node.ts';
import { featureSet } from '../arbitraries/license.ts';
import { VENDOR } from '../support/issue.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);
const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
const code = fc.stringMatching(/^[A-Za-z0-9:-]{1,40}$/);

describe('issuer', () => {
  test.prop([featureSet, instant, instant, fc.uniqueArray(code, { maxLength: 4 }), fc.uniqueArray(code, { maxLength: 3 }), fc.integer({ min: 0, max: 50 }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined })], { numRuns: 40 })(
    'issue then verify round-trips every claim',
    async (features, created, expires, machines, allowed, max, notes) => {
      const text = await issueCryptolensLicense(
        { productId: 42, key: 'ROUND-TRIP', created, expires, features, activatedMachines: machines.map((mid) => ({ mid, time: created })), allowedMachines: allowed, maxNoOfMachines: max, notes },
        { privateJwk: VENDOR.privateJwk, backend: nodeBackend, now: NOW },
      );
      const license = verifyLicenseSync(text, { key: VENDOR.publicXml, now: NOW }).license!;
      expect(license.productId).toBe(42);
      expect(license.key).toBe('ROUND-TRIP');
      expect(license.created).toEqual(seconds(created));
      expect(license.expires).toEqual(seconds(expires));
      expect(license.signDate).toEqual(NOW);
      for (let n = 1; n <= 8; n++) expect(license.hasFeature(n as 1)).toBe(features.includes(n as 1));
      expect(license.activatedMachines!.map((m) => m.mid)).toEqual(machines);
      expect(license.allowedMachines).toEqual(allowed.map((a) => a.trim()).filter(Boolean));
      expect(license.maxNoOfMachines).toBe(max);
      expect(license.notes).toBe(notes ?? null);
    },
  );

  test.each([
    ['an invalid expiry', { expires: new Date('not a date') }],
    ['an invalid creation date', { created: new Date(Number.NaN) }],
    ['a fractional period', { period: 1.5 }],
  ])('refuses %s instead of signing a license without it', (_, claims) => {
    expect(() => buildCryptolensPayload({ productId: 1, ...claims }, NOW)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
  });

  test('refuses an invalid signing time', async () => {
    await expect(issueCryptolensLicense({ productId: 1 }, { privateJwk: VENDOR.privateJwk, backend: nodeBackend, now: new Date(Number.NaN) })).rejects.toMatchObject({ code: 'ERR_OPTION_INVALID' });
  });
});
