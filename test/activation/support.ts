/** Shared set-up of the activation tests: a vendor key, machines from the fingerprint fixtures, states and a ledger. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { fingerprintFromSnapshot, recordFingerprint, serializeFingerprint } from '../../src/fingerprint/index.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import { MemoryStore, openState } from '../../src/state/index.node.ts';

const keyFile = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
export const VENDOR = { privateJwk: JSON.parse(keyFile('vendor-ed25519.private.jwk.json')) as Record<string, string>, publicPem: keyFile('vendor-ed25519.public.pem') };
export const PROGRAM = 'acme-cad';
export const DAY = 86_400_000;
export const T0 = new Date('2026-06-01T00:00:00Z');
export const at = (days: number) => new Date(T0.getTime() + days * DAY);

/** A machine from a fingerprint fixture: its code and recorded fingerprint under the program's salt. */
export function machine(fixture: string): { machineCode: string; fingerprint: string } {
  const { snapshot } = JSON.parse(readFileSync(join(FIXTURES_DIR, 'fingerprints', `${fixture}.json`), 'utf8'));
  const fp = fingerprintFromSnapshot(snapshot, PROGRAM);
  return { machineCode: fp.machineCode, fingerprint: serializeFingerprint(recordFingerprint(fp)) };
}

/** A fresh state on that machine (in memory). */
export function stateOn(m: { machineCode: string }) {
  return openState({ program: PROGRAM, key: VENDOR.publicPem, store: new MemoryStore(), machineCode: m.machineCode, clockEvidence: false });
}

/** The code of the error `p` rejects with, or "ok". */
export async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}
