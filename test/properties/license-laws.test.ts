/**
 * The laws a license verifier must obey, checked with fast-check:
 * tampering never yields a valid license; expiry is monotonic; a required flag
 * is missing exactly when it is false; arbitrary input only ever throws the
 * typed errors; envelope key case does not matter.
 */
import { fc, test } from '@fast-check/vitest';
import { beforeAll, describe, expect } from 'vitest';
import { LicenseKitError, verifyLicenseSync } from '../../src/index.node.ts';
import { importPublicKey } from '../../src/keys/import.ts';
import { anyCase, featureNumber, featureSet, instant } from '../arbitraries/license.ts';
import { issue, VENDOR } from '../support/issue.ts';

const key = importPublicKey(VENDOR.publicXml);
const NOW = new Date('2026-06-01T00:00:00Z');
let text: string;
let response: { licenseKey: string; signature: string; result: number; message: string };
let payload: Buffer;
let signature: Buffer;

beforeAll(async () => {
  text = await issue({ features: [1, 4], activatedMachines: [{ mid: 'M1' }], maxNoOfMachines: 1, notes: 'ünïcödé ✓' });
  response = JSON.parse(text);
  payload = Buffer.from(response.licenseKey, 'base64');
  signature = Buffer.from(response.signature, 'base64');
});

const verify = (input: string | Uint8Array, now: Date = NOW) => verifyLicenseSync(input, { key, now });

describe('tampering', () => {
  test.prop([fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean()])('flipping any bit of the payload or the signature gives SIGNATURE_INVALID', (index, bit, inPayload) => {
    const target = Buffer.from(inPayload ? payload : signature);
    target[index % target.length]! ^= 1 << bit;
    const forged = JSON.stringify({ ...response, [inPayload ? 'licenseKey' : 'signature']: target.toString('base64') });
    const verdict = verify(forged);
    expect(verdict.reasons).toEqual(['SIGNATURE_INVALID']);
    expect(verdict.license).toBeNull();
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })])('changing any byte of a compact license never gives a valid license', (index, delta) => {
    const compact = Buffer.from(`v20180502-${response.licenseKey}-${response.signature}`, 'latin1');
    const i = index % compact.length;
    compact[i] = (compact[i]! + delta) % 256;
    try {
      expect(verify(compact.toString('latin1')).valid).toBe(false);
    } catch (error) {
      expect(error).toBeInstanceOf(LicenseKitError);
    }
  });
});

describe('time', () => {
  test.prop([fc.nat({ max: 10 * 365 * 86_400_000 })])('once expired, a license stays expired for every later now', (later) => {
    const license = verify(text).license!;
    const e = license.expiresAt()!.getTime();
    const t = e + later;
    expect(license.evaluate({ now: t }).reasons).toContain('EXPIRED');
    expect(license.evaluate({ now: t + 1 }).reasons).toContain('EXPIRED');
    expect(license.isExpired(t)).toBe(true);
  });

  const wholeSeconds = instant.map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
  test.prop([wholeSeconds], { numRuns: 30 })('a license valid at t with expiry e is invalid at every t′ ≥ e (issued per run)', async (expires) => {
    const signDate = new Date(expires.getTime() - 86_400_000);
    const issued = await issue({ expires, created: new Date(signDate.getTime() - 1000) }, signDate);
    const before = verify(issued, new Date(expires.getTime() - 1));
    expect(before.valid).toBe(true);
    await fc.assert(
      fc.property(fc.nat({ max: 200 * 365 * 86_400 }), (seconds) => {
        expect(before.license!.evaluate({ now: expires.getTime() + seconds * 1000 }).reasons).toEqual(['EXPIRED']);
      }),
      { numRuns: 20 },
    );
  });
});

describe('features', () => {
  test.prop([featureSet, featureNumber], { numRuns: 40 })('a required F-flag is missing exactly when the flag is false', async (granted, required) => {
    const issued = await issue({ features: granted });
    const verdict = verify(issued);
    expect(verdict.license!.hasFeature(required)).toBe(granted.includes(required));
    const checked = verdictWith(issued, required);
    expect(checked.reasons.includes('FEATURE_MISSING')).toBe(!granted.includes(required));
  });
});

function verdictWith(input: string, required: number) {
  return verifyLicenseSync(input, { key, now: NOW, requireFeatures: [required as 1] });
}

describe('arbitrary input', () => {
  const typedOnly = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof LicenseKitError)) throw error;
      expect(error.code).toMatch(/^ERR_[A-Z0-9_]+$/);
    }
  };
  test.prop([fc.uint8Array({ maxLength: 4096 })])('arbitrary bytes never throw anything but a typed error', (bytes) => typedOnly(() => verify(bytes)));
  test.prop([fc.string({ maxLength: 2048, unit: 'binary' })])('arbitrary text never throws anything but a typed error', (s) => typedOnly(() => verify(s)));
  test.prop([fc.jsonValue({ maxDepth: 4 })])('arbitrary JSON never throws anything but a typed error', (value) => typedOnly(() => verify(JSON.stringify(value))));
  test.prop([fc.dictionary(fc.constantFrom('licenseKey', 'signature', 'LicenseKey', 'result', 'metadata', 'productId'), fc.oneof(fc.string(), fc.base64String(), fc.jsonValue({ maxDepth: 2 })))])(
    'envelope-shaped JSON never throws anything but a typed error',
    (object) => typedOnly(() => verify(JSON.stringify(object))),
  );
  test.prop([fc.base64String({ maxLength: 600 }), fc.base64String({ maxLength: 600 })])('compact-shaped text never throws anything but a typed error', (a, b) => typedOnly(() => verify(`v20180502-${a}-${b}`)));
});

describe('envelope keys', () => {
  test.prop([anyCase('licenseKey'), anyCase('signature'), anyCase('result'), anyCase('message')])('top-level keys match case-insensitively', (k, s, r, m) => {
    const recased = JSON.stringify({ [r]: 0, [s]: response.signature, [m]: null, [k]: response.licenseKey });
    expect(verify(recased).license!.toJSON()).toEqual(verify(text).license!.toJSON());
  });
});
