/**
 * The native format end to end: issued by licensekit/issuer, verified from the
 * armoured text, the raw bytes and the armoured bytes with one verdict; every
 * claim round-trips; any changed byte is never valid; arbitrary input only
 * ever gives typed errors; the unprotected header is never trusted; a kid
 * picks its key of a ring.
 */
import { fc, test } from '@fast-check/vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { FIXTURES_DIR } from '../../../scripts/make-fixtures.ts';
import { issueNativeLicense, keyId, type NativeLicenseClaims } from '../../../src/issuer/index.ts';
import { importPublicKey, isLicenseKitError, verifyLicense, verifyLicenseSync, verifyLicenses, type Verdict } from '../../../src/index.node.ts';
import { dearmor } from '../../../src/formats/native/armor.ts';
import { purejsBackend } from '../../../src/backends/purejs/index.ts';

const key = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const ED = { privateJwk: JSON.parse(key('vendor-ed25519.private.jwk.json')), publicPem: key('vendor-ed25519.public.pem') };
const OTHER_ED = { privateJwk: JSON.parse(key('other-ed25519.private.jwk.json')), publicPem: key('other-ed25519.public.pem') };
const RSA = { privateJwk: JSON.parse(key('vendor-rsa2048.private.jwk.json')), publicXml: key('vendor-rsa2048.public.xml') };
const NOW = new Date('2026-06-01T00:00:00Z');
const BASE: NativeLicenseClaims = { product: 1001, key: 'ABCDE-FGHIJ-KLMNO-PQRST', id: Uint8Array.of(1, 2, 3, 4), expires: new Date('2027-01-01T00:00:00Z'), features: [1, 3], entitlements: ['Pro'], machines: ['MACHINE-A'] };

const issue = (claims: Partial<NativeLicenseClaims> = {}, options: Partial<Parameters<typeof issueNativeLicense>[1]> = {}) =>
  issueNativeLicense({ ...BASE, ...claims } as NativeLicenseClaims, { privateJwk: ED.privateJwk, now: NOW, ...options });

