/**
 * The state commands through the real bin, in temporary state folders:
 * activate → validate (201) → another --hwid (400, exit 1) → issue-reset +
 * import → validate (201); client-mode licensee secret; a revocation list and
 * REVOKED; the --json contracts; status; not-found; the issue policy flags.
 * Times are the real clock's (the first run reads the machine's evidence of
 * the time, so a --now in the past would rightly be CLOCK_ROLLED_BACK).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-state-cli-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const DAY = 86_400_000;
const T0 = Date.now();
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const vendor = join(tmp, 'vendor');
const PRIV = join(vendor, 'private.jwk.json');
const PUB = join(vendor, 'public.pem');
const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';

async function issue(name: string, ...flags: string[]): Promise<string> {
  const out = join(tmp, name);
  const r = await run('issue', '--private-key', PRIV, '--product-id', '42', '--license-key', KEY, '--now', at(0), '--days', '365', '--out', out, ...flags);
  expect(r.code, r.err).toBe(0);
  return out;
}
const state = (name: string) => ['--key', PUB, '--state', join(tmp, name)];

beforeAll(async () => {
  expect((await run('keygen', '--out', vendor)).code).toBe(0);
});

describe('HWID binding with reset, through the CLI', () => {
  test('activate binds; validate 201; another --hwid 400 (exit 1); issue-reset + import; validate 201 again; a replayed reset exit 2', async () => {
    const lic = await issue('hwid.lic', '--bind-hwid');
    const activated = await run('activate', lic, ...state('s1'), '--hwid', 'HWID-1', '--now', at(1), '--json');
    expect(activated.code, activated.err).toBe(0);
    expect(JSON.parse(activated.out)).toMatchObject({ licenseKey: KEY, stored: true, valid: true, reasons: [], bound: ['hwid'] });

    const ok = await run('validate', KEY, ...state('s1'), '--hwid', 'HWID-1', '--now', at(2), '--json');
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.out);
    expect(Object.keys(json)).toEqual(['licenseKey', 'outcome', 'status', 'valid', 'reasons', 'checks', 'warnings', 'bound']);
    expect(json).toMatchObject({ licenseKey: KEY, outcome: 'valid', status: 201, valid: true, reasons: [], warnings: [], bound: [] });
    expect(json.checks.map((c: { check: string }) => c.check)).toContain('hwid');

    const other = await run('validate', KEY, ...state('s1'), '--hwid', 'HWID-2', '--now', at(3), '--json');
    expect(other.code).toBe(1);
    expect(JSON.parse(other.out)).toMatchObject({ outcome: 'mismatch', status: 400, valid: false, reasons: ['HWID_MISMATCH'] });

    const reset = join(tmp, 'reset-1.msg');
    expect((await run('issue-reset', '--private-key', PRIV, '--license-key', KEY, '--counter', '1', '--now', at(4), '--out', reset)).code).toBe(0);
    const imported = await run('import', reset, ...state('s1'), '--json');
    expect(imported.code, imported.err).toBe(0);
    expect(JSON.parse(imported.out)).toEqual({ file: reset, kind: 'reset', licenseKey: KEY, counter: 1 });
    const rebound = await run('validate', KEY, ...state('s1'), '--hwid', 'HWID-2', '--now', at(5), '--json');
    expect(rebound.code).toBe(0);
    expect(JSON.parse(rebound.out)).toMatchObject({ outcome: 'valid', status: 201, bound: ['hwid'] });
    expect((await run('validate', KEY, ...state('s1'), '--hwid', 'HWID-1', '--now', at(6))).code).toBe(1);

    const replayed = await run('import', reset, ...state('s1'));
    expect(replayed.code).toBe(2);
    expect(replayed.err).toContain('[ERR_MESSAGE_INVALID]');

    // status: the binding only as a salted hash, the reset counter, the mark; nothing in clear.
    const status = await run('status', ...state('s1'), '--json');
    expect(status.code).toBe(0);
    const s = JSON.parse(status.out);
    expect(s).toMatchObject({ program: 'licensekit', verified: true, warnings: [], revocations: null, trustedTime: at(6) });
    expect(s.licenses).toEqual([expect.objectContaining({ licenseKey: KEY, resetCounter: 1, secretHash: null, hwidHash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    expect(status.out).not.toContain('HWID-2');
    const human = await run('status', ...state('s1'));
    expect(human.out).toMatch(/verified/);
    expect(human.out).toContain(KEY);
  });

  test('the default --hwid is this machine\'s code under --program (auto)', async () => {
    const lic = await issue('auto.lic', '--bind-hwid');
    expect((await run('activate', lic, ...state('s-auto'), '--now', at(1))).code).toBe(0);
    expect((await run('validate', KEY, ...state('s-auto'), '--hwid', 'auto', '--now', at(2))).code).toBe(0);
    const elsewhere = await run('validate', KEY, ...state('s-auto'), '--hwid', 'ANOTHER-MACHINE', '--now', at(3), '--json');
    expect(JSON.parse(elsewhere.out)).toMatchObject({ outcome: 'mismatch', status: 400 });
  });
});

describe('not-found, the licensee secret and revocations, through the CLI', () => {
  test('a key the state does not hold is not-found, 404, exit 1 (the --help says so)', async () => {
    const r = await run('validate', 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ', ...state('s-empty'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ licenseKey: 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ', outcome: 'not-found', status: 404, valid: false, reasons: [], checks: [], warnings: [], bound: [] });
    expect((await run('validate', '--help')).out).toMatch(/not-found: a key the state does not hold\s+is an answer/);
  });

  test('client mode: the first secret is bound, then a wrong one is LICENSEE_SECRET_MISMATCH and none LICENSEE_SECRET_MISSING; never stored in clear', async () => {
    const lic = await issue('client.lic', '--licensee-secret-mode', 'client');
    const activated = await run('activate', lic, ...state('s2'), '--licensee-secret', 'hash-of-hardware', '--now', at(1), '--json');
    expect(JSON.parse(activated.out)).toMatchObject({ valid: true, bound: ['secret'] });
    expect((await run('validate', KEY, ...state('s2'), '--licensee-secret', 'hash-of-hardware', '--now', at(2))).code).toBe(0);
    const wrong = await run('validate', KEY, ...state('s2'), '--licensee-secret', 'another', '--now', at(3), '--json');
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.out)).toMatchObject({ outcome: 'invalid', status: 403, reasons: ['LICENSEE_SECRET_MISMATCH'] });
    expect(JSON.parse((await run('validate', KEY, ...state('s2'), '--now', at(3), '--json')).out).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
    const s = JSON.parse((await run('status', ...state('s2'), '--json')).out);
    expect(s.licenses[0].secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(s)).not.toContain('hash-of-hardware');
  });

  test('predefined mode needs the vendor-set secret; issue refuses a secret without predefined mode and a mode on a Cryptolens license', async () => {
    const lic = await issue('predefined.lic', '--licensee-secret-mode', 'predefined', '--licensee-secret', 'DONGLE-42');
    expect(readFileSync(lic, 'utf8')).not.toContain('DONGLE-42');
    const wrong = await run('activate', lic, ...state('s3'), '--licensee-secret', 'DONGLE-43', '--now', at(1), '--json');
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.out)).toMatchObject({ stored: false, reasons: ['LICENSEE_SECRET_MISMATCH'] });
    expect((await run('activate', lic, ...state('s3'), '--licensee-secret', 'DONGLE-42', '--now', at(1))).code).toBe(0);
    const base = ['issue', '--private-key', PRIV, '--product-id', '42'];
    expect((await run(...base, '--licensee-secret', 'X')).code).toBe(2);
    expect((await run(...base, '--licensee-secret-mode', 'predefined')).code).toBe(2);
    expect((await run(...base, '--licensee-secret-mode', 'sometimes')).code).toBe(2);
    expect((await run(...base, '--format', 'cryptolens', '--bind-hwid')).code).toBe(2);
  });

  test('issue --grace-days: after expiry, within the grace, validate is valid (201) with the warning EXPIRED_IN_GRACE; after it, EXPIRED', async () => {
    const out = join(tmp, 'grace.lic');
    expect((await run('issue', '--private-key', PRIV, '--product-id', '42', '--license-key', KEY, '--now', at(0), '--days', '30', '--grace-days', '7', '--out', out)).code).toBe(0);
    expect((await run('activate', out, ...state('s-grace'), '--now', at(1))).code).toBe(0);
    const inGrace = await run('validate', KEY, ...state('s-grace'), '--now', at(33), '--json');
    expect(inGrace.code).toBe(0);
    expect(JSON.parse(inGrace.out)).toMatchObject({ outcome: 'valid', status: 201, warnings: ['EXPIRED_IN_GRACE'] });
    expect(JSON.parse((await run('validate', KEY, ...state('s-grace'), '--now', at(38), '--json')).out).reasons).toEqual(['EXPIRED']);
    expect((await run('issue', '--private-key', PRIV, '--product-id', '42', '--grace-days', '-1')).code).toBe(2);
  });

  test('a revocation list makes a stored license REVOKED; an older list is refused (exit 2); a newer one lifts it', async () => {
    const lic = await issue('revoked.lic');
    expect((await run('activate', lic, ...state('s4'), '--now', at(1))).code).toBe(0);
    const list = async (seq: string, days: number, ...revoke: string[]) => {
      const out = join(tmp, `list-${seq}.msg`);
      const r = await run('issue-revocations', '--private-key', PRIV, '--sequence', seq, ...revoke.flatMap((k) => ['--revoke', k]), '--now', at(days), '--out', out);
      expect(r.code, r.err).toBe(0);
      return out;
    };
    const five = await run('import', await list('5', 2, KEY), ...state('s4'), '--json');
    expect(JSON.parse(five.out)).toMatchObject({ kind: 'revocations', sequence: 5, revoked: 1 });
    const revoked = await run('validate', KEY, ...state('s4'), '--now', at(3), '--json');
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.out)).toMatchObject({ outcome: 'invalid', status: 403, reasons: ['REVOKED'] });
    expect((await run('import', await list('4', 4), ...state('s4'))).code).toBe(2);
    expect(JSON.parse((await run('status', ...state('s4'), '--json')).out).revocations).toMatchObject({ sequence: 5, revoked: 1 });
    expect((await run('import', await list('6', 5), ...state('s4'))).code).toBe(0);
    expect((await run('validate', KEY, ...state('s4'), '--now', at(6))).code).toBe(0);
  });
});

describe('refresh, tampering and usage', () => {
  test('import of a refreshed license activates it (the trusted-time mark follows its signing time); a message signed by another key is refused', async () => {
    // No HWID or secret policy here: a refresh issued by the CLI has a new license id, and bindings are salted by it (see the report).
    const lic = await issue('refresh-1.lic');
    expect((await run('activate', lic, ...state('s5'), '--now', at(1))).code).toBe(0);
    const refreshed = join(tmp, 'refresh-2.lic');
    expect((await run('issue', '--private-key', PRIV, '--product-id', '42', '--license-key', KEY, '--now', at(2), '--days', '730', '--out', refreshed)).code).toBe(0);
    const r = await run('import', refreshed, ...state('s5'), '--now', at(2), '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'license', licenseKey: KEY, stored: true, valid: true });
    const s = JSON.parse((await run('status', ...state('s5'), '--json')).out);
    expect(s.vendorSignedTime).toBe(new Date(Math.floor(new Date(at(2)).getTime() / 1000) * 1000).toISOString());
    expect((await run('validate', KEY, ...state('s5'), '--now', at(400))).code).toBe(0); // the first license expired at day 365
    const other = join(tmp, 'other');
    expect((await run('keygen', '--out', other)).code).toBe(0);
    const foreign = join(tmp, 'foreign.msg');
    expect((await run('issue-reset', '--private-key', join(other, 'private.jwk.json'), '--license-key', KEY, '--counter', '9', '--out', foreign)).code).toBe(0);
    const refused = await run('import', foreign, ...state('s5'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('[ERR_MESSAGE_INVALID]');
  });

  test('a state whose MAC does not match (opened under another --program): validate refuses it (ERR_STATE_TAMPERED, exit 2), status says NOT VERIFIED (exit 2)', async () => {
    const lic = await issue('tamper.lic');
    expect((await run('activate', lic, ...state('s6'), '--now', at(1))).code).toBe(0);
    // Another program name is another MAC: the same folder does not verify under it.
    const renamed = await run('validate', KEY, ...state('s6'), '--program', 'acme-cad', '--now', at(2));
    expect(renamed.code).toBe(2);
    expect(renamed.err).toContain('[ERR_STATE_TAMPERED]');
    const status = await run('status', ...state('s6'), '--program', 'acme-cad', '--json');
    expect(status.code).toBe(2);
    expect(JSON.parse(status.out)).toMatchObject({ verified: false, warnings: ['STATE_TAMPERED'] });
  });

  test('usage: missing --key, missing LICENSE_KEY, --counter 0, unknown flags exit 2; every command has --help', async () => {
    expect((await run('validate', KEY, '--state', join(tmp, 'x'))).code).toBe(2);
    expect((await run('validate', ...state('x'))).code).toBe(2);
    expect((await run('status', '--state', join(tmp, 'x'))).code).toBe(2);
    expect((await run('issue-reset', '--private-key', PRIV, '--license-key', KEY, '--counter', '0')).code).toBe(2);
    expect((await run('issue-revocations', '--private-key', PRIV)).code).toBe(2);
    expect((await run('activate', join(tmp, 'missing.lic'), ...state('x'))).code).toBe(2);
    expect((await run('validate', KEY, ...state('x'), '--hwidd', 'H')).err).toContain('did you mean --hwid?');
    const notKey = join(tmp, 'not-a-key.pem');
    writeFileSync(notKey, 'hello');
    expect((await run('validate', KEY, '--key', notKey, '--state', join(tmp, 'x'))).code).toBe(3);
    for (const command of ['activate', 'validate', 'import', 'status', 'issue-reset', 'issue-revocations']) {
      const help = await run(command, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toContain(`licensekit ${command}`);
      expect(help.out).toContain('Exit status');
    }
  });
});

describe('verify --state', () => {
  test('applies the state rules to the stored license: REVOKED exit 1; a key the state does not hold is NOT ACTIVATED, exit 1; --hwid without --state exit 2', async () => {
    const lic = await issue('verify-state.lic', '--bind-hwid');
    const plain = await run('verify', lic, '--key', PUB, '--now', at(1));
    expect(plain.code).toBe(0);
    const notActivated = await run('verify', lic, ...state('s7'), '--now', at(1), '--json');
    expect(notActivated.code).toBe(1);
    expect(JSON.parse(notActivated.out)).toMatchObject({ valid: false, state: { outcome: 'not-found', status: 404 } });
    expect((await run('verify', lic, ...state('s7'), '--now', at(1))).out).toContain('NOT ACTIVATED');
    expect((await run('activate', lic, ...state('s7'), '--hwid', 'H1', '--now', at(1))).code).toBe(0);
    const ok = await run('verify', lic, ...state('s7'), '--hwid', 'H1', '--now', at(2), '--json');
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, state: { outcome: 'valid', status: 201 } });
    const moved = await run('verify', lic, ...state('s7'), '--hwid', 'H2', '--now', at(3), '--json');
    expect(moved.code).toBe(1);
    expect(JSON.parse(moved.out)).toMatchObject({ valid: false, reasons: ['HWID_MISMATCH'], state: { outcome: 'mismatch', status: 400 } });
    const list = join(tmp, 'verify-list.msg');
    expect((await run('issue-revocations', '--private-key', PRIV, '--sequence', '1', '--revoke', KEY, '--now', at(4), '--out', list)).code).toBe(0);
    expect((await run('import', list, ...state('s7'))).code).toBe(0);
    const revoked = await run('verify', lic, ...state('s7'), '--hwid', 'H1', '--now', at(5));
    expect(revoked.code).toBe(1);
    expect(revoked.out).toContain('REVOKED');
    // A file that is not valid by itself is reported as such, never with the stored copy's verdict.
    expect((await run('verify', lic, ...state('s7'), '--hwid', 'H1', '--now', at(400))).out).toContain('EXPIRED');
    const bytes = Buffer.from(readFileSync(lic, 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');
    bytes[bytes.length - 1]! ^= 1; // the last byte of the signature
    const forged = join(tmp, 'forged.lic');
    writeFileSync(forged, bytes);
    const refused = await run('verify', forged, ...state('s7'), '--hwid', 'H1', '--now', at(6), '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({ valid: false, reasons: ['SIGNATURE_INVALID'] });
    expect((await run('verify', lic, '--key', PUB, '--hwid', 'H1')).code).toBe(2);
  });

  test('a file not valid by itself is reported as such, never with the verdict of the (refreshed) copy the state holds under its key', async () => {
    const old = await issue('verify-old.lic');
    expect((await run('activate', old, ...state('s8'), '--now', at(1))).code).toBe(0);
    const refreshed = join(tmp, 'verify-new.lic');
    expect((await run('issue', '--private-key', PRIV, '--product-id', '42', '--license-key', KEY, '--now', at(2), '--days', '730', '--out', refreshed)).code).toBe(0);
    expect((await run('import', refreshed, ...state('s8'), '--now', at(2))).code).toBe(0);
    expect((await run('verify', refreshed, ...state('s8'), '--now', at(400))).code).toBe(0);
    const expired = await run('verify', old, ...state('s8'), '--now', at(401), '--json');
    expect(expired.code).toBe(1);
    expect(JSON.parse(expired.out)).toMatchObject({ valid: false, reasons: ['EXPIRED'] });
  });
});
