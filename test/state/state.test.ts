/**
 * licensekit/state end to end (Node entry, memory and file stores): Whop-style
 * HWID binding with vendor-signed resets, NetLicensing's licensee-secret modes,
 * clock rollback (the trusted-time mark, its reset by a newer vendor-signed
 * license, and first-run evidence), revocation lists that never roll back,
 * grace after expiry, and a tampered or copied state.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { signResetMessage, signRevocationList } from '../../src/formats/native/issue.ts';
import { issueNativeLicense, type NativeLicenseClaims } from '../../src/issuer/index.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import { FileStore, MemoryStore, openState, type StateStore } from '../../src/state/index.node.ts';

const keyFile = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const ED = { privateJwk: JSON.parse(keyFile('vendor-ed25519.private.jwk.json')) as Record<string, string>, publicPem: keyFile('vendor-ed25519.public.pem') };
const DAY = 86_400_000;
const T0 = new Date('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const sign = { privateJwk: ED.privateJwk, backend: nodeBackend };

async function license(claims: Partial<NativeLicenseClaims> = {}, signedAt = T0) {
  return (await issueNativeLicense({ product: 'acme-cad', key: 'AAAAA-BBBBB-CCCCC-DDDDD', id: Uint8Array.of(0xa1), expires: at(365), ...claims } as NativeLicenseClaims, { privateJwk: ED.privateJwk, now: signedAt })).text;
}
const open = (store: StateStore = new MemoryStore(), extra: Partial<Parameters<typeof openState>[0]> = {}) => openState({ program: 'acme-cad', key: ED.publicPem, store, machineCode: 'MACHINE-A', clockEvidence: false, ...extra });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}

describe('HWID binding with reset (Whop)', () => {
  test('first use binds (201), another HWID is 400 until a vendor-signed reset, an unknown key is 404; resets are never replayed', async () => {
    const state = await open();
    const activated = await state.activate(await license({ bindHwid: true }), { now: at(1), hwid: 'HWID-1' });
    expect(activated.verdict.valid).toBe(true);
    expect(activated.bound).toEqual(['hwid']);
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2), hwid: 'HWID-1' })).toMatchObject({ outcome: 'valid', status: 201 });
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), hwid: 'HWID-2' })).toMatchObject({ outcome: 'mismatch', status: 400, reasons: ['HWID_MISMATCH'] });
    expect(await state.validate('ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ', { now: at(3), hwid: 'HWID-1' })).toMatchObject({ outcome: 'not-found', status: 404 });

    const reset = (await signResetMessage('AAAAA-BBBBB-CCCCC-DDDDD', 1, { ...sign, now: at(4) })).text;
    expect(await state.importMessage(reset, { now: at(4) })).toEqual({ kind: 'reset', licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD', counter: 1 });
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(5), hwid: 'HWID-2' })).toMatchObject({ outcome: 'valid', bound: ['hwid'] });
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(6), hwid: 'HWID-1' })).toMatchObject({ outcome: 'mismatch' });
    expect(await code(state.importMessage(reset, { now: at(6) }))).toBe('ERR_MESSAGE_INVALID'); // replayed
    const status = await state.status();
    expect(status.licenses[0]!.hwidHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(status)).not.toContain('HWID-2');
  });
});

describe("licensee secret (NetLicensing's modes)", () => {
  test('client mode binds the first secret given and then works like predefined; secrets are never stored in clear', async () => {
    const store = new MemoryStore();
    const state = await open(store);
    expect((await state.activate(await license({ licenseeSecret: { mode: 'client' } }), { now: at(1), licenseeSecret: 'hash-of-hardware' })).bound).toEqual(['secret']);
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2), licenseeSecret: 'hash-of-hardware' })).toMatchObject({ valid: true });
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), licenseeSecret: 'another' })).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3) })).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
    for (const bytes of store.files.values()) expect(Buffer.from(bytes).includes(Buffer.from('hash-of-hardware'))).toBe(false);
  });

  test('predefined mode checks the vendor-set secret; the mode is signed, so a customer cannot downgrade it', async () => {
    const state = await open();
    await state.activate(await license({ licenseeSecret: { mode: 'predefined', secret: 'DONGLE-42' } }), { now: at(1), licenseeSecret: 'DONGLE-42' });
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2), licenseeSecret: 'DONGLE-43' })).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2), licenseeSecret: 'DONGLE-43', licenseeSecretMode: 'disabled' })).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
  });
});

describe('clock rollback', () => {
  test('a check before the latest trusted time fails; the mark never moves back; a newer vendor-signed license resets it', async () => {
    const state = await open();
    await state.activate(await license(), { now: at(10) });
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(5) })).reasons).toEqual(['CLOCK_ROLLED_BACK']);
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(9) })).reasons).toEqual(['CLOCK_ROLLED_BACK']);
    // The clock was once wrongly far ahead: the mark went there.
    await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3000) });
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(11) })).reasons).toEqual(['CLOCK_ROLLED_BACK']);
    // A refreshed license, signed later than anything seen from the vendor, resets the mark to its signing time.
    expect((await state.activate(await license({}, at(11)), { now: at(11) })).verdict.valid).toBe(true);
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(12) })).valid).toBe(true);
    expect((await state.status()).trustedTime).toBe(at(12).toISOString());
  });

  test('on a first run, a system file modified later than the clock claims is evidence of a rollback', async () => {
    const withEvidence = await openState({ program: 'acme-cad', key: ED.publicPem, store: new MemoryStore(), machineCode: 'MACHINE-A', clockEvidence: true });
    // A clock set years back: the real files on this machine are newer than it.
    const rolled = await withEvidence.activate(await license({}, new Date('2020-01-01T00:00:00Z')), { now: new Date('2020-06-01T00:00:00Z') });
    expect(rolled.verdict.reasons).toContain('CLOCK_ROLLED_BACK');
    expect(rolled.verdict.checks.find((c) => c.check === 'clock')!.detail).toMatch(/was modified 20\d\d-/);
    // With the clock right, the same evidence is no objection.
    const now = new Date();
    const fine = await openState({ program: 'acme-cad', key: ED.publicPem, store: new MemoryStore(), machineCode: 'MACHINE-A', clockEvidence: true });
    expect((await fine.activate(await license({ expires: new Date(now.getTime() + 30 * DAY) }, new Date(now.getTime() - DAY)), { now })).verdict.valid).toBe(true);
  });
});

describe('revocation lists', () => {
  test('a revoked license fails with REVOKED; an older or equal list is refused; a newer list can lift it', async () => {
    const state = await open();
    await state.activate(await license(), { now: at(1) });
    const list = async (seq: number, revoked: string[], days: number) => (await signRevocationList(seq, revoked, { ...sign, now: at(days) })).text;
    expect(await state.importMessage(await list(5, ['a1'], 2))).toEqual({ kind: 'revocations', sequence: 5, revoked: 1 });
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3) })).reasons).toEqual(['REVOKED']);
    expect(await code(state.importMessage(await list(5, [], 4)))).toBe('ERR_MESSAGE_INVALID');
    expect(await code(state.importMessage(await list(4, [], 4)))).toBe('ERR_MESSAGE_INVALID');
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(5) })).reasons).toEqual(['REVOKED']);
    await state.importMessage(await list(6, ['EEEEE-FFFFF-GGGGG-HHHHH'], 5));
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(6) })).valid).toBe(true);
  });

  test('a message signed by another key, or a license given as a message, is refused', async () => {
    const state = await open();
    const other = JSON.parse(keyFile('other-ed25519.private.jwk.json'));
    expect(await code(state.importMessage((await signRevocationList(9, [], { privateJwk: other, backend: nodeBackend, now: at(1) })).text))).toBe('ERR_MESSAGE_INVALID');
    expect(await code(state.importMessage(await license()))).toBe('ERR_MESSAGE_INVALID');
  });
});

describe('grace and tampering', () => {
  test('within graceDays after expiry the license stays valid with EXPIRED_IN_GRACE', async () => {
    const state = await open();
    await state.activate(await license({ expires: at(30), graceDays: 7 }), { now: at(1) });
    const inGrace = await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(33) });
    expect(inGrace).toMatchObject({ valid: true });
    expect(inGrace.verdict!.warnings).toContain('EXPIRED_IN_GRACE');
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(38) })).reasons).toEqual(['EXPIRED']);
  });

  test('a state copied to another machine is refused, or started over when the program says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'licensekit-state-'));
    const here = await open(new FileStore({ directory: dir }));
    await here.activate(await license(), { now: at(1) });
    const copied = await open(new FileStore({ directory: dir }), { machineCode: 'MACHINE-B' });
    expect(await code(copied.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2) }))).toBe('ERR_STATE_TAMPERED');
    expect((await copied.status()).warnings).toContain('STATE_TAMPERED');
    const lenient = await open(new FileStore({ directory: dir }), { machineCode: 'MACHINE-B', onTampered: 'start-over' });
    expect(await lenient.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2) })).toMatchObject({ outcome: 'not-found', stateWarnings: ['STATE_TAMPERED'] });
  });

  test('a hand-edited state (one byte of the sealed document) is refused', async () => {
    const store = new MemoryStore();
    const state = await open(store);
    await state.activate(await license(), { now: at(1) });
    // An editor who changes the document and writes it back through the store (so the store's own CRC is right):
    await store.update((current) => {
      const edited = current!.slice();
      edited[edited.length - 40]! ^= 1;
      return edited;
    });
    expect(await code(state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2) }))).toBe('ERR_STATE_TAMPERED');
  });
});

describe('the default HWID', () => {
  test("is this machine's code: a state opened on another machine code is a mismatch until a reset", async () => {
    const store = new MemoryStore();
    const state = await open(store);
    await state.activate(await license({ bindHwid: true }), { now: at(1) });
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2) })).toMatchObject({ outcome: 'valid' });
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), hwid: 'MACHINE-A' })).toMatchObject({ outcome: 'valid' });
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), hwid: 'MACHINE-Z' })).toMatchObject({ outcome: 'mismatch', status: 400 });
  });
});

describe('refreshes', () => {
  test('a refreshed license with a new license id keeps the bindings made under its key', async () => {
    const state = await open();
    await state.activate(await license({ bindHwid: true, licenseeSecret: { mode: 'client' } }), { now: at(1), hwid: 'HWID-1', licenseeSecret: 'S' });
    const refresh = await license({ bindHwid: true, licenseeSecret: { mode: 'client' }, id: Uint8Array.of(0xb2) }, at(2));
    expect((await state.activate(refresh, { now: at(2), hwid: 'HWID-1', licenseeSecret: 'S' })).verdict.valid).toBe(true);
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), hwid: 'HWID-2', licenseeSecret: 'S' })).reasons).toEqual(['HWID_MISMATCH']);
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), hwid: 'HWID-1', licenseeSecret: 'T' })).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
  });
});

describe('review findings', () => {
  const damageNewest = (dir: string, all = false) => {
    const files = readdirSync(dir).filter((n) => /^state\.\d+\.lks$/.test(n)).sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]));
    for (const name of all ? files : files.slice(0, 1)) {
      const bytes = readFileSync(join(dir, name));
      bytes[bytes.length - 1]! ^= 1;
      writeFileSync(join(dir, name), bytes);
    }
  };

  test('one damaged byte in the newest state file does not silently undo the last write (a revocation): it is tampering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'licensekit-state-'));
    const state = await open(new FileStore({ directory: dir }));
    await state.activate(await license(), { now: at(1) });
    await state.importMessage((await signRevocationList(1, ['AAAAA-BBBBB-CCCCC-DDDDD'], { ...sign, now: at(2) })).text);
    damageNewest(dir);
    expect(await code(state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(4) }))).toBe('ERR_STATE_TAMPERED');
    expect(await state.status()).toMatchObject({ verified: false, warnings: ['STATE_TAMPERED'] });
    const lenient = await open(new FileStore({ directory: dir }), { onTampered: 'start-over' });
    expect(await lenient.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(4) })).toMatchObject({ outcome: 'not-found', stateWarnings: ['STATE_TAMPERED'] });
  });

  test('every state file damaged: refused as tampering, not a silent fresh start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'licensekit-state-'));
    const state = await open(new FileStore({ directory: dir }));
    await state.activate(await license(), { now: at(1) });
    await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(5) });
    damageNewest(dir, true);
    expect(await code(state.activate(await license(), { now: at(0) }))).toBe('ERR_STATE_TAMPERED');
    expect(await state.status()).toMatchObject({ verified: false, warnings: ['STATE_TAMPERED'] });
  });

  test('an older copy of a license never replaces the newer one the state holds', async () => {
    const state = await open();
    await state.activate(await license({ bindHwid: true, licenseeSecret: { mode: 'client' } }, at(10)), { now: at(10), hwid: 'H1', licenseeSecret: 'S' });
    expect(await code(state.activate(await license({}, at(0)), { now: at(11) }))).toBe('ERR_MESSAGE_INVALID');
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(12), hwid: 'H2' })).reasons).toEqual(['LICENSEE_SECRET_MISSING', 'HWID_MISMATCH']);
  });

  test('a fractional now is taken to the millisecond, and a time before 1970 is refused; neither locks the state', async () => {
    const state = await open();
    expect((await state.activate(await license(), { now: at(1).getTime() + 0.5 })).verdict.valid).toBe(true);
    expect(await code(state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: -1000 }))).toBe('ERR_OPTION_INVALID');
    expect((await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(2) })).valid).toBe(true);
  });

  test('400 only when the HWID is the one thing wrong: a revoked license on another HWID is invalid (403)', async () => {
    const state = await open();
    await state.activate(await license({ bindHwid: true }), { now: at(1), hwid: 'H1' });
    await state.importMessage((await signRevocationList(1, ['AAAAA-BBBBB-CCCCC-DDDDD'], { ...sign, now: at(2) })).text);
    expect(await state.validate('AAAAA-BBBBB-CCCCC-DDDDD', { now: at(3), hwid: 'H2' })).toMatchObject({ outcome: 'invalid', status: 403, reasons: ['HWID_MISMATCH', 'REVOKED'] });
  });

  test('wrong argument types are typed option errors, never a TypeError', async () => {
    const state = await open();
    expect(await code(state.activate(null as never))).toBe('ERR_OPTION_INVALID');
    expect(await code(state.activate(42 as never))).toBe('ERR_OPTION_INVALID');
    expect(await code(state.importMessage(null as never))).toBe('ERR_OPTION_INVALID');
    expect(await code(state.activate(await license(), null as never))).toBe('ERR_OPTION_INVALID');
    expect(await code(state.validate('AAAAA-BBBBB-CCCCC-DDDDD', null as never))).toBe('ERR_OPTION_INVALID');
  });
});
