/**
 * `--machine-code cryptolens-node[-short]` stands for the code the official
 * Cryptolens Node client gives this machine, exactly as
 * `machineCode({ compat })` computes it, through the real bin.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { machineCode } from '../../src/fingerprint/index.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('--machine-code cryptolens-node', () => {
  test.each(['cryptolens-node', 'cryptolens-node-short'] as const)('%s gives what machineCode({ compat }) gives, or the same typed refusal', async (compat) => {
    let expected: string | null = null;
    let refusal: string | null = null;
    try {
      expected = await machineCode({ compat });
    } catch (error) {
      if (!isLicenseKitError(error)) throw error;
      refusal = error.code;
    }
    const r = await run(['verify', join(FIXTURES_DIR, 'licenses', 'valid.skm'), '--key', join(FIXTURES_DIR, 'keys', 'vendor-rsa2048.public.xml'), '--now', '2026-06-01T00:00:00Z', '--machine-code', compat]);
    if (refusal !== null) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--machine-code ${compat}: [${refusal}]`);
    } else {
      expect(r.stderr).toContain(`note: --machine-code ${compat} is ${expected}, the official Cryptolens Node client's code`);
      expect(r.code).toBe(1); // the fixture is activated on MACHINE-A, not on this machine
      expect(r.stdout).toContain('MACHINE_MISMATCH');
    }
  });
});
