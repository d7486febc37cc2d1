/**
 * The laws a license verifier must obey, checked with fast-check, for
 * Cryptolens and native licenses: tampering never yields a valid license;
 * expiry is monotonic; a required flag is missing exactly when it is false;
 * arbitrary input only ever throws the typed errors; envelope key case does
 * not matter (Cryptolens); a signed claim of the wrong type is refused (native).
 */
import { fc, test } from '@fast-check/vitest';
import { Encoder } from 'cbor-x';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import type { PrivateJwk } from '../../src/backends/backend.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { armor } from '../../src/formats/native/armor.ts';
import { NATIVE_CLAIMS, type ClaimName, type ClaimType } from '../../src/formats/native/claims.ts';
import { parseCoseSign1, sigStructure, type CoseSign1 } from '../../src/formats/native/cose.ts';
import { LicenseKitError, verifyLicenseSync, type Verdict } from '../../src/index.node.ts';
import { buildNativeClaims, issueNativeLicense, type NativeLicenseClaims } from '../../src/issuer/index.ts';
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

/**
 * The same laws for native licenses (COSE_Sign1 over a CWT claims set). Beyond
 * test/formats/native/native.test.ts (any changed byte or character is never
 * valid; arbitrary bytes after the COSE tag only give typed errors), these are
 * sharper: a changed bit inside the signed payload or the signature is exactly
 * SIGNATURE_INVALID; and a validly SIGNED message whose payload is arbitrary
 * CBOR, or whose claims have arbitrary values, still only gives a verdict or a
 * typed error, and a claim of the wrong type is refused, never ignored.
 */
