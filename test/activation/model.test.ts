/**
 * The exchange against a plain model (fast-check commands): three machines
 * (states with fixture fingerprints) and one ledger of two seats; requests,
 * responses, activations of any response on any machine, deactivations and
 * releases in any order. The model says which seats are held (and the
 * highest request number each answered), which nonces each state has pending
 * or used, and what each step must answer; after each step the ledger's held
 * seats and each state's licenses must agree with it, and no machine holds the
 * license without holding a seat.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { createActivationRequest, deactivateLicense, releaseReceipt, respondToActivationRequest } from '../../src/activation/index.node.ts';
import { MemoryLedger } from '../../src/ledger/index.node.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import type { LicenseState } from '../../src/state/index.node.ts';
import { VENDOR, T0, machine, stateOn } from './support.ts';

const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const LIMIT = 2;
const MACHINES = [machine('linux-server'), machine('macos-laptop'), machine('windows-desktop')];

interface Model {
  /** Machines holding a seat → the highest request number answered for it. */
  seats: Map<number, number>;
  /** Requests each machine made (its state numbers them from 1). */
  count: number[];
  pending: string[][]; // per machine, oldest first (at most 16)
  used: Set<string>[];
  active: (number | null)[]; // per machine: the signing time (ms) of the license it holds, or null
  requests: { m: number; nonce: string; text: string; seq: number }[];
  responses: { m: number; nonce: string; text: string; signedMs: number }[];
  receipts: { m: number; text: string; used: boolean; seq: number }[];
}
interface Real {
  ledger: MemoryLedger;
  states: LicenseState[];
  clock: { ms: number };
  /** Each state's device key id. */
  devices: string[];
}

/** After every step: the ledger's held seats and each state's licenses are the model's. */
async function agree(model: Model, real: Real): Promise<void> {
  const held = (await real.ledger.listActivations(KEY)).filter((a) => a.releasedMs === null).map((a) => real.devices.indexOf(a.deviceKeyId)).sort();
  expect(held).toEqual([...model.seats.keys()].sort());
  for (let i = 0; i < MACHINES.length; i++) {
    expect((await real.states[i]!.status()).licenses.length).toBe(model.active[i] === null ? 0 : 1);
    // The point of it all: a machine that holds the license holds a seat.
    if (model.active[i] !== null) expect(held).toContain(i);
  }
}

const tick = (r: Real) => new Date((r.clock.ms += 60_000));
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return error.code;
  }
}

class Request implements fc.AsyncCommand<Model, Real> {
  constructor(readonly m: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await this.step(model, real);
    await agree(model, real);
  }
  async step(model: Model, real: Real) {
    const made = await createActivationRequest({ state: real.states[this.m]!, licenseKey: KEY, fingerprint: MACHINES[this.m]!.fingerprint, now: tick(real) });
    model.pending[this.m] = [...model.pending[this.m]!, made.nonce].slice(-16);
    model.count[this.m]! += 1;
    model.requests.push({ m: this.m, nonce: made.nonce, text: made.text, seq: model.count[this.m]! });
  }
  toString = () => `request(${this.m})`;
}

class Respond implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    await this.step(model, real);
    await agree(model, real);
  }
  async step(model: Model, real: Real) {
    const req = model.requests[this.i % model.requests.length]!;
    const now = tick(real);
    let answer;
    const outcome = await codeOf((async () => (answer = await respondToActivationRequest(req.text, { privateJwk: VENDOR.privateJwk, ledger: real.ledger, now })))());
    const expected = model.seats.has(req.m) || model.seats.size < LIMIT ? 'ok' : 'ERR_ACTIVATION_LIMIT_REACHED';
    expect(outcome).toBe(expected);
    if (answer !== undefined) {
      expect((answer as { kept: boolean }).kept).toBe(model.seats.has(req.m));
      model.seats.set(req.m, Math.max(model.seats.get(req.m) ?? 0, req.seq));
      model.responses.push({ m: req.m, nonce: req.nonce, text: (answer as { text: string }).text, signedMs: Math.floor(now.getTime() / 1000) * 1000 });
    }
  }
  toString = () => `respond(${this.i})`;
}

