/**
 * The CLI on a machine from which no machine code can be derived (the live
 * collector is replaced by the `container-cpu-only` snapshot): every command
 * that needs this machine's code stops with exit 2 and a one-line reason,
 * never a stack trace and never a code shared with other machines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { fingerprintCommand } from '../../src/cli/commands/fingerprint.ts';
import { CliExit } from '../../src/cli/io.ts';
import { clearFingerprintCache } from '../../src/fingerprint/index.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { loadSnapshot } from './fixtures.ts';

vi.mock('../../src/fingerprint/collect/current.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/fingerprint/collect/current.ts')>();
  const { loadSnapshot: load } = await import('./fixtures.ts');
  return { ...original, currentSnapshot: async () => load('container-cpu-only').snapshot };
});

afterEach(() => clearFingerprintCache());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t + '\n'), stderr: (t) => (err += t + '\n') });
  return { code, out, err };
}

const noTrace = (text: string) => expect(text).not.toMatch(/\n\s+at |internal error/);

describe('licensekit fingerprint with only the CPU readable', () => {
  test('prints the component table, says no machine code can be derived, and exits with 2', async () => {
    const r = await cli('fingerprint', '--product', 'acme-cad');
    expect(r.code).toBe(2);
    expect(r.out).toContain('machine code  none: no identifying component is readable');
    for (const [name, status] of Object.entries(loadSnapshot('container-cpu-only').expect.status)) expect(r.out).toMatch(new RegExp(`^${name} +\\w+ +\\d+ +${status}`, 'm'));
    expect(r.out).not.toMatch(/[0-9A-F]{64}/);
    expect(r.err.trim()).toMatch(/^licensekit fingerprint: \[ERR_FINGERPRINT_UNAVAILABLE\] no machine code can be derived on this linux machine: .*disk-serial \(absent: not found\).*cpu \(ok\)\.$/);
    noTrace(r.out + r.err);
  });

  test('--json prints machineCode null with the error, then exits with 2', async () => {
    const r = await cli('fingerprint', '--json', '--refresh');
    expect(r.code).toBe(2);
    const parsed = JSON.parse(r.out);
    expect(parsed.machineCode).toBeNull();
    expect(parsed.machineCodeBasis).toEqual([]);
    expect(parsed.error.code).toBe('ERR_FINGERPRINT_UNAVAILABLE');
    expect(parsed.components.map((c: { name: string; status: string }) => [c.name, c.status])).toContainEqual(['cpu', 'ok']);
    expect(parsed.environment.container).toBe(true);
    expect(r.err).toContain('[ERR_FINGERPRINT_UNAVAILABLE]');
  });

  test('the command itself throws a CliExit with exit code 2 (after printing)', async () => {
    let out = '';
    const error = await fingerprintCommand([], { stdout: (t) => (out += t), stderr: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliExit);
    expect((error as CliExit).exitCode).toBe(2);
    expect(out).toContain('cpu');
  });
});

describe('--machine-code auto and the demo with only the CPU readable', () => {
  const key = (name: string) => join(FIXTURES_DIR, 'keys', name);

  test('verify --machine-code auto exits with 2 before reading any license', async () => {
    const r = await cli('verify', join(FIXTURES_DIR, 'licenses', 'valid.skm'), '--key', key('vendor-rsa2048.public.xml'), '--machine-code', 'auto', '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^licensekit verify: --machine-code auto: \[ERR_FINGERPRINT_UNAVAILABLE\] no machine code can be derived/);
    noTrace(r.err);
  });

  test('issue --machine-code auto exits with 2 and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'licensekit-unavailable-')), 'issued.skm');
    const r = await cli('issue', '--private-key', key('vendor-rsa2048.private.jwk.json'), '--product-id', '77', '--machine-code', 'auto', '--out', out);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^licensekit issue: --machine-code auto: \[ERR_FINGERPRINT_UNAVAILABLE\]/);
    noTrace(r.err);
  });

  test('issue with an explicit machine code still works', async () => {
    const r = await cli('issue', '--private-key', key('vendor-rsa2048.private.jwk.json'), '--product-id', '77', '--machine-code', 'MACHINE-A');
    expect(r.code).toBe(0);
    expect(r.out).toContain('-----BEGIN LICENSEKIT LICENSE-----');
  });

  test('demo exits with 2 saying the license cannot be bound to this machine', async () => {
    const r = await cli('demo');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^licensekit demo: cannot bind a license to this machine: \[ERR_FINGERPRINT_UNAVAILABLE\]/);
    noTrace(r.err);
  });
});
