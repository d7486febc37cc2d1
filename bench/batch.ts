/**
 * Batch benchmark: a plugin host checking 256 licenses (RSA-2048, 256
 * distinct license keys, one vendor key) at start-up. The baseline verifies
 * them one after another with `verifyLicenseSync` (node:crypto on the main
 * thread); `verifyLicenses` runs the signature checks in worker threads while
 * the main thread parses the next license (see src/backends/node-parallel.ts).
 * Licenses are issued before any timing starts; rows are licenses per second,
 * over whole batches (a batch's time includes its slowest license).
 */
import { generateKeyPairSync } from 'node:crypto';
import { nodeBackend } from '../src/backends/node.ts';
import { verifyLicenseSync, verifyLicenses, type VerifyOptions } from '../src/index.node.ts';
import { buildCryptolensPayload, signCryptolensPayload, type LicenseClaims } from '../src/issuer/cryptolens.ts';
import type { PrivateJwk } from '../src/backends/backend.ts';
import { encodeUtf8 } from '../src/lib/bytes.ts';
import { signNativeLicense } from '../src/formats/native/issue.ts';
import { measureAsync, measureSync, type BenchRow } from './harness.ts';

const BATCH = 256;
const GROUP = `batch of ${BATCH} RSA-2048 licenses`;

function claims(i: number): LicenseClaims {
  return {
    productId: 1001,
    id: i,
    key: `BENCH-${String(i).padStart(5, '0')}-ABCDE-FGHIJ`,
    created: new Date('2026-01-01T00:00:00Z'),
    expires: new Date('2027-01-01T00:00:00Z'),
    period: 365,
    features: [1, 3],
    notes: `plugin ${i}`,
    activatedMachines: [{ mid: 'MACHINE-A', ip: '192.0.2.10', time: new Date('2026-01-02T00:00:00Z') }],
    maxNoOfMachines: 1,
  };
}

/** Issues `BATCH` licenses under one fresh vendor key; returns them with the verify options. */
async function fixture(): Promise<{ texts: string[]; options: VerifyOptions }> {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const privateJwk = pair.privateKey.export({ format: 'jwk' }) as PrivateJwk;
  const signDate = new Date('2026-01-15T10:00:00Z');
  const texts = await Promise.all(
    Array.from({ length: BATCH }, (_, i) =>
      signCryptolensPayload(encodeUtf8(JSON.stringify(buildCryptolensPayload(claims(i), signDate))), { privateJwk, backend: nodeBackend }),
    ),
  );
  const options: VerifyOptions = {
    key: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    now: new Date('2026-06-01T00:00:00Z'),
    machineCode: 'MACHINE-A',
    productId: 1001,
    requireFeatures: [1],
  };
  return { texts, options };
}

/**
 * Rows for `GROUP`: sequential `verifyLicenseSync` (baseline) and
 * `verifyLicenses`, in licenses per second. Each row first proves every
 * license verifies, so a broken path cannot look fast.
 *
 * @example
 * ```ts
 * console.log(formatTable(await batchRows()));
 * ```
 */
export async function batchRows(): Promise<BenchRow[]> {
  return [...(await sideBySide(GROUP, await fixture())), ...(await sideBySide(`batch of ${BATCH} native Ed25519 licenses`, await nativeFixture()))];
}

/**
 * One by one against `verifyLicenses`, side by side: 15 rounds of a 150 ms slice each, the order alternating
 * from round to round (the machine's speed drifts, and one slice measured after the other compares two machines).
 * The rows give each the median of its slices; the ratio is the median of the per-round ratios.
 */
async function sideBySide(group: string, { texts, options }: { texts: string[]; options: VerifyOptions }): Promise<BenchRow[]> {
  const sequential = (): number => {
    let valid = 0;
    for (const text of texts) if (verifyLicenseSync(text, options).valid) valid++;
    return valid;
  };
  const batch = async (): Promise<number> => (await verifyLicenses(texts, options)).filter((r) => r.ok && r.verdict.valid).length;
  if (sequential() !== BATCH) throw new Error(`${group}: one by one did not accept every bench license`);
  if ((await batch()) !== BATCH) throw new Error(`${group}: verifyLicenses did not accept every bench license`);
  const seq: number[] = [];
  const par: number[] = [];
  const rounds = 15;
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) seq.push(measureSync(sequential, 150, 1) * BATCH);
    par.push((await measureAsync(batch, 150)) * BATCH);
    if (round % 2 === 1) seq.push(measureSync(sequential, 150, 1) * BATCH);
  }
  const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const ratio = median(par.map((p, i) => p / seq[i]!));
  return [
    { group, name: 'verifyLicenseSync one by one, main thread (baseline)', opsPerSec: median(seq), note: 'licenses/s' },
    {
      group,
      name: 'verifyLicenses (node:crypto in a worker thread, main thread helping)',
      opsPerSec: median(par),
      note: `target >= 1.6x: ${ratio.toFixed(2)}x (median of ${rounds} interleaved per-round ratios): ${ratio >= 1.6 ? 'met' : 'NOT met'}`,
    },
  ];
}

async function nativeFixture(): Promise<{ texts: string[]; options: VerifyOptions }> {
  const pair = generateKeyPairSync('ed25519');
  const privateJwk = pair.privateKey.export({ format: 'jwk' }) as PrivateJwk;
  const now = new Date('2026-01-15T10:00:00Z');
  const texts = await Promise.all(
    Array.from({ length: BATCH }, async (_, i) => {
      const key = `BENCH-${String(i).padStart(5, '0')}-ABCDE-FGHIJ`;
      const issued = await signNativeLicense(
        { product: 1001, key, issuer: 'Bench Vendor', expires: new Date('2027-01-01T00:00:00Z'), features: [1, 3], entitlements: ['Pro'], machines: ['MACHINE-A'], notes: `plugin ${i}` },
        { privateJwk, now, backend: nodeBackend },
      );
      return issued.text;
    }),
  );
  const options: VerifyOptions = {
    key: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    now: new Date('2026-06-01T00:00:00Z'),
    machineCode: 'MACHINE-A',
    productId: 1001,
    requireFeatures: [1, 'Pro'],
  };
  return { texts, options };
}

/**
 * Issue 8 §5 "Batch, both formats": the same comparison for `BATCH` native Ed25519 licenses. Ed25519 is several
 * times cheaper than RSA-2048, so what a worker costs per license (a message each way, copies) weighs more.
 * The two rows alternate in short slices (medians, and the median of per-slice ratios): the load on a shared
 * machine moves within seconds.
 */
