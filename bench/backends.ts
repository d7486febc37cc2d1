/**
 * Signature backend benchmarks: raw verification of one RS256 (2048-bit), one
 * PS256 (2048-bit, 32-byte salt) and one Ed25519 signature by each backend,
 * node-forge first as the baseline.
 * Keys, messages and signatures are built before any timing starts.
 */
import { forgeBackend } from '../src/backends/forge.ts';
import { nodeBackend } from '../src/backends/node.ts';
import { purejsBackend } from '../src/backends/purejs/index.ts';
import type { SignatureBackend } from '../src/backends/backend.ts';
import { webcryptoBackend } from '../src/backends/webcrypto.ts';
import { createEd25519PublicKey, createRsaPublicKey, type PublicKey } from '../src/keys/public-key.ts';
import type { SignatureAlgorithm } from '../src/lib/algorithms.ts';
import { decodeBase64Url } from '../src/lib/bytes.ts';
import { measureAsync, measureSync, type BenchRow } from './harness.ts';

function b64u(text: string | undefined): Uint8Array {
  const bytes = decodeBase64Url(text ?? '');
  if (typeof bytes === 'string') throw new Error('bad JWK');
  return bytes;
}

interface Fixture {
  readonly algorithm: SignatureAlgorithm;
  readonly key: PublicKey;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

async function fixture(algorithm: SignatureAlgorithm): Promise<Fixture> {
  const pair = await nodeBackend.generateKeyPair!(algorithm, { modulusLength: 2048 });
  const key =
    pair.publicJwk.kty === 'RSA' ? createRsaPublicKey(b64u(pair.publicJwk.n), b64u(pair.publicJwk.e)) : createEd25519PublicKey(b64u(pair.publicJwk.x));
  // A license-sized payload (about 600 bytes).
  const data = Uint8Array.from({ length: 600 }, (_, i) => (i * 31 + 7) & 0xff);
  const signature = await nodeBackend.sign!(algorithm, pair.privateJwk, data);
  return { algorithm, key, data, signature };
}

async function row(group: string, name: string, backend: SignatureBackend, f: Fixture, note?: string): Promise<BenchRow> {
  // Every row first proves it verifies, so a broken backend cannot look fast.
  if (!(await backend.verify(f.algorithm, f.key, f.data, f.signature))) throw new Error(`${name} did not verify its fixture`);
  const sync = backend.verifySync;
  const opsPerSec = sync
    ? measureSync(() => sync(f.algorithm, f.key, f.data, f.signature))
    : await measureAsync(() => backend.verify(f.algorithm, f.key, f.data, f.signature));
  return note === undefined ? { group, name, opsPerSec } : { group, name, opsPerSec, note };
}

/** purejs verifying with a key it has never seen (no per-key cache or table): a one-shot license check. */
function coldRow(group: string, f: Fixture): BenchRow {
  const verify = purejsBackend.verifySync!;
  const fresh = (): PublicKey => (f.key.rsa ? createRsaPublicKey(f.key.rsa.n, f.key.rsa.e) : createEd25519PublicKey(f.key.ed25519!));
  const opsPerSec = measureSync(() => verify(f.algorithm, fresh(), f.data, f.signature), 600, 8);
  return { group, name: 'licensekit purejs, first use of a key', opsPerSec, note: 'includes key import' };
}

/**
 * Measures raw verification per backend: groups "RSA-2048 verify" (RS256),
 * "PS256 verify" (RSA-2048) and "Ed25519 verify", node-forge first (the ratio baseline).
 *
 * @example
 * ```ts
 * console.log(formatTable(await backendRows()));
 * ```
 */
export async function backendRows(): Promise<BenchRow[]> {
  const rsa = await fixture('RS256');
  const pss = await fixture('PS256');
  const ed = await fixture('EdDSA');
  const rows: BenchRow[] = [];
  for (const [group, f, target] of [
    ['RSA-2048 verify', rsa, 'purejs >= 5x forge'],
    ['PS256 verify', pss, undefined],
    ['Ed25519 verify', ed, 'purejs >= 7x forge'],
  ] as const) {
    rows.push(await row(group, 'node-forge (baseline)', forgeBackend, f));
    rows.push(await row(group, 'licensekit purejs', purejsBackend, f, target));
    rows.push(coldRow(group, f));
    rows.push(await row(group, 'node:crypto', nodeBackend, f));
    if (webcryptoBackend.supports(f.algorithm)) rows.push(await row(group, 'webcrypto (async)', webcryptoBackend, f));
  }
  return rows;
}