describe('native licenses', () => {
  const ED_PRIVATE = JSON.parse(readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-ed25519.private.jwk.json'), 'utf8')) as PrivateJwk;
  const edKey = importPublicKey(readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-ed25519.public.pem'), 'utf8'));
  const CLAIMS: NativeLicenseClaims = { product: 1001, key: 'ABCDE-FGHIJ-KLMNO-PQRST', id: Uint8Array.of(1, 2, 3, 4), expires: new Date('2027-01-01T00:00:00Z'), features: [1, 4], entitlements: ['Pro'], machines: ['M1'] };
  const SIGNED_AT = new Date('2026-01-15T00:00:00Z');
  const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });
  const verifyNative = (input: string | Uint8Array, now: Date = NOW) => verifyLicenseSync(input, { key: edKey, now });
  const outcome = (run: () => Verdict): string => {
    try {
      const v = run();
      return v.valid ? 'VALID' : `NOT VALID ${v.reasons.join(',')}`;
    } catch (error) {
      if (!(error instanceof LicenseKitError)) throw error;
      return error.code;
    }
  };

  const bstr = (b: Uint8Array): Uint8Array => {
    const n = b.length;
    const head = n < 24 ? [0x40 | n] : n < 0x100 ? [0x58, n] : n < 0x10000 ? [0x59, n >> 8, n & 0xff] : [0x5a, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    return Uint8Array.of(...head, ...b);
  };
  const PROTECTED = Uint8Array.of(0xa1, 0x01, 0x27); // {1: -8}: EdDSA, no kid
  /** A COSE_Sign1 over any payload bytes, validly signed with the vendor's Ed25519 key. */
  async function signedMessage(payload: Uint8Array): Promise<Uint8Array> {
    const signature = await nodeBackend.sign!('EdDSA', ED_PRIVATE, sigStructure(PROTECTED, payload));
    return Uint8Array.of(0xd2, 0x84, ...bstr(PROTECTED), 0xa0, ...bstr(payload), ...bstr(signature));
  }

  /** CBOR data items as cbor-x writes them from JavaScript values: Maps with integer or text keys. */
  const { item } = fc.letrec<{ item: unknown }>((tie) => ({
    item: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.string({ maxLength: 20 }),
      fc.uint8Array({ maxLength: 70 }),
      fc.constantFrom(true, false, null),
      fc.array(tie('item'), { maxLength: 4 }),
      fc.array(fc.tuple(fc.oneof(fc.integer({ min: -70000, max: 70000 }), fc.string({ maxLength: 8 })), tie('item')), { maxLength: 4 }).map((entries) => new Map(entries)),
    ),
  }));

  let license: { bytes: Uint8Array; cose: CoseSign1 };
  beforeAll(async () => {
    const { bytes } = await issueNativeLicense(CLAIMS, { privateJwk: ED_PRIVATE, now: SIGNED_AT });
    license = { bytes, cose: parseCoseSign1(bytes) };
  });

  test.prop([fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean()])('flipping any bit of the signed payload or of the signature gives SIGNATURE_INVALID, and no license', (index, bit, inPayload) => {
    const part = inPayload ? license.cose.payload : license.cose.signature;
    // ... <payload> 58 40 <64-byte signature>: the message ends with the signature, the payload just before its 2-byte head.
    const start = license.bytes.length - license.cose.signature.length - (inPayload ? 2 + part.length : 0);
    const at = start + (index % part.length);
    expect(license.bytes.subarray(start, start + part.length)).toEqual(part); // the part really sits there
    const forged = license.bytes.slice();
    forged[at]! ^= 1 << bit;
    const verdict = verifyNative(forged);
    expect(verdict.reasons).toEqual(['SIGNATURE_INVALID']);
    expect(verdict.license).toBeNull();
  });

  test.prop([fc.nat({ max: 10 * 365 * 86_400_000 })])('once expired, a native license stays expired for every later now', (later) => {
    const verified = verifyNative(license.bytes).license!;
    const e = verified.expiresAt()!.getTime();
    expect(verified.evaluate({ now: e - 1 }).reasons).toEqual([]);
    expect(verified.evaluate({ now: e + later }).reasons).toContain('EXPIRED');
    expect(verified.isExpired(e + later)).toBe(true);
  });

  test.prop([featureSet, featureNumber, fc.uniqueArray(fc.constantFrom('Pro', 'Cloud', 'Audio', 'Render'), { maxLength: 4 }), fc.constantFrom('Pro', 'Cloud', 'Audio', 'Render')], { numRuns: 40 })(
    'a required F-flag or entitlement is missing exactly when the license does not grant it',
    async (granted, required, entitlements, entitlement) => {
      const { bytes } = await issueNativeLicense({ ...CLAIMS, features: granted, entitlements }, { privateJwk: ED_PRIVATE, now: SIGNED_AT });
      const verdict = verifyLicenseSync(bytes, { key: edKey, now: NOW, requireFeatures: [required as 1, entitlement] });
      expect(verdict.license!.hasFeature(required)).toBe(granted.includes(required));
      expect(verdict.reasons.includes('FEATURE_MISSING')).toBe(!granted.includes(required) || !entitlements.includes(entitlement));
    },
  );

  test.prop([fc.uint8Array({ maxLength: 600 })], { numRuns: 300 })('arbitrary bytes in the armour only ever give typed errors', (bytes) => {
    expect(outcome(() => verifyNative(armor(bytes)))).toMatch(/^(ERR_[A-Z0-9_]+|NOT VALID .*)$/);
  });

  test.prop([fc.oneof(item, fc.uint8Array({ maxLength: 200 }).map((b) => ({ raw: b })))], { numRuns: 200 })('a validly signed message with an arbitrary payload only ever gives a verdict or a typed error', async (payload) => {
    const bytes = typeof payload === 'object' && payload !== null && 'raw' in payload ? (payload as { raw: Uint8Array }).raw : Uint8Array.from(encoder.encode(payload));
    const message = await signedMessage(bytes);
    const result = outcome(() => verifyNative(message));
    expect(result).toMatch(/^(ERR_[A-Z0-9_]+|VALID|NOT VALID .*)$/);
    // Whatever it is, its signature checked out: a refusal is about the payload, never SIGNATURE_INVALID.
    expect(result).not.toMatch(/SIGNATURE_INVALID/);
  });

  /** Whether a value has the claim's documented type (read.ts may still refuse it for a range, e.g. a feature mask above 255). */
  const conforms = (type: ClaimType, v: unknown): boolean =>
    ({
      text: typeof v === 'string',
      uint: typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
      date: typeof v === 'number' && Number.isFinite(v),
      bytes: v instanceof Uint8Array,
      'text[]': Array.isArray(v) && v.every((s) => typeof s === 'string'),
      map: v instanceof Map,
      bool: typeof v === 'boolean',
    })[type];

  test.prop([fc.constantFrom(...(Object.keys(NATIVE_CLAIMS) as ClaimName[])), item], { numRuns: 300 })(
    'a signed claim of the wrong type is refused (ERR_PAYLOAD_INVALID), never ignored; of the right type it gives a verdict or that error',
    async (name, value) => {
      const claims = buildNativeClaims(CLAIMS, SIGNED_AT);
      claims.set(NATIVE_CLAIMS[name].key, value);
      const message = await signedMessage(Uint8Array.from(encoder.encode(claims)));
      const result = outcome(() => verifyNative(message));
      if (!conforms(NATIVE_CLAIMS[name].type, value)) expect(result, `${name} = ${String(value)}`).toBe('ERR_PAYLOAD_INVALID');
      else expect(result).toMatch(/^(ERR_PAYLOAD_INVALID|VALID|NOT VALID .*)$/);
    },
  );
});
