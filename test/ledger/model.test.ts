/**
 * Model-based tests (fast-check commands) of both built-in ledgers against a
 * plain model: licenses, customers with unique secrets, seats taken under a
 * machine limit by a deciding closure, seats moved to a new device key (the
 * same machine re-created), releases by receipts accepted once, and the
 * vendor's release without a receipt.
 * For the file ledger, the commands also reopen the folder (a restart) and
 * open a second instance on it (another process's view), which must agree.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import type { Ledger, LedgerActivation, LedgerLicense } from '../../src/ledger/ledger.ts';
import { MemoryLedger } from '../../src/ledger/memory.ts';
import { openLedger } from '../../src/ledger/file.node.ts';
import { LedgerError } from '../../src/lib/errors.ts';

interface Model {
  licenses: Map<string, { productId: number; maxMachines: number; customerId: string | null; revoked: boolean; createdMs: number }>;
  customers: Map<string, { name: string; secret: string; createdMs: number }>;
  activations: { id: string; licenseKey: string; deviceKeyId: string; activatedMs: number; releasedMs: number | null; replaces: string | null; releasedBy: 'receipt' | 'moved' | 'vendor' | null }[];
  receipts: Set<string>;
  nextActivation: number;
}

interface Real {
  ledger: Ledger;
  /** Reopens the ledger (file only). */
  reopen?: () => Promise<Ledger>;
}

const KEYS = ['K1', 'K2', 'K3'];
const CUSTOMERS = ['c1', 'c2'];
const SECRETS = ['S1', 'S2', 'S3'];
const DEVICES = ['d1', 'd2', 'd3', 'd4'];
const RECEIPTS = ['r1', 'r2', 'r3', 'r4', 'r5'];

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerError);
    return (error as LedgerError).code;
  }
}

/** The seat policy the exchange applies: the same device keeps its seat; a new one takes a free seat; revoked or full refuses. */
function decider(model: Model, deviceKeyId: string, nowMs: number) {
  return (license: LedgerLicense, held: readonly LedgerActivation[]): LedgerActivation | null => {
    const mine = held.find((a) => a.deviceKeyId === deviceKeyId);
    if (mine) return mine;
    if (license.revoked || held.length >= license.maxMachines) return null;
    return { id: `a${model.nextActivation}`, licenseKey: license.licenseKey, deviceKeyId, devicePublicKey: `pk-${deviceKeyId}`, fingerprint: null, activatedMs: nowMs, releasedMs: null };
  };
}

