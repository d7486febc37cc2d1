/**
 * The vendor CLI for native licenses, through the real bin: keygen (Ed25519 by
 * default), issue (native by default, armoured or --binary), verify (one key,
 * several keys, a JWK Set; an unknown kid is exit 3), inspect (COSE headers,
 * the kid and every claim by name).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-native-cli-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const NOW = ['--now', '2026-06-01T00:00:00Z'];
const vendor = join(tmp, 'vendor');
const rotated = join(tmp, 'rotated');
let kid = '';

beforeAll(async () => {
  const r = await run('keygen', '--out', vendor);
  expect(r.code).toBe(0);
  kid = /^key id (\S+)$/m.exec(r.out)![1]!;
  expect((await run('keygen', '--out', rotated)).code).toBe(0);
});

describe('native licenses from the CLI', () => {
  test('keygen makes an Ed25519 pair by default: no Cryptolens XML, a kid in the JWK', () => {
    expect(existsSync(join(vendor, 'public.xml'))).toBe(false);
    expect(JSON.parse(readFileSync(join(vendor, 'public.jwk.json'), 'utf8'))).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid });
  });

  test('issue writes an armoured native license by default; verify --json reports format, key ids and every check', async () => {
    const out = join(tmp, 'a.lic');
    const issued = await run('issue', '--private-key', join(vendor, 'private.jwk.json'), '--product-id', '42', '--feature', '1', '--entitlement', 'Pro', '--entitlement', 'Export', '--machine-code', 'M1', '--not-before', '2026-05-01T00:00:00Z', ...NOW, '--out', out);
    expect(issued.code).toBe(0);
    expect(issued.err).toContain(`key id ${kid}`);
    expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN LICENSEKIT LICENSE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END LICENSEKIT LICENSE-----\n$/);
    const ok = await run('verify', out, '--key', join(vendor, 'public.pem'), ...NOW, '--machine-code', 'M1', '--require-feature', 'Pro', '--require-feature', '1', '--product-id', '42', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, format: 'native', algorithm: 'EdDSA', keyId: kid, licenseKeyId: kid, status: null });
    const bad = await run('verify', out, '--key', join(vendor, 'public.jwk.json'), '--now', '2026-04-01T00:00:00Z', '--machine-code', 'M2', '--require-feature', 'Enterprise', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).reasons).toEqual(['NOT_YET_VALID', 'SIGNED_IN_FUTURE', 'MACHINE_MISMATCH', 'FEATURE_MISSING']);
  });

  test('--binary writes the raw COSE bytes, which verify reads as well', async () => {
    const out = join(tmp, 'b.lic');
    expect((await run('issue', '--private-key', join(vendor, 'private.jwk.json'), '--product-id', '42', '--binary', ...NOW, '--out', out)).code).toBe(0);
    expect(readFileSync(out)[0]).toBe(0xd2);
    expect((await run('verify', out, '--key', join(vendor, 'public.pem'), ...NOW)).code).toBe(0);
    expect((await run('issue', '--private-key', join(vendor, 'private.jwk.json'), '--product-id', '42', '--binary')).code).toBe(2);
  });

  test('key rings: several --key, or a JWK Set; a kid no key has is exit 3', async () => {
    const out = join(tmp, 'c.lic');
    await run('issue', '--private-key', join(vendor, 'private.jwk.json'), '--product-id', '42', '--days', '365', ...NOW, '--out', out);
    const ring = await run('verify', out, '--key', join(rotated, 'public.pem'), '--key', join(vendor, 'public.pem'), ...NOW, '--json');
    expect(JSON.parse(ring.out)).toMatchObject({ valid: true, keyId: kid });
    const set = join(tmp, 'keys.json');
    writeFileSync(set, JSON.stringify({ keys: [JSON.parse(readFileSync(join(rotated, 'public.jwk.json'), 'utf8')), { ...JSON.parse(readFileSync(join(vendor, 'public.jwk.json'), 'utf8')), exp: Date.parse('2026-07-01T00:00:00Z') / 1000 }] }));
    expect(JSON.parse((await run('verify', out, '--key', set, ...NOW, '--json')).out)).toMatchObject({ valid: true, keyId: kid });
    const retired = await run('verify', out, '--key', set, '--now', '2026-07-02T00:00:00Z', '--json');
    expect(JSON.parse(retired.out).reasons).toEqual(['KEY_RETIRED']);
    const unknown = await run('verify', out, '--key', join(rotated, 'public.pem'), ...NOW);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toContain('[ERR_KEY_UNKNOWN_KID]');
    expect(unknown.err).toContain(kid);
  });

  test('inspect shows the COSE headers, the kid and every claim by name', async () => {
    const out = join(tmp, 'd.lic');
    await run('issue', '--private-key', join(vendor, 'private.jwk.json'), '--product-id', '42', '--entitlement', 'Pro', '--license-key', 'AAAAA-BBBBB-CCCCC-DDDDD', ...NOW, '--out', out);
    const text = await run('inspect', out);
    expect(text.out).toContain('native (armored), EdDSA');
    expect(text.out).toContain(`key id ${kid}`);
    expect(text.out).toContain(`COSE protected header: {"alg":-8,"kid":"${kid}"}`);
    expect(text.out).toMatch(/^claims: \{"sub":"AAAAA-BBBBB-CCCCC-DDDDD","aud":"42","exp":\d+,"iat":\d+,"cti":"h'[0-9a-f]{32}'","entitlements":\["Pro"\],"issued":\d+\}$/m);
    const json = JSON.parse((await run('inspect', out, '--json')).out);
    expect(json).toMatchObject({ format: 'native', form: 'armored', keyId: kid, verified: false, envelope: { protectedHeader: { alg: -8, kid } } });
  });

  test('--format cryptolens keeps the Cryptolens path; native-only flags are refused there', async () => {
    const rsa = join(tmp, 'rsa');
    expect((await run('keygen', '--alg', 'rs256', '--out', rsa)).code).toBe(0);
    const out = join(tmp, 'e.skm');
    expect((await run('issue', '--format', 'cryptolens', '--private-key', join(rsa, 'private.jwk.json'), '--product-id', '42', ...NOW, '--out', out)).code).toBe(0);
    expect(JSON.parse((await run('verify', out, '--key', join(rsa, 'public.xml'), ...NOW, '--json')).out)).toMatchObject({ valid: true, format: 'cryptolens' });
    const refused = await run('issue', '--format', 'cryptolens', '--private-key', join(rsa, 'private.jwk.json'), '--product-id', '42', '--entitlement', 'Pro');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--entitlement is for native licenses');
    // An RSA key issues native licenses too: PS256 by default, RS256 on request.
    const ps = join(tmp, 'f.lic');
    expect((await run('issue', '--private-key', join(rsa, 'private.jwk.json'), '--product-id', '42', '--alg', 'rs256', ...NOW, '--out', ps)).code).toBe(0);
    expect(JSON.parse((await run('verify', ps, '--key', join(rsa, 'public.xml'), ...NOW, '--json')).out)).toMatchObject({ valid: true, algorithm: 'RS256' });
  });

  test('keygen --alg: unknown algorithms and --bits on Ed25519 are usage errors; a stale RSA public.xml is refused, then removed with --force', async () => {
    expect((await run('keygen', '--alg', 'p256', '--out', join(tmp, 'x'))).code).toBe(2);
    expect((await run('keygen', '--bits', '3072', '--out', join(tmp, 'x'))).err).toContain('--bits applies to RSA keys only');
    const dir = join(tmp, 'switch');
    expect((await run('keygen', '--alg', 'rs256', '--out', dir)).code).toBe(0);
    const refused = await run('keygen', '--out', dir);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('public.xml');
    expect((await run('keygen', '--out', dir, '--force')).code).toBe(0);
    expect(existsSync(join(dir, 'public.xml'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'public.jwk.json'), 'utf8')).kty).toBe('OKP');
  });
});