function errorCode(run: () => unknown): string {
  try {
    const v = run() as Verdict;
    return v.valid ? 'VALID' : `NOT VALID ${v.reasons.join(',')}`;
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}

describe('native licenses', () => {
  test('armoured text, raw bytes and armoured bytes give one verdict', async () => {
    const { text, bytes, kid } = await issue();
    expect(kid).toBe(keyId(importPublicKey(ED.publicPem)));
    const verdicts = [text, bytes, new TextEncoder().encode(text)].map((input) => verifyLicenseSync(input, { key: ED.publicPem, now: NOW, machineCode: 'MACHINE-A', requireFeatures: [1, 'Pro'], productId: 1001 }));
    for (const v of verdicts) {
      expect(v).toMatchObject({ valid: true, format: 'native', algorithm: 'EdDSA', keyId: kid, licenseKeyId: kid, status: null });
      expect(v.license!.key).toBe('ABCDE-FGHIJ-KLMNO-PQRST');
    }
    expect(verdicts[0]!.checks).toEqual(verdicts[1]!.checks);
    expect(dearmor(text)).toEqual(bytes);
  });

  test('every failing rule is reported', async () => {
    const { text } = await issue({ expires: new Date('2026-05-01T00:00:00Z'), notBefore: new Date('2026-07-01T00:00:00Z'), blocked: true, maxOfflineAgeSeconds: 3600 }, { now: new Date('2026-05-31T00:00:00Z') });
    const v = verifyLicenseSync(text, { key: ED.publicPem, now: NOW, machineCode: 'MACHINE-B', requireFeatures: [2, 'Enterprise'], productId: 'other' });
    expect(v.reasons).toEqual(['NOT_YET_VALID', 'EXPIRED', 'BLOCKED', 'SIGNATURE_EXPIRED', 'MACHINE_MISMATCH', 'FEATURE_MISSING', 'PRODUCT_MISMATCH']);
  });

  test('RSA keys sign PS256 by default, or RS256; the same RSA key verifies both', async () => {
    for (const algorithm of [undefined, 'RS256', 'PS256'] as const) {
      const { text } = await issueNativeLicense(BASE, { privateJwk: RSA.privateJwk, now: NOW, ...(algorithm ? { algorithm } : {}) });
      const v = verifyLicenseSync(text, { key: RSA.publicXml, now: NOW, machineCode: 'MACHINE-A' });
      expect(v).toMatchObject({ valid: true, algorithm: algorithm ?? 'PS256' });
    }
  });

  test('every backend gives the same verdict (node:crypto, pure JS; the async and batch paths)', async () => {
    const { text } = await issue();
    const opts = { key: ED.publicPem, now: NOW, machineCode: 'MACHINE-A' };
    const node = verifyLicenseSync(text, opts);
    const pure = verifyLicenseSync(text, { ...opts, backend: purejsBackend });
    const asyncV = await verifyLicense(text, opts);
    const [batch] = await verifyLicenses([text], opts);
    for (const v of [pure, asyncV, batch!.ok ? batch!.verdict : null]) expect(v && { valid: v.valid, checks: v.checks, keyId: v.keyId }).toEqual({ valid: node.valid, checks: node.checks, keyId: node.keyId });
  });

  test('a kid picks its key from a ring; an unknown kid is ERR_KEY_UNKNOWN_KID', async () => {
    const { text } = await issue();
    expect(verifyLicenseSync(text, { key: [OTHER_ED.publicPem, ED.publicPem], now: NOW }).valid).toBe(true);
    expect(errorCode(() => verifyLicenseSync(text, { key: [OTHER_ED.publicPem], now: NOW }))).toBe('ERR_KEY_UNKNOWN_KID');
    // The kid is signed: a license naming the other key's id but signed by ours does not verify under it.
    const { text: named } = await issue({}, { kid: keyId(importPublicKey(OTHER_ED.publicPem)) });
    expect(verifyLicenseSync(named, { key: [OTHER_ED.publicPem, ED.publicPem], now: NOW }).reasons).toEqual(['SIGNATURE_INVALID']);
    // Without a kid, each key that fits is tried.
    const { text: anonymous } = await issue({}, { kid: null });
    expect(verifyLicenseSync(anonymous, { key: [OTHER_ED.publicPem, ED.publicPem], now: NOW })).toMatchObject({ valid: true, licenseKeyId: null });
  });

  test('a retired key: valid until its notAfter, KEY_RETIRED after', async () => {
    const { text } = await issue();
    const ring = [{ key: ED.publicPem, notAfter: new Date('2026-07-01T00:00:00Z') }];
    expect(verifyLicenseSync(text, { key: ring, now: NOW }).valid).toBe(true);
    expect(verifyLicenseSync(text, { key: ring, now: new Date('2026-07-02T00:00:00Z') }).reasons).toEqual(['KEY_RETIRED']);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 300 })('changing any byte of the binary license is never valid, and only ever a typed error or a verdict', async (at, delta) => {
    const { bytes } = await LICENSE;
    const copy = bytes.slice();
    copy[at % copy.length] = (copy[at % copy.length]! + delta) & 0xff;
    const outcome = errorCode(() => verifyLicenseSync(copy, { key: ED.publicPem, now: NOW }));
    expect(outcome).not.toBe('VALID');
    expect(outcome).not.toMatch(/^untyped/);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 127 })], { numRuns: 300 })('changing any character of the armoured license is never valid', async (at, delta) => {
    const { text } = await LICENSE;
    const i = at % text.length;
    const changed = text.slice(0, i) + String.fromCharCode(((text.charCodeAt(i) + delta) % 127) + 1) + text.slice(i + 1);
    fc.pre(changed !== text && changed.trim() !== text.trim());
    const outcome = errorCode(() => verifyLicenseSync(changed, { key: ED.publicPem, now: NOW }));
    expect(outcome).not.toMatch(/^VALID|^untyped/);
  });

  test.prop([fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.of(0xd2, ...b))], { numRuns: 500 })('arbitrary bytes after the COSE tag only ever give typed errors', (bytes) => {
    expect(errorCode(() => verifyLicenseSync(bytes, { key: ED.publicPem, now: NOW }))).toMatch(/^(ERR_[A-Z_]+|NOT VALID .*)$/);
  });
});

const LICENSE = issueNativeLicense(BASE, { privateJwk: ED.privateJwk, now: NOW });