async function agree(model: Model, ledger: Ledger): Promise<void> {
  const licenses = await ledger.listLicenses();
  expect(licenses.map((l) => [l.licenseKey, l.productId, l.maxMachines, l.customerId, l.revoked, l.createdMs])).toEqual(
    [...model.licenses].map(([k, l]) => [k, l.productId, l.maxMachines, l.customerId, l.revoked, l.createdMs]),
  );
  expect((await ledger.listCustomers()).map((c) => [c.id, c.name, c.secret, c.createdMs])).toEqual([...model.customers].map(([id, c]) => [id, c.name, c.secret, c.createdMs]));
  expect((await ledger.listActivations()).map((a) => [a.id, a.licenseKey, a.deviceKeyId, a.activatedMs, a.releasedMs, a.replaces, a.releasedBy])).toEqual(
    model.activations.map((a) => [a.id, a.licenseKey, a.deviceKeyId, a.activatedMs, a.releasedMs, a.replaces, a.releasedBy]),
  );
  for (const [key] of model.licenses) {
    // A device holds at most one seat of a license.
    const devices = model.activations.filter((a) => a.licenseKey === key && a.releasedMs === null).map((a) => a.deviceKeyId);
    expect(new Set(devices).size).toBe(devices.length);
  }
  for (const c of CUSTOMERS) {
    expect((await ledger.listLicenses({ customerId: c })).map((l) => l.licenseKey)).toEqual([...model.licenses].filter(([, l]) => l.customerId === c).map(([k]) => k));
  }
  for (const [key, l] of model.licenses) {
    const held = model.activations.filter((a) => a.licenseKey === key && a.releasedMs === null);
    expect(held.length).toBeLessThanOrEqual(l.maxMachines);
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;

class AddLicense implements Cmd {
  constructor(readonly key: string, readonly productId: number, readonly max: number, readonly customer: string | null, readonly now: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const code = await codeOf(r.ledger.addLicense({ licenseKey: this.key, productId: this.productId, maxMachines: this.max, customerId: this.customer }, this.now));
    const expected = m.licenses.has(this.key) ? 'ERR_LEDGER_DUPLICATE' : this.customer !== null && !m.customers.has(this.customer) ? 'ERR_LEDGER_NOT_FOUND' : undefined;
    expect(code).toBe(expected);
    if (!expected) m.licenses.set(this.key, { productId: this.productId, maxMachines: this.max, customerId: this.customer, revoked: false, createdMs: this.now });
    await agree(m, r.ledger);
  }
  toString = () => `addLicense(${this.key}, max ${this.max}, ${this.customer})`;
}

class Revoke implements Cmd {
  constructor(readonly key: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const code = await codeOf(r.ledger.revokeLicense(this.key));
    const license = m.licenses.get(this.key);
    expect(code).toBe(license ? undefined : 'ERR_LEDGER_NOT_FOUND');
    if (license) license.revoked = true;
    await agree(m, r.ledger);
  }
  toString = () => `revoke(${this.key})`;
}

class AddCustomer implements Cmd {
  constructor(readonly id: string | undefined, readonly secret: string, readonly now: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    let made: string | undefined;
    let code: string | undefined;
    try {
      made = (await r.ledger.addCustomer(this.id === undefined ? { name: 'N', secret: this.secret } : { name: 'N', secret: this.secret, id: this.id }, this.now)).id;
    } catch (error) {
      expect(error).toBeInstanceOf(LedgerError);
      code = (error as LedgerError).code;
      if (code === 'ERR_CUSTOMER_SECRET_TAKEN') expect((error as Error).message).toBe('A customer with the same secret exists.');
    }
    const expected =
      this.id !== undefined && m.customers.has(this.id) ? 'ERR_LEDGER_DUPLICATE' : [...m.customers.values()].some((c) => c.secret === this.secret) ? 'ERR_CUSTOMER_SECRET_TAKEN' : undefined;
    expect(code).toBe(expected);
    if (!expected) {
      if (this.id !== undefined) expect(made).toBe(this.id);
      expect(m.customers.has(made!)).toBe(false);
      m.customers.set(made!, { name: 'N', secret: this.secret, createdMs: this.now });
    }
    for (const s of SECRETS) {
      const id = [...m.customers].find(([, c]) => c.secret === s)?.[0] ?? null;
      expect((await r.ledger.findCustomerBySecret(s))?.id ?? null).toBe(id);
    }
    await agree(m, r.ledger);
  }
  toString = () => `addCustomer(${this.id}, ${this.secret})`;
}

class TakeSeat implements Cmd {
  constructor(readonly key: string, readonly device: string, readonly now: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    let result: LedgerActivation | null | undefined;
    const code = await codeOf(r.ledger.takeSeat(this.key, decider(m, this.device, this.now)).then((a) => (result = a)));
    const license = m.licenses.get(this.key);
    if (!license) {
      expect(code).toBe('ERR_LEDGER_NOT_FOUND');
      return;
    }
    expect(code).toBeUndefined();
    const held = m.activations.filter((a) => a.licenseKey === this.key && a.releasedMs === null);
    const mine = held.find((a) => a.deviceKeyId === this.device);
    if (mine) expect(result?.id).toBe(mine.id);
    else if (license.revoked || held.length >= license.maxMachines) expect(result).toBeNull();
    else {
      expect(result?.id).toBe(`a${m.nextActivation}`);
      m.activations.push({ id: `a${m.nextActivation}`, licenseKey: this.key, deviceKeyId: this.device, activatedMs: this.now, releasedMs: null, replaces: null, releasedBy: null });
      m.nextActivation++;
    }
    await agree(m, r.ledger);
  }
  toString = () => `takeSeat(${this.key}, ${this.device})`;
}

class Release implements Cmd {
  constructor(readonly key: string, readonly device: string, readonly receipt: string, readonly now: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const result = await r.ledger.release(this.key, this.device, this.receipt, this.now);
    const seat = m.activations.find((a) => a.licenseKey === this.key && a.deviceKeyId === this.device && a.releasedMs === null);
    const expected = m.receipts.has(this.receipt) ? 'already-used' : seat ? 'released' : 'not-held';
    expect(result).toBe(expected);
    if (expected === 'released') {
      seat!.releasedMs = this.now;
      seat!.releasedBy = 'receipt';
      m.receipts.add(this.receipt);
    }
    await agree(m, r.ledger);
  }
  toString = () => `release(${this.key}, ${this.device}, ${this.receipt})`;
}

/**
 * The same machine asking with a new device key (`device`) while `from` holds
 * a seat whose fingerprint matches: the seat moves to `device` in one step
 * (respond's policy). A device that already holds a seat keeps it.
 */
class MoveSeat implements Cmd {
  constructor(readonly key: string, readonly device: string, readonly from: string, readonly now: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    let result: LedgerActivation | null | undefined;
    const code = await codeOf(
      r.ledger
        .takeSeat(this.key, (license, held) => {
          const mine = held.find((a) => a.deviceKeyId === this.device);
          if (mine) return mine;
          const old = held.find((a) => a.deviceKeyId === this.from);
          if (!old || license.revoked) return null;
          return { id: `a${m.nextActivation}`, licenseKey: license.licenseKey, deviceKeyId: this.device, devicePublicKey: `pk-${this.device}`, fingerprint: 'same-hardware', activatedMs: this.now, releasedMs: null, replaces: old.id };
        })
        .then((a) => (result = a)),
    );
    const license = m.licenses.get(this.key);
    if (!license) {
      expect(code).toBe('ERR_LEDGER_NOT_FOUND');
      return;
    }
    expect(code).toBeUndefined();
    const held = m.activations.filter((a) => a.licenseKey === this.key && a.releasedMs === null);
    const mine = held.find((a) => a.deviceKeyId === this.device);
    const old = held.find((a) => a.deviceKeyId === this.from);
    if (mine) expect(result?.id).toBe(mine.id);
    else if (!old || license.revoked) expect(result).toBeNull();
    else {
      expect(result).toMatchObject({ id: `a${m.nextActivation}`, replaces: old.id, releasedMs: null });
      old.releasedMs = this.now;
      old.releasedBy = 'moved';
      m.activations.push({ id: `a${m.nextActivation}`, licenseKey: this.key, deviceKeyId: this.device, activatedMs: this.now, releasedMs: null, replaces: old.id, releasedBy: null });
      m.nextActivation++;
    }
    await agree(m, r.ledger);
  }
  toString = () => `moveSeat(${this.key}, ${this.from} → ${this.device})`;
}

/** The vendor's override: frees the seat a device holds without a receipt. */
class VendorRelease implements Cmd {
  constructor(readonly key: string, readonly device: string, readonly now: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    let result: LedgerActivation | null | undefined;
    const code = await codeOf(r.ledger.releaseSeat!(this.key, this.device, this.now).then((a) => (result = a)));
    if (!m.licenses.has(this.key)) {
      expect(code).toBe('ERR_LEDGER_NOT_FOUND');
      return;
    }
    expect(code).toBeUndefined();
    const seat = m.activations.find((a) => a.licenseKey === this.key && a.deviceKeyId === this.device && a.releasedMs === null);
    if (!seat) expect(result).toBeNull();
    else {
      expect(result).toMatchObject({ id: seat.id, releasedMs: this.now, releasedBy: 'vendor' });
      seat.releasedMs = this.now;
      seat.releasedBy = 'vendor';
    }
    await agree(m, r.ledger);
  }
  toString = () => `vendorRelease(${this.key}, ${this.device})`;
}

class Reopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.ledger = await r.reopen!();
    await agree(m, r.ledger);
  }
  toString = () => 'reopen';
}

