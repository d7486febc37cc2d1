/** The issuer: what it signs is what verification reads back, and it never signs an unbounded license by accident. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { nodeBackend } from '../../src/backends/node.ts';
import { buildCryptolensPayload, issueCryptolensLicense, randomLicenseKey } from '../../src/issuer/cryptolens.ts';
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

  describe('a license that names machines is node-locked unless the vendor says 0', () => {
    const issue = (claims: Parameters<typeof buildCryptolensPayload>[0]) => issueCryptolensLicense(claims, { privateJwk: VENDOR.privateJwk, backend: nodeBackend, now: NOW });
    const verify = (text: string, machineCode: string) => verifyLicenseSync(text, { key: VENDOR.publicXml, now: NOW, machineCode });

    test('allowed machines only: an allowed machine passes, any other is MACHINE_MISMATCH', async () => {
      const text = await issue({ productId: 1, allowedMachines: ['ALLOWED-1'] });
      expect(verify(text, 'ALLOWED-1').valid).toBe(true);
      expect(verify(text, 'SOMEONE-ELSE').reasons).toEqual(['MACHINE_MISMATCH']);
      expect(buildCryptolensPayload({ productId: 1, allowedMachines: ['ALLOWED-1'] }, NOW).MaxNoOfMachines).toBe(1);
    });

    test('an explicit maxNoOfMachines: 0 still signs a license that is not node-locked', async () => {
      const text = await issue({ productId: 1, allowedMachines: ['ALLOWED-1'], maxNoOfMachines: 0 });
      expect(verify(text, 'SOMEONE-ELSE').valid).toBe(true);
    });

    test.prop([fc.uniqueArray(code, { maxLength: 3 }), fc.uniqueArray(code, { maxLength: 3 }), code], { numRuns: 30 })(
      'omitting the limit never lets a machine that is not listed pass when any machine is listed',
      async (activated, allowed, stranger) => {
        fc.pre(activated.length + allowed.length > 0 && !activated.includes(stranger) && !allowed.includes(stranger));
        const text = await issue({ productId: 1, activatedMachines: activated.map((mid) => ({ mid })), allowedMachines: allowed });
        expect(verify(text, stranger).reasons).toContain('MACHINE_MISMATCH');
        for (const mid of [...activated, ...allowed]) expect(verify(text, mid).valid).toBe(true);
      },
    );

    test.each([-1, 1.5, Number.NaN])('refuses maxNoOfMachines %s', (max) => {
      expect(() => buildCryptolensPayload({ productId: 1, maxNoOfMachines: max }, NOW)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
    });
  });

  describe('randomLicenseKey', () => {
    test('has the XXXXX-XXXXX-XXXXX-XXXXX form', () => {
      for (let i = 0; i < 100; i++) expect(randomLicenseKey()).toMatch(/^[A-Z]{5}-[A-Z]{5}-[A-Z]{5}-[A-Z]{5}$/);
    });

    test('draws bytes of 234 and above again instead of folding them (no modulo bias)', () => {
      // The first fill is all 255 (would fold onto V); later fills put 234 (would fold onto A) at even positions.
      let calls = 0;
      const source = (bytes: Uint8Array): Uint8Array => {
        for (let i = 0; i < bytes.length; i++) bytes[i] = calls === 0 ? 255 : i % 2 === 0 ? 234 : i;
        calls++;
        return bytes;
      };
      const letters = (odd: number[]) => odd.map((i) => String.fromCharCode(65 + (i % 26))).join('');
      const odd = Array.from({ length: 16 }, (_, k) => 2 * k + 1); // 1, 3, …, 31
      expect(randomLicenseKey(source).replaceAll('-', '')).toBe(letters(odd) + letters(odd.slice(0, 4)));
      expect(calls).toBe(3);
    });

    test('every letter is equally likely (chi-square over 400,000 letters)', () => {
      const counts = new Array<number>(26).fill(0);
      const keys = 20_000;
      for (let i = 0; i < keys; i++) for (const ch of randomLicenseKey().replaceAll('-', '')) counts[ch.charCodeAt(0) - 65]!++;
      const expected = (keys * 20) / 26;
      const chiSquare = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
      // 25 degrees of freedom: P(chi2 > 80) < 1e-7 for a fair source. Folding bytes with % 26 gives about 25 + 538 here.
      expect(chiSquare).toBeLessThan(80);
    });
  });
});

