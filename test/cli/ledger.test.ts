/**
 * `licensekit ledger` through the real bin: add-license (creating the
 * ledger), list (human and --json: seats held / limit, the machines holding
 * them, customers without their secrets), revoke, and release of a real
 * deactivation receipt (request → respond → activate → deactivate on a
 * second state folder), accepted once; a seat moved by respond to the same
 * machine's new device key; release-seat without a receipt; respond refusing
 * a missing ledger. Bad usage and ledger problems are exit 2 with their
 * codes; text from the ledger is escaped for the terminal.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { openLedger } from '../../src/ledger/file.node.ts';
import { createActivationRequest, deactivateLicense } from '../../src/activation/index.node.ts';
import { fingerprintFromSnapshot, recordFingerprint, serializeFingerprint } from '../../src/fingerprint/index.ts';
import { MemoryStore, openState } from '../../src/state/index.node.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-ledger-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';

describe('licensekit ledger', () => {
  test('add-license creates the ledger; list shows seats and customers, never a secret; revoke; --json is exact', async () => {
    const dir = join(tmp, 'l1');
    const added = await run('ledger', 'add-license', '--ledger', dir, '--license-key', KEY, '--product-id', '1001', '--max-machines', '2', '--now', '2026-01-02T03:04:05Z', '--json');
    expect(added.code, added.err).toBe(0);
    expect(JSON.parse(added.out)).toEqual({ licenseKey: KEY, productId: 1001, maxMachines: 2, customerId: null, revoked: false, createdAt: '2026-01-02T03:04:05.000Z' });

    // A customer and a seat through the API (the customer and respond commands are other engineers' parts).
    const ledger = await openLedger(dir, { create: false });
    const customer = await ledger.addCustomer({ name: 'Acme\u001b[31m', secret: 'WPIGP-UPHHT-INUYJ-MSDTJ' }, 1_000);
    await ledger.takeSeat(KEY, (license) => ({ id: 'act-1', licenseKey: license.licenseKey, deviceKeyId: 'dev-kid-1', devicePublicKey: 'pk', fingerprint: '0123456789abcdef0123456789', activatedMs: Date.parse('2026-02-01T00:00:00Z'), releasedMs: null }));
    const withCustomer = await run('ledger', 'add-license', '--ledger', dir, '--license-key', 'CUST-\u001b[2J', '--product-id', 'cad', '--max-machines', '0', '--customer', customer.id);
    expect(withCustomer.code, withCustomer.err).toBe(0);
    expect(withCustomer.out).toContain('CUST-\\x1b[2J');

    const listed = await run('ledger', 'list', '--ledger', dir, '--json');
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).not.toContain('WPIGP');
    const json = JSON.parse(listed.out) as { licenses: Record<string, unknown>[]; customers: Record<string, unknown>[] };
    expect(json.licenses).toEqual([
      { licenseKey: KEY, productId: 1001, maxMachines: 2, customerId: null, revoked: false, createdAt: '2026-01-02T03:04:05.000Z', seatsHeld: 1, machines: [{ activationId: 'act-1', deviceKeyId: 'dev-kid-1', fingerprintPrefix: '0123456789abcdef', since: '2026-02-01T00:00:00.000Z' }] },
      expect.objectContaining({ licenseKey: 'CUST-\u001b[2J', productId: 'cad', maxMachines: 0, customerId: customer.id, seatsHeld: 0, machines: [] }),
    ]);
    expect(json.customers).toEqual([{ id: customer.id, name: 'Acme\u001b[31m', createdAt: new Date(1_000).toISOString(), licenses: 1 }]);

    const human = await run('ledger', 'list', '--ledger', dir);
    expect(human.code, human.err).toBe(0);
    expect(human.out).not.toContain('WPIGP');
    expect(human.out).not.toContain('\u001b');
    expect(human.out).toMatch(new RegExp(`${KEY}\\s+1001\\s+1/2\\s+-\\s+active`));
    expect(human.out).toMatch(/act-1\s+dev-kid-1\s+0123456789abcdef…\s+2026-02-01T00:00:00.000Z/);
    expect(human.out).toContain('Acme\\x1b[31m');

    const revoked = await run('ledger', 'revoke', '--ledger', dir, '--license-key', KEY, '--json');
    expect(revoked.code, revoked.err).toBe(0);
    expect(JSON.parse(revoked.out)).toMatchObject({ licenseKey: KEY, revoked: true });
    expect((await run('ledger', 'list', '--ledger', dir)).out).toMatch(new RegExp(`${KEY}\\s+1001\\s+1/2\\s+-\\s+revoked`));
  }, 60_000);

  test('bad usage and ledger problems: exit 2 with the code', async () => {
    const dir = join(tmp, 'l2');
    expect((await run('ledger', 'add-license', '--ledger', dir, '--license-key', KEY, '--product-id', '1', '--max-machines', '1')).code).toBe(0);
    const duplicate = await run('ledger', 'add-license', '--ledger', dir, '--license-key', KEY, '--product-id', '1', '--max-machines', '1');
    expect(duplicate.code).toBe(2);
    expect(duplicate.err).toContain('ERR_LEDGER_DUPLICATE');
    const noCustomer = await run('ledger', 'add-license', '--ledger', dir, '--license-key', 'X', '--product-id', '1', '--max-machines', '1', '--customer', 'nobody');
    expect([noCustomer.code, noCustomer.err.includes('ERR_LEDGER_NOT_FOUND')]).toEqual([2, true]);
    const missing = await run('ledger', 'list', '--ledger', join(tmp, 'none'));
    expect([missing.code, missing.err.includes('ERR_LEDGER_NOT_FOUND')]).toEqual([2, true]);
    const unknown = await run('ledger', 'revoke', '--ledger', dir, '--license-key', 'NOPE');
    expect([unknown.code, unknown.err.includes('ERR_LEDGER_NOT_FOUND')]).toEqual([2, true]);
    for (const args of [
      ['ledger'],
      ['ledger', 'lst', '--ledger', dir],
      ['ledger', 'list'],
      ['ledger', 'list', '--ledger', dir, '--bogus'],
      ['ledger', 'add-license', '--ledger', dir, '--product-id', '1', '--max-machines', '1'],
      ['ledger', 'add-license', '--ledger', dir, '--license-key', 'Y', '--product-id', '1', '--max-machines', '-1'],
      ['ledger', 'add-license', '--ledger', dir, '--license-key', 'Y', '--product-id', '1', '--max-machines', 'two'],
      ['ledger', 'release', '--ledger', dir],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect((await run('ledger', 'lst')).err).toContain('did you mean "list"');
    const help = await run('ledger', '--help');
    expect([help.code, help.out.includes('add-license')]).toEqual([0, true]);
    expect((await run('ledger', 'list', '--help')).out).toContain('never a customer');
  }, 60_000);

  describe('release RECEIPT', () => {
    const dir = join(tmp, 'l3');
    const vendor = join(tmp, 'vendor');
    const machine = join(tmp, 'machine-1');
    beforeAll(async () => {
      expect((await run('keygen', '--out', vendor)).code).toBe(0);
    }, 60_000);

    test('a real receipt frees the seat once; used again: ERR_RECEIPT_USED, exit 2; a damaged one: ERR_RECEIPT_INVALID', async () => {
      const pub = join(vendor, 'public.pem');
      expect((await run('ledger', 'add-license', '--ledger', dir, '--license-key', KEY, '--product-id', '42', '--max-machines', '1')).code).toBe(0);
      const requestFile = join(tmp, 'request.txt');
      const request = await run('request', '--license-key', KEY, '--product-id', '42', '--key', pub, '--state', machine, '--out', requestFile);
      expect(request.code, request.err).toBe(0);
      const responseFile = join(tmp, 'response.lic');
      const respond = await run('respond', requestFile, '--private-key', join(vendor, 'private.jwk.json'), '--ledger', dir, '--out', responseFile);
      expect(respond.code, respond.err).toBe(0);
      const activate = await run('activate', responseFile, '--key', pub, '--state', machine);
      expect(activate.code, activate.err).toBe(0);
      expect(JSON.parse((await run('ledger', 'list', '--ledger', dir, '--json')).out).licenses[0].seatsHeld).toBe(1);
      const receipt = join(tmp, 'receipt.txt');
      const deactivate = await run('deactivate', KEY, '--key', pub, '--state', machine, '--out', receipt);
      expect(deactivate.code, deactivate.err).toBe(0);

      const released = await run('ledger', 'release', receipt, '--ledger', dir, '--json');
      expect(released.code, released.err).toBe(0);
      expect(JSON.parse(released.out)).toMatchObject({ licenseKey: KEY });
      expect(JSON.parse((await run('ledger', 'list', '--ledger', dir, '--json')).out).licenses[0]).toMatchObject({ seatsHeld: 0, machines: [] });
      const again = await run('ledger', 'release', receipt, '--ledger', dir);
      expect([again.code, again.err.includes('ERR_RECEIPT_USED')]).toEqual([2, true]);
      const notAReceipt = await run('ledger', 'release', requestFile, '--ledger', dir);
      expect([notAReceipt.code, notAReceipt.err.includes('ERR_RECEIPT_INVALID')]).toEqual([2, true]);
    }, 60_000);

    test('respond moves a seat to the same machine\'s new device key; the old state\'s receipt then frees nothing, the new one\'s does', async () => {
      const moveDir = join(tmp, 'l-move');
      const priv = join(vendor, 'private.jwk.json');
      expect((await run('ledger', 'add-license', '--ledger', moveDir, '--license-key', KEY, '--product-id', '42', '--max-machines', '1')).code).toBe(0);
      // Two states on one machine (a fixture's fingerprint): the second is the first's folder re-created.
      const before = await fixtureState();
      const after = await fixtureState();
      const first = await createActivationRequest({ state: before.state, licenseKey: KEY, productId: 42, fingerprint: before.fingerprint });
      writeFileSync(join(tmp, 'move-1.req'), first.text);
      const one = await run('respond', join(tmp, 'move-1.req'), '--private-key', priv, '--ledger', moveDir, '--json');
      expect(one.code, one.err).toBe(0);
      expect(JSON.parse(one.out)).toMatchObject({ kept: false, movedFrom: null });
      expect((await before.state.activate(JSON.parse(one.out).license)).verdict.reasons).toEqual([]);
      const second = await createActivationRequest({ state: after.state, licenseKey: KEY, productId: 42, fingerprint: after.fingerprint });
      writeFileSync(join(tmp, 'move-2.req'), second.text);
      const two = await run('respond', join(tmp, 'move-2.req'), '--private-key', priv, '--ledger', moveDir, '--out', join(tmp, 'move-2.lic'));
      expect(two.code, two.err).toBe(0);
      expect(two.err).toContain(`moved the seat this machine held under device ${first.deviceKeyId}`);
      const machines = JSON.parse((await run('ledger', 'list', '--ledger', moveDir, '--json')).out).licenses[0].machines;
      expect(machines.map((m: { deviceKeyId: string }) => m.deviceKeyId)).toEqual([second.deviceKeyId]);
      expect((await after.state.activate(readFileSync(join(tmp, 'move-2.lic'), 'utf8'))).verdict.reasons).toEqual([]);

      writeFileSync(join(tmp, 'move-old.receipt'), (await deactivateLicense({ state: before.state, licenseKey: KEY })).text);
      const stale = await run('ledger', 'release', join(tmp, 'move-old.receipt'), '--ledger', moveDir);
      expect(stale.code).toBe(2);
      expect(stale.err).toContain('[ERR_RECEIPT_INVALID]');
      expect(stale.err).toContain('moved');
      writeFileSync(join(tmp, 'move-new.receipt'), (await deactivateLicense({ state: after.state, licenseKey: KEY })).text);
      const freed = await run('ledger', 'release', join(tmp, 'move-new.receipt'), '--ledger', moveDir, '--json');
      expect(freed.code, freed.err).toBe(0);
      expect(JSON.parse(freed.out)).toMatchObject({ deviceKeyId: second.deviceKeyId });
      expect(JSON.parse((await run('ledger', 'list', '--ledger', moveDir, '--json')).out).licenses[0].seatsHeld).toBe(0);
    }, 60_000);

    test('respond, and every command that reads a ledger, refuses a ledger folder that does not exist (a mistyped --ledger) and creates nothing', async () => {
      const request = join(tmp, 'missing-ledger.req');
      const made = await createActivationRequest({ state: (await fixtureState()).state, licenseKey: KEY });
      writeFileSync(request, made.text);
      const missing = join(tmp, 'no-such-ledger');
      const answer = await run('respond', request, '--private-key', join(vendor, 'private.jwk.json'), '--ledger', missing);
      expect(answer.code).toBe(2);
      expect(answer.err).toContain('[ERR_LEDGER_NOT_FOUND]');
      expect(answer.out).toBe('');
      expect(existsSync(missing)).toBe(false);
      // Every other command that reads a ledger refuses it the same way, and creates nothing.
      const priv = join(vendor, 'private.jwk.json');
      for (const args of [
        ['ledger', 'list', '--ledger', missing],
        ['ledger', 'revoke', '--ledger', missing, '--license-key', KEY],
        ['ledger', 'release', request, '--ledger', missing],
        ['ledger', 'release-seat', '--ledger', missing, '--license-key', KEY, '--device', made.deviceKeyId],
        ['customer', 'bundle', '--ledger', missing, '--customer', 'cus_1', '--private-key', priv, '--out', join(tmp, 'never.bundle')],
      ]) {
        const r = await run(...args);
        expect([r.code, r.err.includes('[ERR_LEDGER_NOT_FOUND]')], args.slice(0, 2).join(' ')).toEqual([2, true]);
      }
      expect(existsSync(missing)).toBe(false);
    }, 60_000);
  });

  test('release-seat frees a seat without a receipt, recorded as the vendor\'s; again, or an unknown license or device: exit 2', async () => {
    const dir = join(tmp, 'l-vendor');
    expect((await run('ledger', 'add-license', '--ledger', dir, '--license-key', KEY, '--product-id', '1', '--max-machines', '1')).code).toBe(0);
    const ledger = await openLedger(dir, { create: false });
    await ledger.takeSeat(KEY, (license) => ({ id: 'act-dead', licenseKey: license.licenseKey, deviceKeyId: 'dead-machine', devicePublicKey: 'pk', fingerprint: null, activatedMs: 1_000, releasedMs: null }));
    const freed = await run('ledger', 'release-seat', '--ledger', dir, '--license-key', KEY, '--device', 'dead-machine', '--now', '2026-03-01T00:00:00Z', '--json');
    expect(freed.code, freed.err).toBe(0);
    expect(JSON.parse(freed.out)).toEqual({ licenseKey: KEY, deviceKeyId: 'dead-machine', activationId: 'act-dead', releasedAt: '2026-03-01T00:00:00.000Z', releasedBy: 'vendor' });
    expect(await (await openLedger(dir, { create: false })).listActivations(KEY)).toMatchObject([{ id: 'act-dead', releasedMs: Date.parse('2026-03-01T00:00:00Z'), releasedBy: 'vendor' }]);
    expect(JSON.parse((await run('ledger', 'list', '--ledger', dir, '--json')).out).licenses[0].seatsHeld).toBe(0);
    const again = await run('ledger', 'release-seat', '--ledger', dir, '--license-key', KEY, '--device', 'dead-machine');
    expect([again.code, again.err.includes('[ERR_LEDGER_NOT_FOUND]')]).toEqual([2, true]);
    const unknown = await run('ledger', 'release-seat', '--ledger', dir, '--license-key', 'NOPE', '--device', 'dead-machine');
    expect([unknown.code, unknown.err.includes('[ERR_LEDGER_NOT_FOUND]')]).toEqual([2, true]);
    const noDevice = await run('ledger', 'release-seat', '--ledger', dir, '--license-key', KEY);
    expect([noDevice.code, noDevice.err.includes('--device')]).toEqual([2, true]);
    const noLedger = await run('ledger', 'release-seat', '--ledger', join(tmp, 'nowhere'), '--license-key', KEY, '--device', 'd');
    expect([noLedger.code, noLedger.err.includes('[ERR_LEDGER_NOT_FOUND]'), existsSync(join(tmp, 'nowhere'))]).toEqual([2, true, false]);
    const human = await run('ledger', 'release-seat', '--help');
    expect([human.code, human.out.includes('WITHOUT a deactivation receipt')]).toEqual([0, true]);
  }, 60_000);
});

/** A state in this process on the machine of a fingerprint fixture (program "licensekit", as the bin's default), trusting the test vendor's key. */
async function fixtureState() {
  const { snapshot } = JSON.parse(readFileSync(join(FIXTURES_DIR, 'fingerprints', 'linux-server.json'), 'utf8'));
  const fp = fingerprintFromSnapshot(snapshot, 'licensekit');
  const state = await openState({ program: 'licensekit', key: readFileSync(join(tmp, 'vendor', 'public.pem'), 'utf8'), store: new MemoryStore(), machineCode: fp.machineCode, clockEvidence: false });
  return { state, fingerprint: serializeFingerprint(recordFingerprint(fp)) };
}
