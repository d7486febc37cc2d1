/**
 * Customer bundles: sealed by the vendor under the customer's secret, opened
 * by the program. Round trip; the secret never written; any changed byte never
 * opens; a wrong secret is CUSTOMER_SECRET_MISMATCH and another vendor's key
 * SIGNATURE_INVALID; scrypt parameters out of bounds in a re-signed header are
 * refused at once; arbitrary input gives only typed errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { createVerifyApi } from '../../src/verify.ts';
import { decodeCbor, type CborMap } from '../../src/formats/native/cbor.ts';
import { parseCoseSign1 } from '../../src/formats/native/cose.ts';
import { deterministic, signClaimsSet, signNativeLicense } from '../../src/formats/native/issue.ts';
import { BUNDLE_ARMOR_BEGIN } from '../../src/customers/bundle-format.ts';
import { openCustomerBundle, type OpenedCustomerBundle } from '../../src/customers/open.ts';
import { sealCustomerBundle, type SealedCustomerBundle } from '../../src/customers/seal.ts';
import { generateCustomerSecret } from '../../src/customers/secret.ts';
import { encodeUtf8, fromHex } from '../../src/lib/bytes.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';

const key = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const VENDOR_PRIVATE = JSON.parse(key('vendor-ed25519.private.jwk.json')) as Record<string, string>;
const VENDOR_PUBLIC = key('vendor-ed25519.public.pem');
const OTHER_PRIVATE = JSON.parse(key('other-ed25519.private.jwk.json')) as Record<string, string>;
const RSA_PRIVATE = JSON.parse(key('vendor-rsa2048.private.jwk.json')) as Record<string, string>;
const RSA_PUBLIC = key('vendor-rsa2048.public.pem');
const NOW = new Date('2026-06-01T00:00:00Z');
const { verifyLicense } = createVerifyApi([nodeBackend]);

const license = (product: string | number, licenseKey: string, privateJwk = VENDOR_PRIVATE) =>
  signNativeLicense({ product, key: licenseKey, expires: new Date('2027-06-01T00:00:00Z') }, { privateJwk, backend: nodeBackend, now: NOW });

const seal = (secret: string, licenses: (string | Uint8Array)[], signingKey = VENDOR_PRIVATE) =>
  sealCustomerBundle({ customer: { id: 'cust-1', name: 'Acme Ltd', secret }, licenses, signingKey, backend: nodeBackend, now: NOW });

async function outcome(run: () => Promise<OpenedCustomerBundle>): Promise<OpenedCustomerBundle | string> {
  try {
    return await run();
  } catch (error) {
    if (isLicenseKitError(error)) return error.code;
    throw error;
  }
}

let secret: string;
let bundle: SealedCustomerBundle;
let lic1001: Uint8Array;
let licCad: string;

beforeAll(async () => {
  secret = generateCustomerSecret('guid');
  lic1001 = (await license(1001, 'AAAAA-BBBBB-CCCCC-DDDDD')).bytes;
  licCad = (await license('acme-cad', 'EEEEE-FFFFF-GGGGG-HHHHH')).text;
  bundle = await seal(secret, [lic1001, licCad]);
});

describe('openCustomerBundle', () => {
  test('opens with the secret (either case, with white space), from the bytes or the armoured text, and picks the product', async () => {
    expect(bundle.text.startsWith(BUNDLE_ARMOR_BEGIN + '\n')).toBe(true);
    expect(bundle.licenses).toBe(2);
    const opened = await openCustomerBundle(bundle.text, { secret: ` ${secret.toUpperCase()}\n`, key: VENDOR_PUBLIC, productId: 1001, now: NOW });
    expect(opened).toMatchObject({ valid: true, reasons: [], opened: true, customer: { id: 'cust-1', name: 'Acme Ltd' }, sealedAt: NOW, now: NOW });
    expect(opened.licenses.map((l) => [l.productId, l.licenseKey])).toEqual([['1001', 'AAAAA-BBBBB-CCCCC-DDDDD'], ['acme-cad', 'EEEEE-FFFFF-GGGGG-HHHHH']]);
    expect(opened.license?.bytes).toEqual(lic1001);
    // The licenses come out exactly as the vendor signed them, and verify as usual.
    const verdict = await verifyLicense(opened.license!.text, { key: VENDOR_PUBLIC, productId: 1001, now: NOW });
    expect(verdict.valid).toBe(true);
    const fromBytes = await openCustomerBundle(bundle.bytes, { secret, key: VENDOR_PUBLIC, productId: 'acme-cad', backend: nodeBackend });
    expect(fromBytes.license?.licenseKey).toBe('EEEEE-FFFFF-GGGGG-HHHHH');
    // The armoured text as bytes (a file read without a text decoder) opens too.
    expect((await openCustomerBundle(encodeUtf8(bundle.text), { secret, key: VENDOR_PUBLIC })).opened).toBe(true);
  });

  test('the answer is plain data: a structured clone equals it', async () => {
    const opened = await openCustomerBundle(bundle.bytes, { secret, key: VENDOR_PUBLIC, now: NOW });
    expect(structuredClone(opened)).toEqual(opened);
    expect(opened.license).toBeNull();
  });

  test('a product the bundle does not hold: opened, but not valid, PRODUCT_MISMATCH', async () => {
    const opened = await openCustomerBundle(bundle.bytes, { secret, key: VENDOR_PUBLIC, productId: 7 });
    expect(opened).toMatchObject({ valid: false, opened: true, reasons: ['PRODUCT_MISMATCH'], license: null });
    expect(opened.licenses).toHaveLength(2);
  });

  test('a wrong secret (either form) is CUSTOMER_SECRET_MISMATCH, and nothing else is told', async () => {
    for (const wrong of [generateCustomerSecret('guid'), generateCustomerSecret('key')]) {
      const opened = await openCustomerBundle(bundle.bytes, { secret: wrong, key: VENDOR_PUBLIC, now: NOW });
      expect(opened).toEqual({ valid: false, reasons: ['CUSTOMER_SECRET_MISMATCH'], opened: false, customer: null, licenses: [], license: null, keyId: expect.any(String), sealedAt: NOW, now: NOW });
    }
  });

  test('a bundle signed by another key (its kid unknown, or an RSA ring) is SIGNATURE_INVALID, before any key is derived', async () => {
    const forged = await seal(secret, [(await license(1001, 'AAAAA-BBBBB-CCCCC-DDDDD', OTHER_PRIVATE)).bytes], OTHER_PRIVATE);
    const started = performance.now();
    const opened = await openCustomerBundle(forged.bytes, { secret, key: VENDOR_PUBLIC, now: NOW });
    expect(opened).toEqual({ valid: false, reasons: ['SIGNATURE_INVALID'], opened: false, customer: null, licenses: [], license: null, keyId: null, sealedAt: null, now: NOW });
    expect(performance.now() - started).toBeLessThan(100); // no scrypt ran
    expect((await openCustomerBundle(bundle.bytes, { secret, key: RSA_PUBLIC })).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  test('an RSA vendor key seals (PS256) and opens too', async () => {
    const rsa = await seal(secret, [(await license(1001, 'AAAAA-BBBBB-CCCCC-DDDDD', RSA_PRIVATE)).bytes], RSA_PRIVATE);
    expect((await openCustomerBundle(rsa.text, { secret, key: RSA_PUBLIC, productId: 1001 })).valid).toBe(true);
  });

  test('the secret never appears in the bundle, in any encoding', async () => {
    for (const format of ['guid', 'key'] as const) {
      const s = generateCustomerSecret(format);
      const sealed = await seal(s, [lic1001]);
      const forms = [s, s.toUpperCase(), s.toLowerCase(), s.replace(/-/g, ''), s.replace(/-/g, '').toUpperCase()];
      const needles: Uint8Array[] = [];
      for (const f of forms) {
        needles.push(encodeUtf8(f));
        needles.push(Uint8Array.from([...f].flatMap((c) => [c.charCodeAt(0), 0]))); // UTF-16LE
        needles.push(Uint8Array.from([...f].flatMap((c) => [0, c.charCodeAt(0)]))); // UTF-16BE
      }
      if (format === 'guid') needles.push(fromHex(s.replace(/-/g, ''))!); // the GUID's 16 raw bytes
      const hay = Buffer.from(sealed.bytes);
      for (const needle of needles) expect(hay.includes(Buffer.from(needle))).toBe(false);
      for (const f of forms) {
        expect(sealed.text.includes(f)).toBe(false);
        expect(sealed.text.includes(Buffer.from(f).toString('base64').slice(0, 20))).toBe(false);
      }
    }
  });

  test('every changed byte (each position, one bit) never opens: SIGNATURE_INVALID or a typed input error', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < bundle.bytes.length; i++) {
      const bad = bundle.bytes.slice();
      bad[i]! ^= 0x01;
      const r = await outcome(() => openCustomerBundle(bad, { secret, key: VENDOR_PUBLIC }));
      if (typeof r === 'string') seen.add(r);
      else {
        expect(r.opened, `byte ${i}`).toBe(false);
        expect(r.reasons, `byte ${i}`).toEqual(['SIGNATURE_INVALID']);
        expect(r.licenses).toEqual([]);
        seen.add('SIGNATURE_INVALID');
      }
    }
    expect(seen.has('SIGNATURE_INVALID')).toBe(true);
    for (const code of seen) expect(['SIGNATURE_INVALID', 'ERR_CBOR_INVALID', 'ERR_ENVELOPE_INVALID', 'ERR_FORMAT_UNSUPPORTED', 'ERR_KEY_UNKNOWN_KID']).toContain(code);
  });

  prop.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 200 })('tampering any byte with any value never opens', async (at, xor) => {
    const bad = bundle.bytes.slice();
    bad[at % bad.length]! ^= xor;
    const r = await outcome(() => openCustomerBundle(bad, { secret, key: VENDOR_PUBLIC }));
    if (typeof r !== 'string') {
      expect(r.opened).toBe(false);
      expect(r.reasons).toEqual(['SIGNATURE_INVALID']);
    }
  });

  prop.prop([fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 600 }).map((s) => `${BUNDLE_ARMOR_BEGIN}\n${s}`))], { numRuns: 200 })('arbitrary input gives only typed errors (or SIGNATURE_INVALID)', async (input) => {
    const r = await outcome(() => openCustomerBundle(input, { secret, key: VENDOR_PUBLIC }));
    if (typeof r !== 'string') expect(r.opened).toBe(false);
  });

  /** Re-signs the bundle's payload with the vendor key after `edit` changed it. */
  async function resigned(edit: (map: Map<number | string, unknown>) => void): Promise<Uint8Array> {
    const payload = decodeCbor(parseCoseSign1(bundle.bytes.slice()).payload).value as CborMap;
    const map = new Map<number | string, unknown>(payload);
    edit(map);
    return (await signClaimsSet(() => deterministic([...map]), { privateJwk: VENDOR_PRIVATE, backend: nodeBackend, now: NOW })).bytes;
  }

  test('scrypt parameters out of bounds in a header the vendor key signed are refused at once (ERR_PAYLOAD_INVALID), never derived', async () => {
    for (const kdf of [['scrypt', 40, 8, 1], ['scrypt', 30, 8, 1], ['scrypt', 18, 8, 1], ['scrypt', 14, 8, 1], ['scrypt', 15, 1 << 20, 1], ['scrypt', 15, 8, 1000], ['scrypt', 15.5, 8, 1], ['argon2id', 15, 8, 1], ['scrypt', 15, 8]]) {
      const bad = await resigned((m) => m.set('kdf', kdf));
      const started = performance.now();
      expect(await outcome(() => openCustomerBundle(bad, { secret, key: VENDOR_PUBLIC })), JSON.stringify(kdf)).toBe('ERR_PAYLOAD_INVALID');
      expect(performance.now() - started).toBeLessThan(200);
    }
    // Unchanged but re-signed, the same header opens: the refusal above is the bound, not the signature.
    expect((await openCustomerBundle(await resigned(() => {}), { secret, key: VENDOR_PUBLIC })).opened).toBe(true);
  });

  test('a header with the wrong salt or nonce size, another cipher or layout is a typed error', async () => {
    expect(await outcome(async () => openCustomerBundle(await resigned((m) => m.set('salt', new Uint8Array(8))), { secret, key: VENDOR_PUBLIC }))).toBe('ERR_PAYLOAD_INVALID');
    expect(await outcome(async () => openCustomerBundle(await resigned((m) => m.set('nonce', new Uint8Array(12))), { secret, key: VENDOR_PUBLIC }))).toBe('ERR_PAYLOAD_INVALID');
    expect(await outcome(async () => openCustomerBundle(await resigned((m) => m.set('aead', 'AES-128-GCM')), { secret, key: VENDOR_PUBLIC }))).toBe('ERR_FORMAT_UNSUPPORTED');
    expect(await outcome(async () => openCustomerBundle(await resigned((m) => m.set('v', 2)), { secret, key: VENDOR_PUBLIC }))).toBe('ERR_FORMAT_UNSUPPORTED');
  });

  test('a license is not a bundle, nor a bundle a license', async () => {
    expect(await outcome(() => openCustomerBundle(lic1001, { secret, key: VENDOR_PUBLIC }))).toBe('ERR_PAYLOAD_INVALID');
    await expect(verifyLicense(bundle.bytes, { key: VENDOR_PUBLIC, now: NOW })).rejects.toMatchObject({ code: 'ERR_PAYLOAD_INVALID' });
    // Its armour is no license's: a typed error, whichever format's reader last tried it.
    await expect(verifyLicense(bundle.text, { key: VENDOR_PUBLIC, now: NOW })).rejects.toSatisfy(isLicenseKitError);
  });

  test('options are checked before the bundle is read', async () => {
    for (const options of [{ secret: 'not a secret', key: VENDOR_PUBLIC }, { secret, key: VENDOR_PUBLIC, productId: -1 }, { secret, key: VENDOR_PUBLIC, productid: 1 }, { secret, key: VENDOR_PUBLIC, now: new Date(Number.NaN) }, { secret, key: null }]) {
      expect(await outcome(() => openCustomerBundle(new Uint8Array([1, 2, 3]), options as never))).toBe('ERR_OPTION_INVALID');
    }
    expect(await outcome(() => openCustomerBundle(bundle.bytes, { secret, key: VENDOR_PUBLIC, maxInputBytes: 100 }))).toBe('ERR_INPUT_TOO_LARGE');
  });
});

