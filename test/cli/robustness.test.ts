/**
 * CLI robustness (issue 7, items 10–16), each through the real
 * `bin/licensekit.js` in a child process: special files, any nesting depth, a
 * closed standard output, control characters from files, keygen's files,
 * usage messages, and one product salt for every command.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const lic = (name: string): string => join(FIXTURES_DIR, 'licenses', name);
const key = (name: string): string => join(FIXTURES_DIR, 'keys', name);
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-robust-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
const XML = ['--key', key('vendor-rsa2048.public.xml')];
const NOW = ['--now', '2026-06-01T00:00:00Z'];

interface Run {
  code: number | null;
  out: string;
  err: string;
  timedOut: boolean;
}

/** Runs the CLI in a child process; kills it (and says so) when it runs longer than `timeoutMs`. */
function run(args: readonly string[], options: { timeoutMs?: number; closeStdout?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    if (options.closeStdout) child.stdout.destroy(); // the read end of a real pipe, closed before the CLI writes
    else child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, timedOut });
    });
  });
}

const noTrace = (r: Run): void => {
  expect(r.err).not.toMatch(/\n\s+at |internal error|node:internal/);
};

beforeAll(async () => {
  await run(['--version'], { timeoutMs: 120_000 }); // builds dist/cli once if the sources are newer
}, 130_000);

