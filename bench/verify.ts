/**
 * Issue 2's figures, measured side by side on the same license bytes:
 * licensekit's full verify + evaluate against a raw `crypto.verify` of the
 * already-decoded bytes, against a naive hand-written verifier (issue 8 §5:
 * target 0.9x of it), and against the `cryptolens` npm client's
 * `Helpers.LoadFromString`; and the cached path (questions asked of an
 * already-verified license).
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { FORMAT_ADAPTERS_WITH_KEYGEN, netlicensingFormat, verifyLicense, verifyLicenseSync } from '../src/index.node.ts';
import { createVerifyApi } from '../src/verify.ts';
import type { SignatureBackend } from '../src/backends/backend.ts';
import { importPublicKey } from '../src/keys/import.ts';
import { parseLicense } from '../src/formats/index.ts';
import { nodeBackend } from '../src/backends/node.ts';
import { FIXTURES_DIR } from '../scripts/make-fixtures.ts';
import { measureAsync, measureSync, sink, type BenchRow } from './harness.ts';

interface CryptolensClient {
  Helpers: { LoadFromString(key: string, text: string, signatureExpirationInterval?: number): unknown };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Node's verification API over a stub backend whose every signature check passes at once, with the formats Node's
 * entry reads: what licensekit's own JavaScript costs per license, with no signature check before it. Only for the
 * rows that say so ("on its own"); the options memo applies as in Node's entry.
 */
const stubBackend: SignatureBackend = { name: 'node', supports: nodeBackend.supports, verify: async () => true, verifySync: () => true };
const jsAlone = createVerifyApi([stubBackend], Object.freeze([netlicensingFormat, ...FORMAT_ADAPTERS_WITH_KEYGEN]));

/** Microseconds per call of a rate. */
const usOf = (ops: number): number => 1e6 / ops;

/**
 * A row's JavaScript on its own (`alone`) against what it costs right after a real check: the row's time (`ops`)
 * less the raw check's (`raw`), and the ratio of the two.
 */
function aloneAndAfter(alone: number, ops: number, raw: number): string {
  const after = usOf(ops) - usOf(raw);
  return `${usOf(alone).toFixed(1)} µs; ${after.toFixed(1)} µs after a real check: ${(after / usOf(alone)).toFixed(2)}x`;
}

/**
 * Measures functions side by side in `rounds` short slices each, in rotating order: per function the
 * median of its slices' ops/s, and `ratio(a, b)`, the median over rounds of a's ops/s over b's.
 */
function interleaved<K extends string>(fns: Record<K, () => unknown>, rounds = 21, sliceMs = 80): { ops: Record<K, number>; ratio(a: K, b: K): number } {
  const names = Object.keys(fns) as K[];
  const slices = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(r + j) % names.length]!;
      slices[name].push(measureSync(fns[name], sliceMs));
    }
  }
  return {
    ops: Object.fromEntries(names.map((n) => [n, median(slices[n])])) as Record<K, number>,
    ratio: (a, b) => median(slices[a].map((v, i) => v / slices[b][i]!)),
  };
}

/**
 * Issue 8 §5 "Hot path, native": the golden native license (Ed25519, COSE_Sign1 over a CWT) verified and evaluated,
 * armoured and binary, against a raw `crypto.verify` of its Sig_structure with a pre-built KeyObject, interleaved.
 */
