/**
 * Cryptolens SignMethod=0 ("LinqSign"): every real `sm0-*` file verifies and
 * rebuilds exactly the signed string its vector documents; every `neg-sm0-*`
 * file is refused; the License equals the one a SignMethod=1 file of the same
 * values gives; the verdict warns SIGNED_RESERIALISATION. What could make the
 * re-serialisation ambiguous is refused, what the signature does not cover is
 * never read, and no edit of the file ever yields a valid license that says
 * something else.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { inspectLicense, isLicenseKitError, verifyLicenseSync, type License } from '../../../src/index.node.ts';
import { parseCryptolensEnvelope } from '../../../src/formats/cryptolens/envelope.ts';
import type { SignMethod0Envelope } from '../../../src/formats/cryptolens/sign-method-0.ts';
import { describeWithVectors, listVectors, readVector } from '../../support/vectors.ts';

interface Vector {
  publicKeyXml: string;
  license: string;
  expectedValid: boolean;
  verification: { signedString: string; verifies: boolean };
}

const NOW = new Date('2017-01-01T00:00:00Z');
const files = listVectors('cryptolens').filter((f) => /^(neg-)?sm0-/.test(f));
const vector = (f: string): Vector => readVector<Vector>('cryptolens', f);

/** A throw-away vendor key, to sign files these tests make. */
const vendor = generateKeyPairSync('rsa', { modulusLength: 2048 });
const vendorPem = vendor.publicKey.export({ format: 'pem', type: 'spki' }) as string;

/** Signs a SignMethod=0 LicenseKey object with the test key, over the string licensekit rebuilds (its layout is proven by the real files). */
function signSm0(licenseKey: Record<string, unknown>): string {
  const name = Object.keys(licenseKey).find((k) => k.toLowerCase() === 'signature') ?? 'Signature';
  const envelope = parseCryptolensEnvelope(JSON.stringify({ ...licenseKey, [name]: 'AA==' })) as SignMethod0Envelope;
  return JSON.stringify({ ...licenseKey, [name]: sign('sha256', envelope.signedBytes, vendor.privateKey).toString('base64') });
}

/** A SignMethod=1 response for a payload, signed with the test key. */
function signSm1(payload: unknown): string {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return JSON.stringify({ licenseKey: bytes.toString('base64'), signature: sign('sha256', bytes, vendor.privateKey).toString('base64'), result: 0, message: '' });
}

const seconds = (iso: string): number => Math.floor(Date.parse(`${iso.slice(0, 19)}Z`) / 1000);

/** The LicenseKey object of a vector's file (SaveToFile, or a response's licenseKey). */
function licenseKeyOf(v: Vector): Record<string, unknown> {
  const doc = JSON.parse(v.license) as Record<string, unknown>;
  return (typeof doc.licenseKey === 'object' ? doc.licenseKey : doc) as Record<string, unknown>;
}

/**
 * The SignMethod=1 payload of the same license: the same values, dates as Unix
 * seconds, without what SignMethod=0 does not sign (the signature itself, the
 * customer's id, a machine's friendly name and floating expiry, the reseller).
 */
function sm1PayloadOf(lk: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(lk)) {
    const name = k.toLowerCase();
    if (['signature', 'reseller', 'rawresponse'].includes(name)) continue;
    if (['created', 'expires', 'signdate'].includes(name)) out[k] = seconds(v as string);
    else if (name === 'customer' && v !== null) {
      const c = v as Record<string, unknown>;
      out[k] = { Name: c.name ?? c.Name, Email: c.email ?? c.Email, CompanyName: c.companyName ?? c.CompanyName, Created: seconds((c.created ?? c.Created) as string) };
    } else if (name === 'activatedmachines') {
      out[k] = (v as Record<string, unknown>[]).map((m) => ({ Mid: m.mid ?? m.Mid, IP: m.ip ?? m.IP, Time: seconds((m.time ?? m.Time) as string) }));
    } else out[k] = v;
  }
  return out;
}

/** A License as plain data, for deep comparison. */
const plain = (license: License | null): unknown => (license === null ? null : JSON.parse(JSON.stringify({ ...license })));

