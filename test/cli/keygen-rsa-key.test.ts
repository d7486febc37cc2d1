/**
 * `licensekit verify KEYFILE --key PEM --algorithm RS256|PS256-MAX` through the
 * real bin: a Keygen RSA signed key (RSA_2048_PKCS1_SIGN_V2 / _PSS_SIGN_V2)
 * verifies when --algorithm names its padding (exit 0), is exit 2
 * ERR_FORMAT_UNSUPPORTED without it, SIGNATURE_INVALID (exit 1) under the other
 * padding; an unknown --algorithm is a usage error (exit 2).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { makeRsaSignedKey, testKeys } from '../formats/keygen/make.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-keygen-rsa-key-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

test('a Keygen RSA PSS signed key through the real bin, with and without --algorithm', async () => {
  const keyFile = join(tmp, 'license_key.txt');
  const pem = join(tmp, 'public.pem');
  writeFileSync(keyFile, makeRsaSignedKey(JSON.stringify({ license: { id: 'L-CLI' } }), 'pss'));
  writeFileSync(pem, testKeys().rsa.publicPem);
  const ok = await run('verify', keyFile, '--key', pem, '--algorithm', 'PS256-MAX', '--now', '2024-07-01T00:00:00Z', '--json');
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.out)).toMatchObject({ valid: true, format: 'keygen', algorithm: 'PS256-MAX' });
  const missing = await run('verify', keyFile, '--key', pem, '--now', '2024-07-01T00:00:00Z');
  expect([missing.code, missing.out + missing.err]).toEqual([2, expect.stringContaining('ERR_FORMAT_UNSUPPORTED')]);
  const other = await run('verify', keyFile, '--key', pem, '--algorithm', 'RS256', '--now', '2024-07-01T00:00:00Z', '--json');
  expect([other.code, JSON.parse(other.out).reasons]).toEqual([1, ['SIGNATURE_INVALID']]);
  const bogus = await run('verify', keyFile, '--key', pem, '--algorithm', 'PS512');
  expect([bogus.code, bogus.err]).toEqual([2, expect.stringContaining('--algorithm must be one of')]);
}, 60_000);
