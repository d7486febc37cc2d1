/**
 * Issue 2's figures, measured side by side on the same license bytes:
 * licensekit's full verify + evaluate against a raw `crypto.verify` of the
 * already-decoded bytes and against the `cryptolens` npm client's
 * `Helpers.LoadFromString`; and the cached path (questions asked of an
 * already-verified license).
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { verifyLicense, verifyLicenseSync } from '../src/index.node.ts';
import { importPublicKey } from '../src/keys/import.ts';
import { parseLicense } from '../src/formats/index.ts';
import { nodeBackend } from '../src/backends/node.ts';
import { FIXTURES_DIR } from '../scripts/make-fixtures.ts';
import { measureAsync, measureSync, sink, type BenchRow } from './harness.ts';

interface CryptolensClient {
  Helpers: { LoadFromString(key: string, text: string, signatureExpirationInterval?: number): unknown };
}

/** Rows for verify + evaluate and for cached checks. */
export async function verifyRows(): Promise<BenchRow[]> {
  const text = readFileSync(join(FIXTURES_DIR, 'licenses', 'valid.skm'), 'utf8').trim();
  const xml = readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-rsa2048.public.xml'), 'utf8').trim();
  const response = JSON.parse(text) as { licenseKey: string; signature: string };
  const data = Buffer.from(response.licenseKey, 'base64');
  const signature = Buffer.from(response.signature, 'base64');
  const keyObject = createPublicKey({ key: { ...importPublicKey(xml).jwk }, format: 'jwk' });
  const now = new Date('2026-06-01T00:00:00Z');
  const options = { key: xml, now, machineCode: 'MACHINE-A', requireFeatures: [1 as const], productId: 1001 };
  const cryptolens = createRequire(import.meta.url)('cryptolens') as CryptolensClient;

  // Sanity: every row does real, successful work on these bytes.
  if (!cryptoVerify('sha256', data, keyObject, signature)) throw new Error('raw verify failed');
  if (!verifyLicenseSync(text, options).valid) throw new Error('licensekit verdict not valid');
  if (cryptolens.Helpers.LoadFromString(xml, text) === null) throw new Error('cryptolens client refused the license');

  const group = 'verify a Cryptolens RSA-2048 license';
  const raw = measureSync(() => cryptoVerify('sha256', data, keyObject, signature), 1500);
  const key = importPublicKey(xml);
  const floor = measureSync(() => {
    const { envelope } = parseLicense(text);
    return nodeBackend.verifySync!('RS256', key, envelope.signedBytes, envelope.signature);
  }, 1500);
  const full = measureSync(() => verifyLicenseSync(text, options).valid, 1500);
  const fullAsync = await measureAsync(() => verifyLicense(text, options), 1500);
  const client = measureSync(() => cryptolens.Helpers.LoadFromString(xml, text), 1500);

  const license = verifyLicenseSync(text, options).license!;
  const cached = 'cached checks on a verified license';
  const N = 1000;
  const perCall = (fn: () => unknown): number => measureSync(() => {
    let x: unknown;
    for (let i = 0; i < N; i++) x = fn();
    return x;
  }, 600, 8) * N;
  const hasFeature = perCall(() => license.hasFeature(1));
  const onMachine = perCall(() => license.isOnMachine('MACHINE-A'));
  const expired = perCall(() => license.isExpired(1_780_000_000_000));
  sink.value = license;

  return [
    { group, name: 'raw crypto.verify on pre-decoded bytes (reference)', opsPerSec: raw },
    { group, name: 'floor: envelope parse + verify of the decoded bytes, no claim read (reference)', opsPerSec: floor, note: `${(floor / raw).toFixed(2)}x raw: what reading the file at all costs` },
    { group, name: 'licensekit verifyLicenseSync: parse + verify + evaluate (node)', opsPerSec: full, note: `target >= 0.8x raw: ${(full / raw).toFixed(2)}x (${(full / floor).toFixed(2)}x the floor)` },
    { group, name: 'licensekit verifyLicense (async, node)', opsPerSec: fullAsync, note: `${(fullAsync / raw).toFixed(2)}x raw` },
    { group, name: 'cryptolens npm client Helpers.LoadFromString (no rules)', opsPerSec: client, note: `licensekit is ${(full / client).toFixed(1)}x this (target >= 6x)` },
    { group: cached, name: 'license.hasFeature(1)', opsPerSec: hasFeature, note: 'target >= 10M/s' },
    { group: cached, name: "license.isOnMachine('MACHINE-A')", opsPerSec: onMachine, note: 'target >= 10M/s' },
    { group: cached, name: 'license.isExpired(now)', opsPerSec: expired, note: 'target >= 10M/s' },
  ];
}
