/**
 * Generates the golden license fixtures in fixtures/licenses/ from the
 * committed test keys in fixtures/keys/ (`npm run fixtures`). RSASSA-PKCS1-v1_5
 * and Ed25519 signatures are deterministic (PS256's are salted, so no golden
 * fixture uses PS256), so the output is byte-for-byte reproducible;
 * test/fixtures.test.ts checks that the committed files match.
 *
 * Two manifests: licenses/manifest.json (Cryptolens) and
 * licenses/native/manifest.json (native COSE/CWT licenses, in armoured text
 * and binary files). Each entry's `file` is relative to licenses/. The
 * expected verdicts are written here by hand, from the claims below, not
 * computed by the verifier.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBackend } from '../src/backends/node.ts';
import { buildCryptolensPayload, signCryptolensPayload, type LicenseClaims } from '../src/issuer/cryptolens.ts';
import { signNativeLicense, type NativeLicenseClaims } from '../src/formats/native/issue.ts';
import { armor } from '../src/formats/native/armor.ts';
import { importPublicKey } from '../src/keys/import.ts';
import { keyId } from '../src/keys/thumbprint.ts';
import { encodeUtf8, decodeBase64 } from '../src/lib/bytes.ts';
import type { PrivateJwk } from '../src/backends/backend.ts';

/** One fixture's expectation, as recorded in a manifest. */
export interface FixtureExpectation {
  /** The license file, relative to fixtures/licenses/. */
  readonly file: string;
  /** The key file, relative to fixtures/keys/ (a key, or a JWK Set for a key ring). */
  readonly key: string;
  readonly now: string;
  readonly options: Record<string, unknown>;
  readonly valid: boolean;
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
  readonly description: string;
  /** Present and true when the file holds raw bytes (a binary native license): read it as bytes, not text. */
  readonly binary?: true;
  /** Present when verification throws instead of giving a verdict: the typed error's code (then `valid` is false and `reasons` empty). */
  readonly error?: string;
}

/** The manifests, relative to fixtures/: Cryptolens licenses, then native ones. */
export const MANIFESTS = ['licenses/manifest.json', 'licenses/native/manifest.json'] as const;

/** Every golden fixture's expectation, from every manifest, in order. */
export function readManifests(): FixtureExpectation[] {
  return MANIFESTS.flatMap((m) => JSON.parse(readFileSync(join(FIXTURES_DIR, m), 'utf8')) as FixtureExpectation[]);
}

/** A fixture's license as verify takes it: bytes for a binary file, text otherwise. */
export function readFixtureLicense(m: FixtureExpectation): string | Uint8Array {
  const path = join(FIXTURES_DIR, 'licenses', m.file);
  return m.binary ? new Uint8Array(readFileSync(path)) : readFileSync(path, 'utf8');
}

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('package.json not found above ' + from);
  }
}
/** The fixtures folder (found from this file, built or not). */
export const FIXTURES_DIR = join(packageRoot(dirname(fileURLToPath(import.meta.url))), 'fixtures');

function privateKey(name: string): PrivateJwk {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'keys', `${name}.private.jwk.json`), 'utf8'));
}

const d = (iso: string): Date => new Date(iso);
const SIGNED = d('2026-01-15T10:00:00Z');
const NOW = '2026-06-01T00:00:00Z';
// Cryptolens' template grammar: a leaf is a string, a node is [name, [children…]].
const TEMPLATE = JSON.stringify(['Export', ['Modules', [['Render', [['Audio', ['Mixer']]]], 'Print']], 'Cloud']);

const BASE: LicenseClaims = {
  productId: 1001,
  id: 7,
  key: 'ABCDE-FGHIJ-KLMNO-PQRST',
  created: d('2026-01-01T00:00:00Z'),
  expires: d('2027-01-01T00:00:00Z'),
  period: 365,
  features: [1, 3],
  notes: 'golden fixture',
  globalId: 4242,
  customer: { id: 12, name: 'Ada Lovelace', email: 'ada@example.com', companyName: 'Analytical Engines', created: d('2025-12-01T00:00:00Z') },
  activatedMachines: [{ mid: 'MACHINE-A', ip: '192.0.2.10', time: d('2026-01-02T00:00:00Z'), friendlyName: 'workstation' }],
  maxNoOfMachines: 1,
  dataObjects: [{ id: 1, name: 'cryptolens_features', stringValue: TEMPLATE }],
};