const now = fc.integer({ min: 0, max: 2 ** 45 });
const commonCommands = [
  fc.tuple(fc.constantFrom(...KEYS), fc.nat(3), fc.nat(3), fc.option(fc.constantFrom(...CUSTOMERS), { nil: null }), now).map(([k, p, max, c, t]) => new AddLicense(k, p, max, c, t)),
  fc.constantFrom(...KEYS).map((k) => new Revoke(k)),
  fc.tuple(fc.option(fc.constantFrom(...CUSTOMERS), { nil: undefined }), fc.constantFrom(...SECRETS), now).map(([id, s, t]) => new AddCustomer(id, s, t)),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...DEVICES), now).map(([k, d, t]) => new TakeSeat(k, d, t)),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...DEVICES), now).map(([k, d, t]) => new TakeSeat(k, d, t)),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...DEVICES), fc.constantFrom(...RECEIPTS), now).map(([k, d, rc, t]) => new Release(k, d, rc, t)),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...DEVICES), fc.constantFrom(...DEVICES), now).map(([k, d, from, t]) => new MoveSeat(k, d, from, t)),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...DEVICES), now).map(([k, d, t]) => new VendorRelease(k, d, t)),
];

const emptyModel = (): Model => ({ licenses: new Map(), customers: new Map(), activations: [], receipts: new Set(), nextActivation: 1 });

const root = mkdtempSync(join(tmpdir(), 'licensekit-ledger-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ledger model', () => {
  test('MemoryLedger agrees with the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commonCommands, { maxCommands: 80, size: 'max' }), async (cmds) => {
        await fc.asyncModelRun(() => ({ model: emptyModel(), real: { ledger: new MemoryLedger() } }), cmds);
      }),
      { numRuns: 100 },
    );
  });

  test('the file ledger agrees with the model, across reopenings', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands([...commonCommands, fc.constant(new Reopen())], { maxCommands: 40, size: 'max' }), async (cmds) => {
        const dir = join(root, `run-${run++}`);
        const ledger = await openLedger(dir);
        await fc.asyncModelRun(() => ({ model: emptyModel(), real: { ledger, reopen: () => openLedger(dir, { create: false }) } }), cmds);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