describeWithVectors('cryptolens', 'SignMethod=0 vectors', () => {
  test('there are real SignMethod=0 files, valid and tampered', () => {
    expect(files.filter((f) => f.startsWith('sm0-')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.startsWith('neg-sm0-')).length).toBeGreaterThanOrEqual(1);
  });

  test.each(files)('%s: the signed string is the documented one, and the signature verifies exactly as expected', (file) => {
    const v = vector(file);
    const envelope = parseCryptolensEnvelope(v.license) as SignMethod0Envelope;
    expect(envelope.signMethod).toBe(0);
    expect(envelope.signedString).toBe(v.verification.signedString);
    expect(Buffer.from(envelope.signedBytes).toString('utf16le')).toBe(v.verification.signedString);
    const verdict = verifyLicenseSync(v.license, { key: v.publicKeyXml, now: NOW });
    expect(verdict.license !== null).toBe(v.expectedValid);
    expect(verdict.warnings).toContain('SIGNED_RESERIALISATION');
    expect(verdict.format).toBe('cryptolens');
    if (!v.expectedValid) expect(verdict.reasons).toEqual(['SIGNATURE_INVALID']);
    expect(inspectLicense(v.license).envelope).toMatchObject({ signMethod: 0, signedString: v.verification.signedString });
  });

  test.each(files.filter((f) => f.startsWith('sm0-')))('%s: the same License as a SignMethod=1 file of the same values', (file) => {
    const v = vector(file);
    const lk = licenseKeyOf(v);
    const sm0 = verifyLicenseSync(signSm0(lk), { key: vendorPem, now: NOW });
    const real = verifyLicenseSync(v.license, { key: v.publicKeyXml, now: NOW });
    const sm1 = verifyLicenseSync(signSm1(sm1PayloadOf(lk)), { key: vendorPem, now: NOW });
    expect(plain(real.license)).toEqual(plain(sm0.license));
    expect(plain(sm0.license)).toEqual(plain(sm1.license));
    expect([sm0.valid, sm0.reasons]).toEqual([sm1.valid, sm1.reasons]);
    expect(sm1.warnings).not.toContain('SIGNED_RESERIALISATION');
  });

  test('fractions of a second are not signed: the License drops them, and changing one changes nothing', () => {
    const v = vector('sm0-thirdparty-tgscalper-an-9370-DQRKL.json');
    const edited = v.license.replace('"Created":"2021-09-02T02:49:13.5"', '"Created":"2021-09-02T02:49:13.9999999"');
    expect(edited).not.toBe(v.license);
    const a = verifyLicenseSync(v.license, { key: v.publicKeyXml, now: NOW });
    const b = verifyLicenseSync(edited, { key: v.publicKeyXml, now: NOW });
    expect(a.license!.created!.toISOString()).toBe('2021-09-02T02:49:13.000Z');
    expect(plain(b.license)).toEqual(plain(a.license));
  });

  test('unsigned properties are never read (Reseller, a machine\'s FriendlyName, RawResponse, unknown ones)', () => {
    const v = vector('sm0-thirdparty-tgscalper-an-9370-DQRKL.json');
    const doc = JSON.parse(v.license) as Record<string, any>;
    doc.Reseller = { Id: 1, Name: 'forged' };
    doc.ActivatedMachines[0].FriendlyName = 'forged';
    doc.ActivatedMachines[0].FloatingExpires = '2099-01-01T00:00:00';
    doc.Extra = 'forged';
    const verdict = verifyLicenseSync(JSON.stringify(doc), { key: v.publicKeyXml, now: NOW });
    expect(verdict.license).not.toBeNull();
    expect(JSON.stringify(verdict.license)).not.toContain('forged');
    expect(verdict.license!.activatedMachines![0]!.floatingExpires).toBeNull();
  });

  const tamperable = vector('sm0-examples-offline-licensefile-3843-JJWTE.json');
  const original = verifyLicenseSync(tamperable.license, { key: tamperable.publicKeyXml, now: NOW });
  test.prop([fc.nat(), fc.integer({ min: 1, max: 0xffff })], { numRuns: 200 })(
    'a changed character gives a typed error, an invalid signature, or (where it is not signed: a fraction, spacing, an unsigned field) the very same License',
    (at, delta) => {
      const i = at % tamperable.license.length;
      const c = String.fromCharCode((tamperable.license.charCodeAt(i) + delta) % 0x10000);
      const edited = tamperable.license.slice(0, i) + c + tamperable.license.slice(i + 1);
      let verdict;
      try {
        verdict = verifyLicenseSync(edited, { key: tamperable.publicKeyXml, now: NOW });
      } catch (error) {
        return void expect(isLicenseKitError(error)).toBe(true);
      }
      if (verdict.license !== null) expect(plain(verdict.license)).toEqual(plain(original.license));
      else expect(verdict.reasons).toEqual(['SIGNATURE_INVALID']);
    },
  );
});