describe('the armour', () => {
  test('tolerates CR LF, trailing blanks on a line, and white space around the block', async () => {
    const { text } = await LICENSE;
    for (const variant of [text.replace(/\n/g, '\r\n'), text.replace(/\n(?!-----END)/g, '  \t\n'), `\n\n  ${text}\n\n`, `\uFEFF${text}`, text.trimEnd()]) {
      expect(verifyLicenseSync(variant, { key: ED.publicPem, now: NOW }).valid).toBe(true);
    }
  });
  test.each([
    ['text before the block', (t: string) => `license: ${t}`, 'ERR_INPUT_NOT_JSON'],
    ['text after the block', (t: string) => `${t}thanks`, 'ERR_ENVELOPE_INVALID'],
    ['the BEGIN line joined to the base64', (t: string) => t.replace('-----\n', '----- '), 'ERR_ENVELOPE_INVALID'],
    ['a form feed for a line end', (t: string) => t.replace(/\n(?=[A-Za-z0-9])/, '\f'), 'ERR_ENVELOPE_INVALID'],
    ['a space inside a line', (t: string) => t.replace(/(\n[A-Za-z0-9+/]{10})/, '$1 '), 'ERR_BASE64_INVALID'],
    ['a second BEGIN line', (t: string) => t.replace(/\n(?=[A-Za-z0-9])/, '\n-----BEGIN LICENSEKIT LICENSE-----\n'), 'ERR_BASE64_INVALID'],
    ['base64url', (t: string) => t.replace(/\+/g, '-').replace(/\//g, '_'), 'ERR_BASE64_INVALID'],
  ])('refuses %s', async (_, edit, code) => {
    const { text } = await LICENSE;
    const changed = edit(text);
    fc.pre(changed !== text);
    expect(errorCode(() => verifyLicenseSync(changed, { key: ED.publicPem, now: NOW }))).toBe(code);
  });
});

describe('what is not signed is not trusted', () => {
  /** Re-assembles a COSE_Sign1 from parts (heads built by hand). */
  const bstr = (b: Uint8Array) => Uint8Array.of(...(b.length < 24 ? [0x40 | b.length] : b.length < 256 ? [0x58, b.length] : [0x59, b.length >> 8, b.length & 0xff]), ...b);

  test('an alg or kid in the unprotected header is ignored: the protected one decides', async () => {
    const { bytes } = await LICENSE;
    // d2 84 <protected bstr> a0 <payload> <sig>: put {1: -257, 4: h'00'} where the empty unprotected map is.
    const at = bytes.indexOf(0xa0, 3);
    const forged = Uint8Array.of(...bytes.subarray(0, at), 0xa2, 0x01, 0x39, 0x01, 0x00, 0x04, 0x41, 0x00, ...bytes.subarray(at + 1));
    const v = verifyLicenseSync(forged, { key: ED.publicPem, now: NOW });
    expect(v).toMatchObject({ valid: true, algorithm: 'EdDSA' });
  });

  test('a signed payload with a repeated claim key is refused after the signature checks (ERR_CBOR_INVALID), never read', async () => {
    const { signNativeLicense } = await import('../../../src/formats/native/issue.ts');
    const { nodeBackend } = await import('../../../src/backends/node.ts');
    const { sigStructure } = await import('../../../src/formats/native/cose.ts');
    const protectedBytes = Uint8Array.of(0xa1, 0x01, 0x27); // {1: -8}
    const payload = Uint8Array.of(0xa2, 0x02, 0x61, 0x41, 0x02, 0x61, 0x42); // {2: "A", 2: "B"}
    const signature = await nodeBackend.sign!('EdDSA', ED.privateJwk, sigStructure(protectedBytes, payload));
    const message = Uint8Array.of(0xd2, 0x84, ...bstr(protectedBytes), 0xa0, ...bstr(payload), ...bstr(signature));
    expect(errorCode(() => verifyLicenseSync(message, { key: ED.publicPem, now: NOW }))).toBe('ERR_CBOR_INVALID');
    expect(typeof signNativeLicense).toBe('function');
  });

  test('two claims whose keys read the same as text (100 and "100") are a typed error, not a TypeError', async () => {
    const { nodeBackend } = await import('../../../src/backends/node.ts');
    const { sigStructure } = await import('../../../src/formats/native/cose.ts');
    const { inspectLicense } = await import('../../../src/index.node.ts');
    const protectedBytes = Uint8Array.of(0xa1, 0x01, 0x27);
    // {3: "1", 6: 1780272000, 100: "x", "100": "y"}: two unknown claims whose keys read the same as text
    const payload = Uint8Array.of(0xa4, 0x03, 0x61, 0x31, 0x06, 0x1a, 0x6a, 0x1c, 0xcb, 0x80, 0x18, 0x64, 0x61, 0x78, 0x63, 0x31, 0x30, 0x30, 0x61, 0x79);
    const signature = await nodeBackend.sign!('EdDSA', ED.privateJwk, sigStructure(protectedBytes, payload));
    const message = Uint8Array.of(0xd2, 0x84, 0x43, ...protectedBytes, 0xa0, 0x40 | payload.length, ...payload, 0x58, 0x40, ...signature);
    expect(errorCode(() => verifyLicenseSync(message, { key: ED.publicPem, now: NOW }))).toBe('ERR_PAYLOAD_INVALID');
    expect(errorCode(() => inspectLicense(message))).toBe('ERR_PAYLOAD_INVALID');
  });
});

