/**
 * `licensekit keygen` prints the key id of the public key it wrote (its RFC
 * 7638 thumbprint) and writes it as "kid" into public.jwk.json; the written
 * files keep working as keys. Through the real `bin/licensekit.js` in a child
 * process.
 */
import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { importPublicKey } from '../../src/keys/import.ts';
import { keyId } from '../../src/keys/thumbprint.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-keygen-'));

function run(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The id keygen printed: the one `key id …` line. */
function printedId(out: string): string {
  const lines = out.split('\n').filter((l) => l.startsWith('key id '));
  expect(lines).toHaveLength(1);
  return lines[0]!.slice('key id '.length);
}

beforeAll(async () => {
  await run(['--version']); // builds dist/cli once if the sources are newer
}, 180_000);

describe('keygen prints the key id', () => {
  test('the printed id is the RFC 7638 thumbprint of the public key written, in every file, and the JWK carries it as kid', async () => {
    const dir = join(tmp, 'pair');
    const r = await run(['keygen', '--alg', 'rs256', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const id = printedId(r.out);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    const publicJwk = JSON.parse(read('public.jwk.json')) as Record<string, string>;
    expect(publicJwk.kid).toBe(id);
    expect(Object.keys(publicJwk).sort()).toEqual(['e', 'kid', 'kty', 'n']);
    // Independent of licensekit: OpenSSL reads the PEM, jose hashes it.
    const fromPem = createPublicKey(read('public.pem')).export({ format: 'jwk' });
    expect(await calculateJwkThumbprint(fromPem as never, 'sha256')).toBe(id);
    expect(await calculateJwkThumbprint(JSON.parse(read('private.jwk.json')) as never, 'sha256')).toBe(id);
    for (const name of ['public.xml', 'public.pem', 'public.jwk.json']) expect(keyId(importPublicKey(read(name))), name).toBe(id);
    expect(JSON.parse(read('private.jwk.json'))).not.toHaveProperty('kid'); // the private file is as before
  });

  test('a public.jwk.json with its kid still verifies what the private key issues (the kid is an alias of itself)', async () => {
    const dir = join(tmp, 'roundtrip');
    expect((await run(['keygen', '--alg', 'rs256', '--out', dir])).code).toBe(0);
    const out = join(tmp, 'roundtrip.skm');
    expect((await run(['issue', '--private-key', join(dir, 'private.jwk.json'), '--product-id', '5', '--days', '3', '--out', out])).code).toBe(0);
    const verified = await run(['verify', out, '--key', join(dir, 'public.jwk.json'), '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.out.trim().split('\n')[0]!)).toMatchObject({ valid: true });
  });

  test('--force prints the new key’s id; a refused overwrite prints none and keeps the files', async () => {
    const dir = join(tmp, 'rotate');
    const first = await run(['keygen', '--alg', 'rs256', '--out', dir]);
    const before = readFileSync(join(dir, 'public.jwk.json'), 'utf8');
    const refused = await run(['keygen', '--alg', 'rs256', '--out', dir]);
    expect(refused.code).toBe(2);
    expect(refused.out).not.toContain('key id');
    expect(readFileSync(join(dir, 'public.jwk.json'), 'utf8')).toBe(before);
    const forced = await run(['keygen', '--alg', 'rs256', '--out', dir, '--force', '--bits', '3072']);
    expect(forced.code).toBe(0);
    const id = printedId(forced.out);
    expect(id).not.toBe(printedId(first.out));
    expect(JSON.parse(readFileSync(join(dir, 'public.jwk.json'), 'utf8')).kid).toBe(id);
    expect(importPublicKey(readFileSync(join(dir, 'public.pem'), 'utf8')).bits).toBe(3072);
    expect(keyId(importPublicKey(readFileSync(join(dir, 'public.pem'), 'utf8')))).toBe(id);
  });

  test('--help says what the key id is', async () => {
    const r = await run(['keygen', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('RFC 7638');
    expect(r.out).toContain('"kid"');
  });
});
