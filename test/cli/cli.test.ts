/**
 * The CLI end to end through `runCli` (no process), plus one real run of the
 * `bin/licensekit.js` shim. Exit codes: 0 valid, 1 not valid, 2 usage or
 * unreadable input, 3 key problem.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const lic = (name: string): string => join(FIXTURES_DIR, 'licenses', name);
const key = (name: string): string => join(FIXTURES_DIR, 'keys', name);
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-cli-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t + '\n'), stderr: (t) => (err += t + '\n') });
  return { code, out, err };
}
const jsonLines = (out: string): Record<string, unknown>[] => out.trim().split('\n').map((l) => JSON.parse(l));
const NOW = ['--now', '2026-06-01T00:00:00Z'];
const XML = ['--key', key('vendor-rsa2048.public.xml')];

describe('licensekit verify', () => {
  test('a valid license: exit 0 and a table of checks', async () => {
    const r = await cli('verify', lic('valid.skm'), ...XML, ...NOW, '--machine-code', 'MACHINE-A', '--require-feature', '1', '--product-id', '1001');
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid.skm: VALID');
    expect(r.out).toMatch(/machine\s+pass/);
    expect(r.out).toMatch(/features\s+pass\s+has F1/);
  });

  test('every reason is listed, exit 1', async () => {
    const r = await cli('verify', lic('everything-wrong.skm'), ...XML, ...NOW, '--machine-code', 'MACHINE-Z', '--max-signature-age', '30', '--require-feature', '1', '--product-id', '1001');
    expect(r.code).toBe(1);
    for (const reason of ['EXPIRED', 'BLOCKED', 'SIGNATURE_EXPIRED', 'MACHINE_MISMATCH', 'FEATURE_MISSING', 'PRODUCT_MISMATCH']) expect(r.out).toContain(reason);
  });

  test('--json: one object per file per line with file, valid, reasons, license, status', async () => {
    const r = await cli('verify', lic('valid.skm'), lic('tampered-expires.skm'), lic('compact.txt'), ...XML, ...NOW, '--json');
    expect(r.code).toBe(1);
    const lines = jsonLines(r.out);
    expect(lines.map((l) => [l.file, l.valid, l.reasons])).toEqual([
      [lic('valid.skm'), true, []],
      [lic('tampered-expires.skm'), false, ['SIGNATURE_INVALID']],
      [lic('compact.txt'), true, []],
    ]);
    expect((lines[0]!.license as { key: string }).key).toBe('ABCDE-FGHIJ-KLMNO-PQRST');
    expect((lines[0]!.status as { IsValid: boolean }).IsValid).toBe(true);
    expect(lines[1]!.license).toBeNull();
  });

  test('feature names, time-limited flag and backend flags are honoured', async () => {
    const r = await cli('verify', lic('expired-not-time-limited.skm'), ...XML, ...NOW, '--time-limited-feature', '2', '--feature-name', 'Pro=1', '--require-feature', 'Pro', '--backend', 'purejs', '--json');
    expect(r.code).toBe(0);
    expect(jsonLines(r.out)[0]!.valid).toBe(true);
  });

  test.each([
    ['a missing file', join(tmp, 'nope.skm'), 'ERR_FILE_UNREADABLE'],
    ['non-JSON', file('words.skm', 'hello world'), 'ERR_INPUT_NOT_JSON'],
    ['truncated JSON', file('truncated.skm', readFileSync(lic('valid.skm'), 'utf8').slice(0, 300)), 'ERR_INPUT_NOT_JSON'],
    ['broken base64', file('b64.skm', JSON.stringify({ licenseKey: 'eyJ%%%', signature: 'AAAA' })), 'ERR_BASE64_INVALID'],
    ['an empty file', file('empty.skm', ''), 'ERR_INPUT_EMPTY'],
    ['binary junk', file('junk.bin', Buffer.from([0xff, 0xfe, 0x00, 0x81])), 'ERR_INPUT_NOT_JSON'],
    ['a legacy SignMethod=0 file', file('sm0.skm', JSON.stringify({ licenseKey: { productId: 1 }, result: 0 })), 'ERR_FORMAT_UNSUPPORTED'],
  ])('%s: exit 2 with a typed error line', async (_, path, code) => {
    const r = await cli('verify', path, lic('valid.skm'), ...XML, ...NOW, '--json');
    expect(r.code).toBe(2);
    const [bad, good] = jsonLines(r.out);
    expect(bad).toEqual({ file: path, error: { code, message: expect.any(String) } });
    expect(good!.valid).toBe(true);
  });

  test('a 50 MiB file is refused without being read', async () => {
    const path = file('huge.skm', '');
    truncateSync(path, 50 * 1024 * 1024);
    const r = await cli('verify', path, ...XML);
    expect(r.code).toBe(2);
    expect(r.out).toContain('ERR_INPUT_TOO_LARGE');
  });

  test.each([
    ['a private key', key('vendor-rsa2048.private.pem'), 'private key'],
    ['a certificate', key('certificate.pem'), 'certificate'],
    ['an EC key', key('ec-p256.public.pem'), 'unsupported key algorithm'],
    ['an Ed25519 key for an RSA license', key('ed25519.public.pem'), 'RSASSA-PKCS1-v1_5'],
    ['XML with junk', file('junk.xml', '<RSAKeyValue><Modulus>abc</Modulus><Exponent>AQAB</Exponent></RSAKeyValue><script/>'), 'RSAKeyValue XML'],
    ['a missing key file', join(tmp, 'missing.xml'), 'cannot open'],
  ])('%s as --key: exit 3', async (_, keyPath, message) => {
    const r = await cli('verify', lic('valid.skm'), '--key', keyPath, ...NOW);
    expect(r.code).toBe(3);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  test.each([
    [['verify', lic('valid.skm')], '--key'],
    [['verify', ...XML], 'FILE'],
    [['verify', lic('valid.skm'), ...XML, '--now', 'yesterday'], 'ISO-8601'],
    [['verify', lic('valid.skm'), ...XML, '--bogus'], 'bogus'],
    [['verify', lic('valid.skm'), ...XML, '--require-feature'], '--require-feature N|NAME: the value is missing'],
    [['frobnicate'], 'unknown command'],
  ])('bad usage %j: exit 2', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

describe('other commands', () => {
  test('--help documents every command and the exit codes', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['verify', 'inspect', 'fingerprint', 'keygen', 'issue', 'demo']) expect(top.out).toContain(c);
    const help = await cli('verify', '--help');
    expect(help.out).toMatch(/--machine-code CODE\|auto/);
    expect(help.out).toContain('3 key problem');
  });

  test('inspect prints claims without verifying; garbage exits 2', async () => {
    const r = await cli('inspect', lic('tampered-expires.skm'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { verified: boolean; license: { expires: string } };
    expect(out.verified).toBe(false);
    expect(out.license.expires).toBe('2058-09-09T01:46:40.000Z'); // the first digit of 1798761600 raised by one
    expect((await cli('inspect', file('bad.skm', '{"licenseKey":1}'))).code).toBe(2);
    expect((await cli('inspect', lic('valid.skm'))).out).toContain('NOT VERIFIED');
  });

  test('keygen, issue and verify round-trip, bound to this machine with --machine-code auto', async () => {
    const dir = join(tmp, 'vendor');
    expect((await cli('keygen', '--alg', 'rs256', '--out', dir)).code).toBe(0);
    const out = join(tmp, 'issued.skm');
    const issued = await cli('issue', '--private-key', join(dir, 'private.jwk.json'), '--product-id', '77', '--days', '10', '--feature', '2', '--machine-code', 'auto', '--out', out);
    expect(issued.code).toBe(0);
    const ok = await cli('verify', out, '--key', join(dir, 'public.xml'), '--machine-code', 'auto', '--require-feature', '2', '--product-id', '77', '--json');
    expect(jsonLines(ok.out)[0]!.reasons).toEqual([]);
    expect(ok.code).toBe(0);
    const elsewhere = await cli('verify', out, '--key', join(dir, 'public.pem'), '--machine-code', 'SOME-OTHER-MACHINE', '--json');
    expect(jsonLines(elsewhere.out)[0]!.reasons).toEqual(['MACHINE_MISMATCH']);
    expect((await cli('issue', '--private-key', join(dir, 'public.xml'), '--product-id', '1')).code).toBe(3);
  });

  test('the bin shim runs (building dist/cli when needed)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(FIXTURES_DIR, '..', 'bin', 'licensekit.js'), 'verify', lic('valid.skm'), ...XML, ...NOW, '--json']);
    expect(JSON.parse(stdout).valid).toBe(true);
  });
});

describe('review regressions', () => {
  test.each(['2026-02-30', '2025-02-29T00:00:00Z', '2026-13-01', '2026-04-31T10:00'])('--now %s is not a real date: exit 2', async (now) => {
    const r = await cli('verify', lic('valid.skm'), ...XML, '--now', now);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a real date');
  });
  test('--now 2028-02-29 (a leap day) is accepted', async () => {
    expect((await cli('verify', lic('valid.skm'), ...XML, '--now', '2026-02-28T00:00:00Z', '--json')).code).toBe(0);
    expect((await cli('verify', lic('expired.skm'), ...XML, '--now', '2028-02-29', '--json')).code).toBe(1);
  });
  test('inspect --json prints a file whose unsigned metadata is nested 100,000 deep, cut with a marker', async () => {
    const response = JSON.parse(readFileSync(lic('valid.skm'), 'utf8')) as Record<string, unknown>;
    const deep = JSON.stringify({ ...response, metadata: null }).replace('"metadata":null', `"metadata":${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const r = await cli('inspect', file('deep.skm', deep), '--json');
    expect(r.code).toBe(0);
    expect(JSON.stringify(JSON.parse(r.out).metadata)).toBe(`${'['.repeat(64)}"[nested deeper than 64 levels: not shown]"${']'.repeat(64)}`);
  });
});

describe('option problems are usage errors, said once', () => {
  test.each([
    [['--require-feature', '9'], 'feature numbers are 1-8'],
    [['--machine-code', '   '], 'machineCode'],
  ])('%j: exit 2 before any file is read', async (flags, message) => {
    const r = await cli('verify', lic('valid.skm'), lic('blocked.skm'), ...XML, ...NOW, '--json', ...flags);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
  });
});