class Activate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly t: number) {}
  check = (model: Readonly<Model>) => model.responses.length > 0;
  async run(model: Model, real: Real) {
    await this.step(model, real);
    await agree(model, real);
  }
  async step(model: Model, real: Real) {
    const resp = model.responses[this.i % model.responses.length]!;
    const held = model.active[this.t]!;
    const now = tick(real);
    let result;
    const outcome = await codeOf((async () => (result = await real.states[this.t]!.activate(resp.text, { now })))());
    if (held !== null && resp.signedMs < held) {
      expect(outcome).toBe('ERR_MESSAGE_INVALID'); // an older copy never replaces the license the state holds
      return;
    }
    expect(outcome).toBe('ok');
    const { verdict } = result as unknown as { verdict: { valid: boolean; reasons: string[] } };
    const expected =
      this.t !== resp.m ? ['ACTIVATION_NONCE_UNKNOWN', 'DEVICE_MISMATCH', 'MACHINE_MISMATCH']
      : model.pending[this.t]!.includes(resp.nonce) ? []
      : model.used[this.t]!.has(resp.nonce) ? ['ACTIVATION_NONCE_USED']
      : ['ACTIVATION_NONCE_UNKNOWN'];
    expect([...verdict.reasons].sort()).toEqual(expected);
    if (expected.length === 0) {
      model.pending[this.t] = model.pending[this.t]!.filter((n) => n !== resp.nonce);
      model.used[this.t]!.add(resp.nonce);
      model.active[this.t] = resp.signedMs;
    }
  }
  toString = () => `activate(${this.i} on ${this.t})`;
}

class Deactivate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly m: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await this.step(model, real);
    await agree(model, real);
  }
  async step(model: Model, real: Real) {
    let receipt;
    const outcome = await codeOf((async () => (receipt = await deactivateLicense({ state: real.states[this.m]!, licenseKey: KEY, now: tick(real) })))());
    expect(outcome).toBe(model.active[this.m] !== null ? 'ok' : 'ERR_ACTIVATION_NOT_HELD');
    if (receipt !== undefined) {
      model.active[this.m] = null;
      model.pending[this.m] = [];
      model.receipts.push({ m: this.m, text: (receipt as { text: string }).text, used: false, seq: model.count[this.m]! });
    }
  }
  toString = () => `deactivate(${this.m})`;
}

class Release implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (model: Readonly<Model>) => model.receipts.length > 0;
  async run(model: Model, real: Real) {
    await this.step(model, real);
    await agree(model, real);
  }
  async step(model: Model, real: Real) {
    const receipt = model.receipts[this.i % model.receipts.length]!;
    const outcome = await codeOf(releaseReceipt(real.ledger, receipt.text, { now: tick(real) }));
    // A receipt frees the seat only if no request made after it was answered for that seat.
    const expected = receipt.used ? 'ERR_RECEIPT_USED' : model.seats.has(receipt.m) && model.seats.get(receipt.m)! <= receipt.seq ? 'ok' : 'ERR_RECEIPT_INVALID';
    expect(outcome).toBe(expected);
    if (expected === 'ok') {
      receipt.used = true;
      model.seats.delete(receipt.m);
    }
  }
  toString = () => `release(${this.i})`;
}

const m = fc.integer({ min: 0, max: MACHINES.length - 1 });
const commands = fc.commands(
  [
    m.map((x) => new Request(x)),
    m.map((x) => new Request(x)),
    fc.nat().map((i) => new Respond(i)),
    fc.nat().map((i) => new Respond(i)),
    fc.tuple(fc.nat(), m).map(([i, t]) => new Activate(i, t)),
    fc.tuple(fc.nat(), m).map(([i, t]) => new Activate(i, t)),
    m.map((x) => new Deactivate(x)),
    fc.nat().map((i) => new Release(i)),
  ],
  { maxCommands: 40, size: 'max' },
);

test.prop([commands], { numRuns: 30 })('request, respond, activate, deactivate and release agree with the model', async (cmds) => {
  const states = await Promise.all(MACHINES.map((x) => stateOn(x)));
  const ledger = new MemoryLedger();
  await ledger.addLicense({ licenseKey: KEY, productId: 1001, maxMachines: LIMIT, customerId: null }, T0.getTime());
  const devices = await Promise.all(states.map(async (st) => (await st.deviceKey()).keyId));
  const real: Real = { ledger, states, clock: { ms: T0.getTime() }, devices };
  const model: Model = { seats: new Map(), count: MACHINES.map(() => 0), pending: MACHINES.map(() => []), used: MACHINES.map(() => new Set()), active: MACHINES.map(() => null), requests: [], responses: [], receipts: [] };
  await fc.asyncModelRun(() => ({ model, real }), cmds);
}, 300_000);