function nativeRows(): BenchRow[] {
  const dir = join(FIXTURES_DIR, 'licenses', 'native');
  const text = readFileSync(join(dir, 'valid.lic'), 'utf8');
  const binary = new Uint8Array(readFileSync(join(dir, 'valid-binary.lic')));
  const pem = readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-ed25519.public.pem'), 'utf8');
  const keyObject = createPublicKey(pem);
  const { envelope } = parseLicense(text);
  const toBeSigned = Buffer.from(envelope.signedBytes);
  const signature = Buffer.from(envelope.signature);
  const options = { key: pem, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1 as const, 'Pro'] };
  if (!cryptoVerify(null, toBeSigned, keyObject, signature)) throw new Error('raw Ed25519 verify failed');
  if (!verifyLicenseSync(text, options).valid || !verifyLicenseSync(binary, options).valid) throw new Error('licensekit verdict on the native license not valid');
  if (!jsAlone.verifyLicenseSync(text, options).valid) throw new Error('licensekit verdict on the native license not valid with the stub backend');
  const sync = interleaved({
    raw: () => cryptoVerify(null, toBeSigned, keyObject, signature),
    armored: () => verifyLicenseSync(text, options).valid,
    binary: () => verifyLicenseSync(binary, options).valid,
    armoredAlone: () => jsAlone.verifyLicenseSync(text, options).valid,
    binaryAlone: () => jsAlone.verifyLicenseSync(binary, options).valid,
  });
  const group = 'verify a native Ed25519 license (COSE_Sign1)';
  const us = (ops: number): string => `${(usOf(ops) - usOf(sync.ops.raw)).toFixed(1)} µs of JavaScript`;
  return [
    { group, name: 'raw crypto.verify Ed25519 on the Sig_structure, pre-built KeyObject (reference)', opsPerSec: sync.ops.raw },
    { group, name: 'licensekit verifyLicenseSync, armoured text: parse + verify + evaluate', opsPerSec: sync.ops.armored, note: `target >= 0.9x raw: ${sync.ratio('armored', 'raw').toFixed(2)}x (${us(sync.ops.armored)})` },
    { group, name: 'licensekit verifyLicenseSync, binary .lic bytes', opsPerSec: sync.ops.binary, note: `target >= 0.9x raw: ${sync.ratio('binary', 'raw').toFixed(2)}x (${us(sync.ops.binary)})` },
    { group, name: 'licensekit, armoured, its JavaScript on its own (stub backend, no signature check; reference)', opsPerSec: sync.ops.armoredAlone, note: aloneAndAfter(sync.ops.armoredAlone, sync.ops.armored, sync.ops.raw) },
    { group, name: 'licensekit, binary, its JavaScript on its own (stub backend, no signature check; reference)', opsPerSec: sync.ops.binaryAlone, note: aloneAndAfter(sync.ops.binaryAlone, sync.ops.binary, sync.ops.raw) },
  ];
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

  // The yardstick of issue 8 §5: what a careful integrator writes by hand in about ten lines. Envelope JSON.parse,
  // two base64 decodes, crypto.verify, payload JSON.parse, then expiry, feature, product and machine checks, plainly.
  const nowMs = now.getTime();
  // `naiveWith(check)` is those lines with `check` as the signature check: crypto.verify for the yardstick, and a check
  // that passes at once for the naive verifier's JavaScript (and JSON.parse) on its own.
  const naiveWith =
    (check: (payload: Buffer, signature: Buffer) => boolean) =>
    (): boolean => {
      const envelope = JSON.parse(text) as { licenseKey: string; signature: string };
      const payload = Buffer.from(envelope.licenseKey, 'base64');
      if (!check(payload, Buffer.from(envelope.signature, 'base64'))) return false;
      const claims = JSON.parse(payload.toString('utf8')) as { Expires: number; F1: boolean; ProductId: number; ActivatedMachines: { Mid: string }[] };
      if (claims.Expires * 1000 <= nowMs) return false;
      if (claims.F1 !== true || claims.ProductId !== 1001) return false;
      return claims.ActivatedMachines.some((m) => m.Mid === 'MACHINE-A');
    };
  const naive = naiveWith((payload, signed) => cryptoVerify('sha256', payload, keyObject, signed));
  const naiveAlone = naiveWith(() => true);
  if (!naive()) throw new Error('naive reference refused the license');
  if (!naiveAlone() || !jsAlone.verifyLicenseSync(text, options).valid) throw new Error('a reference on its own refused the license');

  const group = 'verify a Cryptolens RSA-2048 license';
  const key = importPublicKey(xml);
  // Interleaved: on a shared machine the load moves within seconds, so rows measured one after the other
  // (1.5 s each) compared different machines. Each row gets 21 short slices, taken in rotating order; a row's
  // figure is its median, and the ratios below are medians of the per-slice ratios.
  const sync = interleaved({
    raw: () => cryptoVerify('sha256', data, keyObject, signature),
    naive,
    floor: () => {
      const { envelope } = parseLicense(text);
      return nodeBackend.verifySync!('RS256', key, envelope.signedBytes, envelope.signature);
    },
    full: () => verifyLicenseSync(text, options).valid,
    naiveAlone,
    fullAlone: () => jsAlone.verifyLicenseSync(text, options).valid,
  });
  const { raw, naive: naiveOps, floor, full, naiveAlone: naiveAloneOps, fullAlone } = sync.ops;
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
    { group, name: 'naive: ten lines of JSON.parse, Buffer base64, crypto.verify, plain expiry/feature/product/machine checks (reference)', opsPerSec: naiveOps, note: `${sync.ratio('naive', 'raw').toFixed(2)}x raw` },
    { group, name: 'floor: envelope parse + verify of the decoded bytes, no claim read (reference)', opsPerSec: floor, note: `${sync.ratio('floor', 'raw').toFixed(2)}x raw: what reading the file at all costs` },
    { group, name: 'licensekit verifyLicenseSync: parse + verify + evaluate (node)', opsPerSec: full, note: `target >= 0.9x naive: ${sync.ratio('full', 'naive').toFixed(2)}x (${sync.ratio('full', 'raw').toFixed(2)}x raw, ${sync.ratio('full', 'floor').toFixed(2)}x the floor)` },
    { group, name: 'naive, its JavaScript on its own (no signature check; reference)', opsPerSec: naiveAloneOps, note: aloneAndAfter(naiveAloneOps, naiveOps, raw) },
    { group, name: 'licensekit verifyLicenseSync, its JavaScript on its own (stub backend, no signature check; reference)', opsPerSec: fullAlone, note: aloneAndAfter(fullAlone, full, raw) },
    { group, name: 'licensekit verifyLicense (async, node)', opsPerSec: fullAsync, note: `${(fullAsync / raw).toFixed(2)}x raw` },
    { group, name: 'cryptolens npm client Helpers.LoadFromString (no rules)', opsPerSec: client, note: `licensekit is ${(full / client).toFixed(1)}x this (target >= 6x)` },
    ...nativeRows(),
    { group: cached, name: 'license.hasFeature(1)', opsPerSec: hasFeature, note: 'target >= 10M/s' },
    { group: cached, name: "license.isOnMachine('MACHINE-A')", opsPerSec: onMachine, note: 'target >= 10M/s' },
    { group: cached, name: 'license.isExpired(now)', opsPerSec: expired, note: 'target >= 10M/s' },
  ];
}