async function sign(claims: LicenseClaims, keyName = 'vendor-rsa2048', signDate = SIGNED): Promise<string> {
  return signCryptolensPayload(encodeUtf8(JSON.stringify(buildCryptolensPayload(claims, signDate))), { privateJwk: privateKey(keyName), backend: nodeBackend });
}

/** Builds every fixture: file name (relative to fixtures/) → content, plus the manifests. */
export async function buildFixtures(): Promise<Map<string, string | Uint8Array>> {
  const files = new Map<string, string | Uint8Array>();
  const manifest: FixtureExpectation[] = [];
  const add = (file: string, content: string, e: Omit<FixtureExpectation, 'file'>): void => {
    files.set(`licenses/${file}`, content.endsWith('\n') ? content : content + '\n');
    manifest.push({ file, ...e });
  };
  const key = 'vendor-rsa2048.public.xml';
  const onA = { machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] };

  const valid = await sign(BASE);
  add('valid.skm', valid, { key, now: NOW, options: onA, valid: true, reasons: [], warnings: [], description: 'node-locked to MACHINE-A, F1+F3, expires 2027-01-01' });
  add('valid-other-machine.skm', valid, { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-B' }, valid: false, reasons: ['MACHINE_MISMATCH'], warnings: [], description: 'the same license checked on another machine' });
  add('valid-wrong-key.skm', valid, { key: 'other-rsa2048.public.xml', now: NOW, options: {}, valid: false, reasons: ['SIGNATURE_INVALID'], warnings: [], description: 'verified under another vendor key' });
  add('valid-at-expiry.skm', valid, { key, now: '2027-01-01T00:00:00Z', options: {}, valid: false, reasons: ['EXPIRED'], warnings: [], description: 'checked exactly at Expires: expired (Expires <= now)' });

  const response = JSON.parse(valid) as { licenseKey: string; signature: string };
  const compact = `v20180502-${response.licenseKey}-${response.signature}`;
  add('compact.txt', compact, { key, now: NOW, options: onA, valid: true, reasons: [], warnings: [], description: "the C++ client's compact form of valid.skm" });

  const camel = JSON.stringify({ LicenseKey: response.licenseKey, Signature: response.signature, Result: 0, Message: null, Metadata: null }, null, 2);
  add('pascalcase-pretty.skm', camel, { key: 'vendor-rsa2048.public.pem', now: NOW, options: onA, valid: true, reasons: [], warnings: [], description: 'PascalCase, pretty-printed envelope; PEM key' });

  const bytes = decodeBase64(response.licenseKey) as Uint8Array;
  const at = new TextDecoder().decode(bytes).indexOf('"Expires":') + '"Expires":'.length;
  bytes[at] = bytes[at]! + 1;
  add('tampered-expires.skm', JSON.stringify({ ...response, licenseKey: Buffer.from(bytes).toString('base64') }), { key, now: NOW, options: onA, valid: false, reasons: ['SIGNATURE_INVALID'], warnings: [], description: 'valid.skm with one digit of Expires raised' });

  add('expired.skm', await sign({ ...BASE, expires: d('2026-03-01T00:00:00Z') }), { key, now: NOW, options: onA, valid: false, reasons: ['EXPIRED'], warnings: [], description: 'expired 2026-03-01' });
  add('expired-not-time-limited.skm', await sign({ ...BASE, expires: d('2026-03-01T00:00:00Z'), features: [1] }), { key, now: NOW, options: { ...onA, product: { timeLimitedFeature: 2 } }, valid: true, reasons: [], warnings: [], description: 'expired date, but the product marks time-limited licenses with F2, which is not set' });
  add('blocked.skm', await sign({ ...BASE, block: true }), { key, now: NOW, options: onA, valid: false, reasons: ['BLOCKED'], warnings: [], description: 'Block = true' });
  add('everything-wrong.skm', await sign({ ...BASE, productId: 2002, block: true, expires: d('2026-02-01T00:00:00Z'), features: [] }, 'vendor-rsa2048', d('2026-01-15T10:00:00Z')), {
    key,
    now: NOW,
    options: { ...onA, machineCode: 'MACHINE-Z', maxSignatureAgeDays: 30, requireFeatures: [1, 'Modules.Render.Video'] },
    valid: false,
    reasons: ['EXPIRED', 'BLOCKED', 'SIGNATURE_EXPIRED', 'MACHINE_MISMATCH', 'FEATURE_MISSING', 'PRODUCT_MISMATCH'],
    warnings: [],
    description: 'every rule fails at once, and every reason is reported',
  });
  add('signed-in-future.skm', await sign(BASE, 'vendor-rsa2048', d('2026-09-01T00:00:00Z')), { key, now: NOW, options: onA, valid: false, reasons: ['SIGNED_IN_FUTURE'], warnings: [], description: 'SignDate after now: the clock was set back' });
  add('floating.skm', await sign({ ...BASE, activatedMachines: [{ mid: 'floating:MACHINE-F', time: d('2026-05-31T23:00:00Z'), floatingExpires: d('2026-06-01T00:05:00Z') }, { mid: 'floating:overdraft:MACHINE-O', time: d('2026-05-31T23:00:00Z'), floatingExpires: d('2026-06-01T00:05:00Z') }] }), {
    key,
    now: NOW,
    options: { ...onA, machineCode: 'MACHINE-F' },
    valid: true,
    reasons: [],
    warnings: [],
    description: 'floating activation whose lease runs until 00:05',
  });
  add('floating-overdraft-refused.skm', files.get('licenses/floating.skm') as string, { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-O' }, valid: false, reasons: ['MACHINE_MISMATCH'], warnings: [], description: 'an overdraft activation without allowOverdraft' });
  add('floating-overdraft-allowed.skm', files.get('licenses/floating.skm') as string, { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-O', allowOverdraft: true }, valid: true, reasons: [], warnings: [], description: 'an overdraft activation with allowOverdraft' });
  add('floating-lapsed.skm', files.get('licenses/floating.skm') as string, { key, now: '2026-06-01T00:10:00Z', options: { ...onA, machineCode: 'MACHINE-F' }, valid: false, reasons: ['MACHINE_MISMATCH'], warnings: [], description: 'the floating lease ended at 00:05' });
  add('not-node-locked.skm', await sign({ ...BASE, maxNoOfMachines: 0, activatedMachines: [] }), { key, now: NOW, options: { ...onA, machineCode: 'ANY-MACHINE' }, valid: true, reasons: [], warnings: [], description: 'MaxNoOfMachines 0: any machine' });
  add('allowed-machines.skm', await sign({ ...BASE, allowedMachines: ['MACHINE-X', 'MACHINE-Y'] }), { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-Y' }, valid: true, reasons: [], warnings: [], description: 'MACHINE-Y is in AllowedMachines' });
  add('template-features.skm', valid, { key, now: NOW, options: { requireFeatures: ['Modules.Render.Audio.Mixer', 'Cloud', 'F3'] }, valid: true, reasons: [], warnings: [], description: 'dotted cryptolens_features paths that descend' });
  add('template-leaf-does-not-descend.skm', valid, { key, now: NOW, options: { requireFeatures: ['Export.Anything'] }, valid: false, reasons: ['FEATURE_MISSING'], warnings: [], description: 'Export is a leaf, so Export.Anything is not granted' });
  add('weak-1024.skm', await sign(BASE, 'weak-rsa1024'), { key: 'weak-rsa1024.public.xml', now: NOW, options: onA, valid: true, reasons: [], warnings: ['WEAK_KEY'], description: 'a 1024-bit key verifies but is flagged' });

  files.set('licenses/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  await buildNativeFixtures(files);
  return files;
}

const NATIVE_BASE: NativeLicenseClaims = {
  product: 1001,
  key: 'ABCDE-FGHIJ-KLMNO-PQRST',
  id: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i),
  issuer: 'Example Vendor',
  expires: d('2027-01-01T00:00:00Z'),
  features: [1, 3],
  entitlements: ['Pro', 'Cloud'],
  machines: ['MACHINE-A'],
  customer: { id: '12', name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' },
  metadata: { seats: 1, tier: 'pro' },
  notes: 'golden fixture',
};

async function signNative(claims: Partial<NativeLicenseClaims>, options: { keyName?: string; algorithm?: 'EdDSA' | 'RS256'; kid?: string | null; signDate?: Date } = {}): Promise<Uint8Array> {
  const { bytes } = await signNativeLicense(
    { ...NATIVE_BASE, ...claims },
    {
      privateJwk: privateKey(options.keyName ?? 'vendor-ed25519'),
      ...(options.algorithm ? { algorithm: options.algorithm } : {}),
      ...(options.kid === undefined ? {} : { kid: options.kid }),
      now: options.signDate ?? SIGNED,
      backend: nodeBackend,
    },
  );
  return bytes;
}

/** The native fixtures (licenses/native/) and the key ring file they use (keys/). */
async function buildNativeFixtures(files: Map<string, string | Uint8Array>): Promise<void> {
  const manifest: FixtureExpectation[] = [];
  const text = (file: string, bytes: Uint8Array, e: Omit<FixtureExpectation, 'file'>): void => {
    files.set(`licenses/native/${file}`, armor(bytes));
    manifest.push({ file: `native/${file}`, ...e });
  };
  const binary = (file: string, bytes: Uint8Array, e: Omit<FixtureExpectation, 'file' | 'binary'>): void => {
    files.set(`licenses/native/${file}`, bytes);
    manifest.push({ file: `native/${file}`, binary: true, ...e });
  };
  const key = 'vendor-ed25519.public.pem';
  const other = 'other-ed25519.public.pem';
  const ring = 'ring-vendor-ed25519-retired.jwks.json';
  const onA = { machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1, 'Pro'] };
  const ok = { valid: true, reasons: [], warnings: [] } as const;
  const not = (...reasons: string[]) => ({ valid: false, reasons, warnings: [] });

  // A key ring (JWK Set): the other key, and the vendor key retired on 2026-05-01 (its JWK "exp").
  const publicJwk = (name: string): Record<string, string> => JSON.parse(readFileSync(join(FIXTURES_DIR, 'keys', `${name}.public.jwk.json`), 'utf8'));
  const retired = Math.floor(d('2026-05-01T00:00:00Z').getTime() / 1000);
  files.set(`keys/${ring}`, JSON.stringify({ keys: [publicJwk('other-ed25519'), { ...publicJwk('vendor-ed25519'), exp: retired }] }, null, 2) + '\n');

  const valid = await signNative({});
  text('valid.lic', valid, { key, now: NOW, options: onA, ...ok, description: 'armoured; Ed25519 (EdDSA) with the key id in the protected header; node-locked to MACHINE-A, F1+F3, entitlements Pro and Cloud, expires 2027-01-01' });
  binary('valid-binary.lic', valid, { key, now: NOW, options: onA, ...ok, description: 'valid.lic as the raw COSE_Sign1 bytes' });
  text('expired.lic', await signNative({ expires: d('2026-03-01T00:00:00Z') }), { key, now: NOW, options: onA, ...not('EXPIRED'), description: 'exp 2026-03-01' });
  text('not-yet-valid.lic', await signNative({ notBefore: d('2026-07-01T00:00:00Z') }), { key, now: NOW, options: onA, ...not('NOT_YET_VALID'), description: 'nbf 2026-07-01' });
  text('blocked.lic', await signNative({ blocked: true }), { key, now: NOW, options: onA, ...not('BLOCKED'), description: 'the blocked claim is true' });
  text('offline-age-exceeded.lic', await signNative({ maxOfflineAgeSeconds: 30 * 86_400 }), { key, now: NOW, options: onA, ...not('SIGNATURE_EXPIRED'), description: 'signed 2026-01-15, to be re-signed within 30 days' });
  text('other-machine.lic', valid, { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-B' }, ...not('MACHINE_MISMATCH'), description: 'valid.lic checked on another machine' });
  text('entitlement-missing.lic', valid, { key, now: NOW, options: { ...onA, requireFeatures: ['Pro', 'Enterprise'] }, ...not('FEATURE_MISSING'), description: 'valid.lic does not grant the Enterprise entitlement' });
  const textProduct = await signNative({ product: 'acme-cad' });
  text('product-text.lic', textProduct, { key, now: NOW, options: { ...onA, productId: 'acme-cad' }, ...ok, description: 'a text product (aud "acme-cad") checked against its own name' });
  text('product-mismatch.lic', textProduct, { key, now: NOW, options: { ...onA, productId: 'acme-paint' }, ...not('PRODUCT_MISMATCH'), description: 'the text product acme-cad checked as acme-paint' });

  // One byte of the payload changed: the license key's E becomes F (still well-formed CBOR).
  const tampered = valid.slice();
  const at = indexOf(tampered, encodeUtf8('ABCDE-FGHIJ')) + 4;
  tampered[at] = tampered[at]! + 1;
  text('tampered.lic', tampered, { key, now: NOW, options: onA, ...not('SIGNATURE_INVALID'), description: 'valid.lic with one byte of the payload changed (sub ABCDE- to ABCDF-)' });
  binary('tampered-binary.lic', tampered, { key, now: NOW, options: onA, ...not('SIGNATURE_INVALID'), description: 'tampered.lic as raw bytes' });

  const anonymous = await signNative({}, { kid: null });
  text('no-kid.lic', anonymous, { key, now: NOW, options: onA, ...ok, description: 'no kid in the protected header: the one key given is tried' });
  text('wrong-key.lic', anonymous, { key: other, now: NOW, options: onA, ...not('SIGNATURE_INVALID'), description: 'no-kid.lic verified under another vendor key' });
  const otherKid = keyId(importPublicKey(readFileSync(join(FIXTURES_DIR, 'keys', other), 'utf8')));
  text('kid-of-other-key.lic', await signNative({}, { kid: otherKid }), { key: other, now: NOW, options: onA, ...not('SIGNATURE_INVALID'), description: "signed by the vendor key but naming the other key's id: the kid picks the key, the signature still decides" });
  text('unknown-kid.lic', valid, { key: other, now: NOW, options: onA, valid: false, reasons: [], warnings: [], error: 'ERR_KEY_UNKNOWN_KID', description: "valid.lic names the vendor key's id, which the other key does not have: a key error, not a verdict" });
  text('ring-before-retirement.lic', valid, { key: ring, now: '2026-04-01T00:00:00Z', options: onA, ...ok, description: 'valid.lic under a JWK Set whose vendor key retires on 2026-05-01, checked before' });
  text('ring-retired.lic', valid, { key: ring, now: NOW, options: onA, ...not('KEY_RETIRED'), description: 'the same, checked after the vendor key retired' });
  text('rs256.lic', await signNative({}, { keyName: 'vendor-rsa2048', algorithm: 'RS256' }), { key: 'vendor-rsa2048.public.xml', now: NOW, options: onA, ...ok, description: 'an RSA vendor key, RS256 (deterministic; PS256 signatures are salted and cannot be golden)' });
  text('everything-wrong.lic', await signNative({ product: 2002, blocked: true, expires: d('2026-02-01T00:00:00Z'), notBefore: d('2026-07-01T00:00:00Z'), maxOfflineAgeSeconds: 3600, features: [], entitlements: [] }), {
    key: ring,
    now: NOW,
    options: { ...onA, machineCode: 'MACHINE-Z' },
    ...not('NOT_YET_VALID', 'EXPIRED', 'BLOCKED', 'SIGNATURE_EXPIRED', 'MACHINE_MISMATCH', 'FEATURE_MISSING', 'PRODUCT_MISMATCH', 'KEY_RETIRED'),
    description: 'every rule fails at once under a retired key, and every reason is reported',
  });

  files.set('licenses/native/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  throw new Error('needle not found');
}

if (/make-fixtures\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const files = await buildFixtures();
  for (const [name, content] of files) {
    const path = join(FIXTURES_DIR, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  console.log(`wrote ${files.size} fixture files under ${FIXTURES_DIR}`);
}
