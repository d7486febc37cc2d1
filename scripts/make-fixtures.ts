/**
 * Generates the golden license fixtures in fixtures/licenses/ from the
 * committed test keys in fixtures/keys/ (`npm run fixtures`). RSASSA-PKCS1-v1_5
 * signatures are deterministic, so the output is byte-for-byte reproducible;
 * test/fixtures.test.ts checks that the committed files match.
 *
 * The expected verdicts in manifest.json are written here by hand, from the
 * claims below, not computed by the verifier.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBackend } from '../src/backends/node.ts';
import { buildCryptolensPayload, signCryptolensPayload, type LicenseClaims } from '../src/issuer/cryptolens.ts';
import { encodeUtf8, decodeBase64 } from '../src/lib/bytes.ts';
import type { PrivateJwk } from '../src/backends/backend.ts';

/** One fixture's expectation, as recorded in manifest.json. */
export interface FixtureExpectation {
  readonly file: string;
  readonly key: string;
  readonly now: string;
  readonly options: Record<string, unknown>;
  readonly valid: boolean;
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
  readonly description: string;
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

/** Builds every fixture: file name → content, plus the manifest. */
export async function buildFixtures(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
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
  add('floating-overdraft-refused.skm', files.get('licenses/floating.skm')!, { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-O' }, valid: false, reasons: ['MACHINE_MISMATCH'], warnings: [], description: 'an overdraft activation without allowOverdraft' });
  add('floating-overdraft-allowed.skm', files.get('licenses/floating.skm')!, { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-O', allowOverdraft: true }, valid: true, reasons: [], warnings: [], description: 'an overdraft activation with allowOverdraft' });
  add('floating-lapsed.skm', files.get('licenses/floating.skm')!, { key, now: '2026-06-01T00:10:00Z', options: { ...onA, machineCode: 'MACHINE-F' }, valid: false, reasons: ['MACHINE_MISMATCH'], warnings: [], description: 'the floating lease ended at 00:05' });
  add('not-node-locked.skm', await sign({ ...BASE, maxNoOfMachines: 0, activatedMachines: [] }), { key, now: NOW, options: { ...onA, machineCode: 'ANY-MACHINE' }, valid: true, reasons: [], warnings: [], description: 'MaxNoOfMachines 0: any machine' });
  add('allowed-machines.skm', await sign({ ...BASE, allowedMachines: ['MACHINE-X', 'MACHINE-Y'] }), { key, now: NOW, options: { ...onA, machineCode: 'MACHINE-Y' }, valid: true, reasons: [], warnings: [], description: 'MACHINE-Y is in AllowedMachines' });
  add('template-features.skm', valid, { key, now: NOW, options: { requireFeatures: ['Modules.Render.Audio.Mixer', 'Cloud', 'F3'] }, valid: true, reasons: [], warnings: [], description: 'dotted cryptolens_features paths that descend' });
  add('template-leaf-does-not-descend.skm', valid, { key, now: NOW, options: { requireFeatures: ['Export.Anything'] }, valid: false, reasons: ['FEATURE_MISSING'], warnings: [], description: 'Export is a leaf, so Export.Anything is not granted' });
  add('weak-1024.skm', await sign(BASE, 'weak-rsa1024'), { key: 'weak-rsa1024.public.xml', now: NOW, options: onA, valid: true, reasons: [], warnings: ['WEAK_KEY'], description: 'a 1024-bit key verifies but is flagged' });

  files.set('licenses/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return files;
}

if (/make-fixtures\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const files = await buildFixtures();
  for (const [name, content] of files) {
    const path = join(FIXTURES_DIR, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  console.log(`wrote ${files.size} fixture files to ${FIXTURES_DIR}/licenses`);
}