describe('sealCustomerBundle', () => {
  prop.prop(
    [
      fc.record({ id: fc.string({ minLength: 1, maxLength: 30 }), name: fc.option(fc.string({ maxLength: 30 }), { nil: null }) }),
      fc.uniqueArray(fc.oneof(fc.nat({ max: 99_999 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)), { minLength: 1, maxLength: 4, selector: (p) => String(p) }),
      fc.constantFrom('guid' as const, 'key' as const),
    ],
    { numRuns: 5 },
  )('round trip: every license comes back, byte for byte, under its product', async (customer, products, format) => {
    const s = generateCustomerSecret(format);
    const issued = await Promise.all(products.map((p, i) => license(p, `KEY-${i}`)));
    const sealed = await sealCustomerBundle({ customer: { ...customer, secret: s }, licenses: issued.map((l, i) => (i % 2 ? l.text : l.bytes)), signingKey: VENDOR_PRIVATE, backend: nodeBackend, now: NOW });
    const opened = await openCustomerBundle(sealed.text, { secret: s, key: VENDOR_PUBLIC, productId: products[products.length - 1]! });
    expect(opened.valid).toBe(true);
    expect(opened.customer).toEqual(customer);
    expect(opened.licenses.map((l) => l.productId)).toEqual(products.map(String));
    opened.licenses.forEach((l, i) => expect(l.bytes).toEqual(issued[i]!.bytes));
    expect(opened.license?.licenseKey).toBe(`KEY-${products.length - 1}`);
  }, 120_000);

  test('a fixed random source and time give the same bytes (Ed25519 signs deterministically)', async () => {
    const random = (b: Uint8Array) => b.fill(7);
    const once = () => sealCustomerBundle({ customer: { id: 'c', secret }, licenses: [lic1001], signingKey: VENDOR_PRIVATE, backend: nodeBackend, now: NOW, random });
    expect((await once()).bytes).toEqual((await once()).bytes);
  });

  test('refuses a license signed by another key, a vendor message, a bad secret, no licenses, and scrypt cost out of range', async () => {
    const base = { customer: { id: 'c', secret }, licenses: [lic1001], signingKey: VENDOR_PRIVATE, backend: nodeBackend, now: NOW };
    const code = (o: object) => sealCustomerBundle({ ...base, ...o } as never).then(() => 'sealed', (e: { code?: string }) => e.code);
    expect(await code({ licenses: [(await license(1, 'K', OTHER_PRIVATE)).bytes] })).toBe('ERR_OPTION_INVALID');
    expect(await code({ licenses: [] })).toBe('ERR_OPTION_INVALID');
    expect(await code({ licenses: ['not a license'] })).toBe('ERR_ENVELOPE_INVALID');
    expect(await code({ customer: { id: 'c', secret: 'hunter2' } })).toBe('ERR_OPTION_INVALID');
    expect(await code({ scryptLogN: 14 })).toBe('ERR_OPTION_INVALID');
    expect(await code({ scryptLogN: 18 })).toBe('ERR_OPTION_INVALID');
    expect(await code({ signingKey: JSON.parse(key('vendor-ed25519.public.jwk.json')) })).toBe('ERR_OPTION_INVALID'); // no "d"
  });
});