describe('strictness of the re-serialisation (files signed with a test key)', () => {
  const base: Record<string, unknown> = {
    ProductId: 3843, ID: 1, Key: 'JJWTE-MVKLR-YQMKD-IFXUV', Created: '2018-02-19T00:00:00', Expires: '2018-07-24T00:00:00', Period: 39,
    F1: true, F2: false, F3: true, F4: false, F5: true, F6: false, F7: false, F8: false, Notes: 'Trial', Block: false, GlobalId: 36760,
    Customer: null, ActivatedMachines: [{ Mid: 'abc', IP: '1.2.3.4', Time: '2018-06-14T09:12:46.557' }], TrialActivation: false,
    MaxNoOfMachines: 2, AllowedMachines: '', DataObjects: [], SignDate: '2018-08-08T07:39:10',
  };
  const code = (lk: Record<string, unknown>): string => {
    try {
      verifyLicenseSync(JSON.stringify({ ...lk, Signature: 'AAAA' }), { key: vendorPem, now: NOW });
      return 'no error';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  test('the base file verifies, and its signed string is the documented layout', () => {
    const verdict = verifyLicenseSync(signSm0(base), { key: vendorPem, now: NOW });
    expect(verdict.license).not.toBeNull();
    expect((parseCryptolensEnvelope(signSm0(base)) as SignMethod0Envelope).signedString).toBe(
      '3843,1,JJWTE-MVKLR-YQMKD-IFXUV,2018-02-19T00:00:00,2018-07-24T00:00:00,39,True,False,True,False,True,False,False,False,Trial,False,36760,,[abc,1.2.3.4,2018-06-14T09:12:46,],False,2,,[],2018-08-08T07:39:10,',
    );
  });

  test.each([
    ['a comma in Notes', { Notes: 'a,b' }],
    ['a bracket in a machine code', { ActivatedMachines: [{ Mid: 'a]', IP: '', Time: '2018-06-14T09:12:46' }] }],
    ['a comma in a customer name', { Customer: { Id: 1, Name: 'a,b', Email: '', CompanyName: '', Created: '2018-01-01T00:00:00' } }],
    ['a Key shaped like a date', { Key: '2018-02-19T00:00:00' }],
    ['a date with a zone', { Expires: '2018-07-24T00:00:00Z' }],
    ['a date as Unix seconds', { Expires: 1532390400 }],
    ['a flag as a number', { F1: 1 }],
    ['a fractional id', { ID: 1.5 }],
    ['DataObjects that is not a list', { DataObjects: null }],
  ])('%s is refused with ERR_ENVELOPE_INVALID', (_name, change) => {
    expect(code({ ...base, ...change })).toBe('ERR_ENVELOPE_INVALID');
  });

  test('data objects (whose signed form no public file shows) and a missing property are ERR_FORMAT_UNSUPPORTED', () => {
    expect(code({ ...base, DataObjects: [{ Id: 1, Name: 'x', StringValue: '', IntValue: 0 }] })).toBe('ERR_FORMAT_UNSUPPORTED');
    const { SignDate: _, ...noSignDate } = base;
    expect(code(noSignDate)).toBe('ERR_FORMAT_UNSUPPORTED');
  });

  test('fields moved between neighbours (a Customer name into its e-mail) sign differently', () => {
    const a = { ...base, Customer: { Id: 1, Name: 'ab', Email: 'c', CompanyName: '', Created: '2018-01-01T00:00:00' } };
    const b = { ...base, Customer: { Id: 1, Name: 'a', Email: 'bc', CompanyName: '', Created: '2018-01-01T00:00:00' } };
    const signedA = JSON.parse(signSm0(a)) as Record<string, unknown>;
    expect(verifyLicenseSync(JSON.stringify({ ...b, Signature: signedA.Signature }), { key: vendorPem, now: NOW }).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  const value = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 12 }), fc.constant('2018-01-01T00:00:00'), fc.constant([]), fc.constant({}));
  test.prop([fc.dictionary(fc.constantFrom(...Object.keys(base), 'AutomaticActivation', 'Signature', 'customer', 'key'), value, { maxKeys: 30 }), fc.boolean()], { numRuns: 200 })(
    'arbitrary LicenseKey objects (alone or as a response\'s licenseKey) give verdicts or typed errors only',
    (fields, wrapped) => {
      const lk = { ...base, ...fields };
      const text = JSON.stringify(wrapped ? { licenseKey: lk, result: 0 } : lk);
      try {
        expect(verifyLicenseSync(text, { key: vendorPem, now: NOW }).valid).toBe(false);
      } catch (error) {
        expect(isLicenseKitError(error)).toBe(true);
      }
    },
  );
});