describe('item 10: special files are refused, never waited on', () => {
  const fifo = join(tmp, 'license.fifo');
  beforeAll(() => execFileSync('mkfifo', [fifo]));

  test('verify FIFO: exit 2 with ERR_FILE_UNREADABLE, the other file still verified', async () => {
    const r = await run(['verify', fifo, lic('valid.skm'), ...XML, ...NOW, '--json'], { timeoutMs: 15_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    const [bad, good] = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(bad.error.code).toBe('ERR_FILE_UNREADABLE');
    expect(bad.error.message).toContain('FIFO');
    expect(good.valid).toBe(true);
  });

  test('verify --key FIFO: exit 3', async () => {
    const r = await run(['verify', lic('valid.skm'), '--key', fifo, ...NOW], { timeoutMs: 15_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(3);
    expect(r.err).toContain('--key');
    expect(r.err).toContain('expected a regular file');
  });

  test('inspect FIFO: exit 2', async () => {
    const r = await run(['inspect', fifo], { timeoutMs: 15_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.err).toContain('ERR_FILE_UNREADABLE');
  });

  test('issue --private-key FIFO: exit 3', async () => {
    const r = await run(['issue', '--private-key', fifo, '--product-id', '1'], { timeoutMs: 15_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(3);
  });

  test('a directory and a character device are refused by kind', async () => {
    const r = await run(['verify', tmp, '/dev/zero', ...XML, ...NOW, '--json'], { timeoutMs: 15_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n').map((l) => JSON.parse(l).error.message)).toEqual([expect.stringContaining('a directory'), expect.stringContaining('a character device')]);
  });
});

/** valid.skm with its signed payload rewritten by `edit` (so the signature no longer verifies). */
function editedPayload(name: string, edit: (payload: string) => string): string {
  const response = JSON.parse(readFileSync(lic('valid.skm'), 'utf8')) as { licenseKey: string };
  const payload = edit(Buffer.from(response.licenseKey, 'base64').toString('utf8'));
  return file(name, JSON.stringify({ ...response, licenseKey: Buffer.from(payload, 'utf8').toString('base64') }));
}

describe('item 11: nesting of any depth prints, cut with a marker', () => {
  const DEPTH = 100_000;
  const MARKER = '[nested deeper than 64 levels: not shown]';
  const deepCustomer = editedPayload('deep-customer.skm', (p) => p.replace('"Customer":{', `"Customer":{"Deep":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)},`));
  const deepField = editedPayload('deep-field.skm', (p) => p.replace(/^\{/, `{"Unknown":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)},`));

  test.each([
    ['a deeply nested Customer', deepCustomer, 'customer'],
    ['a deeply nested unknown payload field', deepField, '(extra) Unknown'],
  ])('inspect on %s: the table and --json print, exit 0', async (_, path, row) => {
    const text = await run(['inspect', path]);
    expect(text.code).toBe(0);
    noTrace(text);
    expect(text.out).toMatch(new RegExp(`^  ${row.replace(/[()]/g, '\\$&')} .*${MARKER.replace(/[[\]]/g, '\\$&')}`, 'm'));
    const json = await run(['inspect', path, '--json']);
    expect(json.code).toBe(0);
    noTrace(json);
    const parsed = JSON.parse(json.out);
    expect(JSON.stringify(parsed.license)).toContain(MARKER);
    expect(parsed.license.key).toBe('ABCDE-FGHIJ-KLMNO-PQRST'); // the rest is intact
  });

  test('inspect --json on metadata nested 100,000 deep keeps the first 64 levels', async () => {
    const response = JSON.parse(readFileSync(lic('valid.skm'), 'utf8')) as Record<string, unknown>;
    const deep = JSON.stringify({ ...response, metadata: null }).replace('"metadata":null', `"metadata":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`);
    const r = await run(['inspect', file('deep-metadata.skm', deep), '--json']);
    expect(r.code).toBe(0);
    let level: unknown = JSON.parse(r.out).metadata;
    let depth = 0;
    while (Array.isArray(level)) [level, depth] = [level[0], depth + 1];
    expect([depth, level]).toEqual([64, MARKER]);
  });
});

describe('item 12: a closed standard output ends the command quietly', () => {
  test.each([
    ['inspect', ['inspect', lic('valid.skm')]],
    ['verify', ['verify', lic('valid.skm'), lic('expired.skm'), ...XML, ...NOW]],
    ['help', ['--help']],
  ])('%s with its stdout pipe closed early: exit 141, no stack trace', async (_, argv) => {
    const r = await run(argv, { closeStdout: true });
    expect(r.code).toBe(141);
    expect(r.err).toBe('');
  });
});

describe('item 13: control characters from files are escaped in human output, exact in --json', () => {
  const NASTY = '\u001b[2K\rgolden\u202efixture\u0085\u007f\u2066';
  const notes = editedPayload('control-notes.skm', (p) => p.replace('"golden fixture"', JSON.stringify(NASTY)));
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  test('inspect shows the escapes, --json the exact string', async () => {
    const text = await run(['inspect', notes]);
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(RAW);
    expect(text.out).toMatch(/^ *notes +\\x1b\[2K\\rgolden\\u202efixture\\x85\\x7f\\u2066$/m);
    const json = await run(['inspect', notes, '--json']);
    expect(JSON.parse(json.out).license.notes).toBe(NASTY);
  });

  test('a parser message quoting the file is escaped in verify and inspect', async () => {
    const snippet = file('control-snippet.skm', '{"a":tru\u001b]0;owned\u0007}');
    const verify = await run(['verify', snippet, ...XML, ...NOW]);
    expect(verify.code).toBe(2);
    expect(verify.out).toContain('UNREADABLE [ERR_INPUT_NOT_JSON]');
    expect(verify.out).toContain('\\x1b]0;owned\\x07');
    expect(verify.out).not.toMatch(RAW);
    const inspect = await run(['inspect', snippet]);
    expect(inspect.code).toBe(2);
    expect(inspect.err).toContain('\\x1b]0;owned\\x07');
    expect(inspect.err).not.toMatch(RAW);
    const json = await run(['verify', snippet, ...XML, ...NOW, '--json']);
    expect(JSON.parse(json.out).error.message).toContain('\u001b]0;owned\u0007');
  });
});

describe('item 14: keygen never replaces or follows what is there', () => {
  const KEYGEN_FILES = ['private.jwk.json', 'public.xml', 'public.pem', 'public.jwk.json'];
  const mode = (path: string): number => statSync(path).mode & 0o777;

  test('an existing key pair is kept without --force and replaced with it (mode 0600)', async () => {
    const dir = join(tmp, 'vendor-existing');
    expect((await run(['keygen', '--alg', 'rs256', '--out', dir])).code).toBe(0);
    const before = KEYGEN_FILES.map((f) => readFileSync(join(dir, f), 'utf8'));
    chmodSync(join(dir, 'private.jwk.json'), 0o644); // an old file's loose mode must not survive
    const refused = await run(['keygen', '--alg', 'rs256', '--out', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('refusing to overwrite');
    expect(refused.err).toContain('--force');
    noTrace(refused);
    expect(KEYGEN_FILES.map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(before);
    const forced = await run(['keygen', '--alg', 'rs256', '--out', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'private.jwk.json'), 'utf8')).not.toBe(before[0]);
    expect(mode(join(dir, 'private.jwk.json'))).toBe(0o600);
  });

  test('a planted symbolic link is never followed, with or without --force', async () => {
    const dir = join(tmp, 'vendor-planted');
    mkdirSync(dir);
    const target = file('planted-target.txt', 'not yours\n');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, 'private.jwk.json'));
    const refused = await run(['keygen', '--alg', 'rs256', '--out', dir]);
    expect(refused.code).toBe(2);
    expect(readlinkSync(join(dir, 'private.jwk.json'))).toBe(target);
    const forced = await run(['keygen', '--alg', 'rs256', '--out', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('not yours\n');
    expect(mode(target)).toBe(0o644);
    expect(lstatSync(join(dir, 'private.jwk.json')).isFile()).toBe(true);
    expect(mode(join(dir, 'private.jwk.json'))).toBe(0o600);
  });

  test('a dangling symbolic link is not followed to create a file elsewhere', async () => {
    const dir = join(tmp, 'vendor-dangling');
    mkdirSync(dir);
    const target = join(tmp, 'dangling-target.json');
    symlinkSync(target, join(dir, 'public.xml'));
    const r = await run(['keygen', '--alg', 'rs256', '--out', dir]);
    expect(r.code).toBe(2);
    expect(() => statSync(target)).toThrow();
  });

  test.each([
    ['/dev/null', 'not a directory'],
    [join(tmp, 'a-file.txt/sub'), 'not a directory'],
  ])('--out %s: exit 2 with a message, not an internal error', async (out, message) => {
    file('a-file.txt', 'x');
    const r = await run(['keygen', '--alg', 'rs256', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    noTrace(r);
  });
});

describe('item 15: usage messages name the flag, the problem and what is expected', () => {
  test.each([
    [['keygen', '--alg', 'rs256', '--out', join(tmp, 'k15'), '--frce'], /unknown option --frce; did you mean --force\?/, /place it at the end/],
    [['verify', lic('valid.skm'), ...XML, '--jsn'], /unknown option --jsn; did you mean --json\?/, /place it at the end/],
    [['issue', '--private-key', key('vendor-rsa2048.private.jwk.json'), '--product-id', '1', '--days', '-1'], /--days must be a whole number >= 0, got "-1"/, /ambiguous/],
    [['verify', lic('valid.skm'), '--key', '--json'], /--key KEYFILE: the value is missing before --json/, /ambiguous/],
    [['verify', lic('valid.skm'), ...XML, '--json=yes'], /--json takes no value/, /does not take an argument/],
    [['verify', lic('valid.skm'), ...XML, ...NOW, '--now', '2026-07-01T00:00:00Z'], /--now was given twice/, /internal error/],
    [['verfy', lic('valid.skm')], /unknown command "verfy"; did you mean "verify"\?/, /Usage:/],
    [['constructor'], /unknown command "constructor"/, /internal error/],
  ])('%j: exit 2', async (argv, message, leak) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(leak);
    noTrace(r);
  });

  test('help verify prints the verify help', async () => {
    const help = await run(['help', 'verify']);
    const direct = await run(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toBe(direct.out);
    expect(help.out).toContain('--machine-code CODE|auto');
  });

  test.each([
    ['a public XML key', key('vendor-rsa2048.public.xml'), 'XML public key'],
    ['a public JWK', key('vendor-rsa2048.public.jwk.json'), 'public JWK'],
    ['a PEM private key', key('vendor-rsa2048.private.pem'), 'PEM'],
    ['a missing file', join(tmp, 'missing.jwk.json'), 'no such file'],
  ])('issue --private-key with %s: exit 3, says what it is and what is expected', async (_, path, what) => {
    const r = await run(['issue', '--private-key', path, '--product-id', '1']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('--private-key');
    expect(r.err).toContain(what);
    expect(r.err).toContain('private.jwk.json');
    expect(r.err).not.toContain('Unexpected token');
  });

  test.each([
    ['a license file', lic('valid.skm'), 'this is a license file'],
    ['a compact license', lic('compact.txt'), 'this is a license file'],
    ['a missing file', join(tmp, 'missing.xml'), 'no such file'],
  ])('verify --key with %s: exit 3, names the flag and what is expected', async (_, path, what) => {
    const r = await run(['verify', lic('valid.skm'), '--key', path, ...NOW]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('--key');
    expect(r.err).toContain(what);
    expect(r.err).toContain('expected the vendor public key');
    expect(r.err).not.toContain('kty undefined');
    expect(r.err).not.toMatch(/^[^(]*ENOENT/); // the errno code only in parentheses, after the words
  });
});

describe('item 16: one product salt flag and one default for fingerprint, issue and verify', () => {
  const fingerprintCode = async (...flags: string[]): Promise<{ machineCode: string; product: string }> => {
    const r = await run(['fingerprint', ...flags, '--json']);
    expect(r.code).toBe(0);
    return JSON.parse(r.out);
  };
  const dir = join(tmp, 'vendor-salt');
  beforeAll(async () => {
    expect((await run(['keygen', '--alg', 'rs256', '--out', dir])).code).toBe(0);
  }, 60_000);
  const privateKey = (): string => join(dir, 'private.jwk.json');

  test('the code fingerprint --product prints is the one issue and verify use for that product', async () => {
    const printed = await fingerprintCode('--product', '77');
    expect(printed.product).toBe('77');
    // the customer sends the printed code; the vendor issues with it
    const issued = join(tmp, 'salt-issued.skm');
    expect((await run(['issue', '--private-key', privateKey(), '--product-id', '77', '--machine-code', printed.machineCode, '--out', issued])).code).toBe(0);
    const verified = await run(['verify', issued, '--key', join(dir, 'public.xml'), '--product-id', '77', '--machine-code', 'auto', '--json']);
    expect(JSON.parse(verified.out).reasons).toEqual([]);
    expect(verified.code).toBe(0);
    expect(verified.err).toContain(`note: --machine-code auto is ${printed.machineCode}, this machine under product salt "77" (from --product-id)`);
    // issue --machine-code auto binds the same code
    const auto = join(tmp, 'salt-auto.skm');
    expect((await run(['issue', '--private-key', privateKey(), '--product-id', '77', '--machine-code', 'auto', '--out', auto])).code).toBe(0);
    const inspected = JSON.parse((await run(['inspect', auto, '--json'])).out);
    expect(inspected.license.activatedMachines.map((m: { mid: string }) => m.mid)).toEqual([printed.machineCode]);
  });

  test('--product SALT is the one flag name in every command', async () => {
    const printed = await fingerprintCode('--product', 'acme-cad');
    const issued = join(tmp, 'salt-named.skm');
    const issue = await run(['issue', '--private-key', privateKey(), '--product-id', '5', '--product', 'acme-cad', '--machine-code', 'auto', '--out', issued]);
    expect(issue.code).toBe(0);
    expect(issue.err).toContain(`${printed.machineCode}, this machine under product salt "acme-cad" (from --product)`);
    const verified = await run(['verify', issued, '--key', join(dir, 'public.pem'), '--product', 'acme-cad', '--machine-code', 'auto', '--json']);
    expect(verified.code).toBe(0);
  });

  test('without a product id, fingerprint and verify --machine-code auto share the documented default, and say so', async () => {
    const printed = await fingerprintCode();
    expect(printed.product).toBe('licensekit');
    const text = await run(['fingerprint']);
    expect(text.out).toContain('salted with   product salt "licensekit" (the default; give --product SALT for your product)');
    const verified = await run(['verify', lic('valid.skm'), ...XML, ...NOW, '--machine-code', 'auto', '--json']);
    expect(verified.err).toContain(`note: --machine-code auto is ${printed.machineCode}, this machine under product salt "licensekit"`);
  });

  test.each(['verify', 'issue'])('%s --fingerprint-salt is refused with a pointer to --product', async (command) => {
    const r = await run([command, '--fingerprint-salt', '77']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--fingerprint-salt was renamed: use --product SALT');
  });
});
