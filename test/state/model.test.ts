/**
 * Model-based test (fast-check commands) of the local state (issue 9) against
 * a plain model of what it should answer: per license key, which license of
 * the pool is stored, the HWID and client-mode secret bound (in clear in the
 * model; the state holds only their salted hashes), the reset counter; the
 * trusted-time mark, the vendor-signed mark, and the revocation list. The
 * commands activate, validate, move the clock forwards and back, import
 * resets and revocation lists, damage the newest generation (the store falls
 * back to the previous one, so the model keeps the previous document too),
 * and reopen the state from the same store. After every command the state's
 * `status()` must equal the model's document.
 *
 * The licenses and vendor messages are signed once (a small fixed pool):
 * signing in each run would be slow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { signResetMessage, signRevocationList } from '../../src/formats/native/issue.ts';
import { issueNativeLicense, type NativeLicenseClaims } from '../../src/issuer/index.ts';
import { hwidHash, licenseeSecretHash } from '../../src/license/secret.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import { generationOfEntry } from '../../src/state/store/generations.ts';
import { MemoryStore, openState, type LicenseState } from '../../src/state/index.node.ts';

const keyFile = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const PRIVATE_JWK = JSON.parse(keyFile('vendor-ed25519.private.jwk.json')) as Record<string, string>;
const PUBLIC_PEM = keyFile('vendor-ed25519.public.pem');
const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const day = (d: number) => T0 + d * DAY;
const PRODUCT = 'acme-cad';
const MACHINE = 'MACHINE-A';

/** One license of the pool, as the model sees its policy. */
interface PoolLicense {
  readonly key: string;
  readonly id: string;
  readonly signedMs: number;
  readonly bindHwid: boolean;
  readonly mode: 'client' | 'predefined' | 'disabled' | null;
  readonly predefined?: string;
  text: string;
}
const K1 = 'AAAAA-BBBBB-CCCCC-DDDDD';
const K2 = 'EEEEE-FFFFF-GGGGG-HHHHH';
const K3 = 'JJJJJ-KKKKK-LLLLL-MMMMM';
const K4 = 'NNNNN-PPPPP-QQQQQ-RRRRR';
const POOL: PoolLicense[] = [
  { key: K1, id: 'a1', signedMs: day(0), bindHwid: true, mode: null, text: '' },
  { key: K1, id: 'a1', signedMs: day(20), bindHwid: true, mode: null, text: '' }, // a refresh, signed later
  { key: K2, id: 'a2', signedMs: day(0), bindHwid: false, mode: 'client', text: '' },
  { key: K2, id: 'a2', signedMs: day(90), bindHwid: false, mode: 'client', text: '' }, // signed "in the future" of most clocks
  { key: K3, id: 'a3', signedMs: day(0), bindHwid: true, mode: 'predefined', predefined: 'S1', text: '' },
  { key: K4, id: 'a4', signedMs: day(0), bindHwid: false, mode: 'disabled', text: '' }, // a secret given is ignored
];
const HWIDS = [undefined, 'H1', 'H2'] as const;
const SECRETS = [undefined, 'S1', 'S2'] as const;
/** The secret given most often is the predefined one, so that predefined-mode licenses get activated and bind. */
const secretArb = fc.constantFrom(...SECRETS, 'S1');
const MESSAGE_DAYS = [3, 60] as const;
const RESET_KEYS = [K1, K3] as const;
const REVOKED_SETS: readonly (readonly string[])[] = [[], ['a1'], [K2]];
const resets = new Map<string, string>();
const lists = new Map<string, string>();

beforeAll(async () => {
  for (const l of POOL) {
    const claims = { product: PRODUCT, key: l.key, id: Uint8Array.of(Number.parseInt(l.id, 16)), expires: new Date(day(3650)), bindHwid: l.bindHwid, ...(l.mode === null ? {} : { licenseeSecret: l.mode === 'predefined' ? { mode: 'predefined', secret: l.predefined } : { mode: l.mode } }) };
    l.text = (await issueNativeLicense(claims as NativeLicenseClaims, { privateJwk: PRIVATE_JWK, now: new Date(l.signedMs) })).text;
  }
  const sign = (d: number) => ({ privateJwk: PRIVATE_JWK, backend: nodeBackend, now: new Date(day(d)) });
  for (const d of MESSAGE_DAYS) {
    for (const key of RESET_KEYS) for (const counter of [1, 2, 3]) resets.set(`${key}/${counter}/${d}`, (await signResetMessage(key, counter, sign(d))).text);
    for (const seq of [1, 2, 3]) for (let r = 0; r < REVOKED_SETS.length; r++) lists.set(`${seq}/${r}/${d}`, (await signRevocationList(seq, REVOKED_SETS[r]!, sign(d))).text);
  }
});

interface ModelEntry {
  readonly lic: PoolLicense;
  readonly secret: string | null;
  readonly hwid: string | null;
  readonly reset: number;
}
interface ModelDoc {
  readonly mark: number;
  readonly vendorMark: number;
  readonly licenses: ReadonlyMap<string, ModelEntry>;
  readonly revocations: { readonly seq: number; readonly revoked: readonly string[] } | null;
}
interface Model {
  clock: number;
  current: ModelDoc;
  /** The generation the newest replaced, which the store keeps (null: none). */
  prev: ModelDoc | null;
  written: boolean;
  /** The newest generation was damaged: reads fall back to `prev`, now `current`. */
  damaged: boolean;
}
interface Real {
  state: LicenseState;
  readonly store: MemoryStore;
}
const EMPTY: ModelDoc = { mark: 0, vendorMark: 0, licenses: new Map(), revocations: null };
const open = (store: MemoryStore) => openState({ program: PRODUCT, key: PUBLIC_PEM, store, machineCode: MACHINE, clockEvidence: false });

/** A committed write: the store keeps the generation it replaced. */
function write(m: Model, doc: ModelDoc): void {
  m.prev = m.written ? m.current : null;
  m.current = doc;
  m.written = true;
  m.damaged = false;
}

/** What a check of `lic` answers and leaves behind, by the issue's rules. */
function expectedCheck(doc: ModelDoc, lic: PoolLicense, stored: ModelEntry | undefined, hwid: string | undefined, secret: string | undefined, now: number) {
  // A newer vendor-signed license resets both marks to its signing time.
  const markDoc = lic.signedMs > doc.vendorMark ? { ...doc, mark: lic.signedMs, vendorMark: lic.signedMs } : doc;
  const reasons: string[] = [];
  if (lic.signedMs > now) reasons.push('SIGNED_IN_FUTURE');
  const rolledBack = markDoc.mark > 0 && now < markDoc.mark;
  if (rolledBack) reasons.push('CLOCK_ROLLED_BACK');
  if (lic.mode === 'client' || lic.mode === 'predefined') {
    const expected = lic.mode === 'predefined' ? lic.predefined! : (stored?.secret ?? null);
    if (secret === undefined) reasons.push('LICENSEE_SECRET_MISSING');
    else if (expected !== null && secret !== expected) reasons.push('LICENSEE_SECRET_MISMATCH');
  }
  const machineHwid = hwid ?? MACHINE; // the default HWID is this machine's code
  if (lic.bindHwid && stored?.hwid != null && stored.hwid !== machineHwid) reasons.push('HWID_MISMATCH');
  if (markDoc.revocations !== null && (markDoc.revocations.revoked.includes(lic.id) || markDoc.revocations.revoked.includes(lic.key))) reasons.push('REVOKED');
  const valid = reasons.length === 0;
  const bound: ('secret' | 'hwid')[] = [];
  let entry = stored;
  if (valid) {
    const bindSecret = lic.mode === 'client' && secret !== undefined && (stored?.secret ?? null) === null;
    const bindHwid = lic.bindHwid && (stored?.hwid ?? null) === null;
    if (bindSecret) bound.push('secret');
    if (bindHwid) bound.push('hwid');
    entry = { lic, secret: stored?.secret ?? (bindSecret ? secret! : null), hwid: stored?.hwid ?? (bindHwid ? machineHwid : null), reset: stored?.reset ?? 0 };
  }
  const mark = rolledBack ? markDoc.mark : Math.max(markDoc.mark, now);
  return { reasons, valid, bound, entry, doc: { ...markDoc, mark } };
}

const iso = (ms: number) => (ms === 0 ? null : new Date(ms).toISOString());
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The state's status must say what the model holds. */
async function checkStatus(m: Model, r: Real): Promise<void> {
  const s = await r.state.status();
  const d = m.current;
  expect(s.verified).toBe(true);
  expect(s.warnings).toEqual([]);
  expect(s.trustedTime).toBe(iso(d.mark));
  expect(s.vendorSignedTime).toBe(iso(d.vendorMark));
  expect(s.revocations === null ? null : [s.revocations.sequence, s.revocations.revoked]).toEqual(d.revocations === null ? null : [d.revocations.seq, d.revocations.revoked.length]);
  const licenses = [...s.licenses].sort((a, b) => (a.licenseKey < b.licenseKey ? -1 : 1)).map((l) => [l.licenseKey, l.resetCounter, l.hwidHash, l.secretHash]);
  const expected = [...d.licenses]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, e]) => [key, e.reset, e.hwid === null ? null : hex(hwidHash(PRODUCT, key, e.hwid)), e.secret === null ? null : hex(licenseeSecretHash(PRODUCT, key, e.secret))]);
  expect(licenses).toEqual(expected);
}

async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { code: string }> {
  try {
    return { ok: await p };
  } catch (error) {
    return { code: isLicenseKitError(error) ? error.code : `untyped ${String(error)}` };
  }
}

const options = (now: number, hwid: string | undefined, secret: string | undefined) => ({ now, ...(hwid === undefined ? {} : { hwid }), ...(secret === undefined ? {} : { licenseeSecret: secret }) });

class Activate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pool: number, readonly hwid: string | undefined, readonly secret: string | undefined) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const lic = POOL[this.pool]!;
    const held = m.current.licenses.get(lic.key);
    if (held !== undefined && lic.signedMs < held.lic.signedMs) {
      // An older copy never replaces the license the state holds (it would bring back an older policy).
      await expect(r.state.activate(lic.text, options(m.clock, this.hwid, this.secret))).rejects.toMatchObject({ code: 'ERR_MESSAGE_INVALID' });
      await checkStatus(m, r);
      return;
    }
    const got = await r.state.activate(lic.text, options(m.clock, this.hwid, this.secret));
    const want = expectedCheck(m.current, lic, m.current.licenses.get(lic.key), this.hwid, this.secret, m.clock);
    expect({ key: got.licenseKey, valid: got.verdict.valid, reasons: got.verdict.reasons, bound: got.bound }).toEqual({ key: lic.key, valid: want.valid, reasons: want.reasons, bound: want.bound });
    if (want.valid) write(m, { ...want.doc, licenses: new Map(want.doc.licenses).set(lic.key, want.entry!) });
    await checkStatus(m, r);
  }
  toString = (): string => `activate(#${this.pool}, hwid ${this.hwid}, secret ${this.secret})`;
}

class Validate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly hwid: string | undefined, readonly secret: string | undefined) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const got = await r.state.validate(this.key, options(m.clock, this.hwid, this.secret));
    const stored = m.current.licenses.get(this.key);
    if (stored === undefined) {
      expect([got.outcome, got.status, got.valid, got.reasons]).toEqual(['not-found', 404, false, []]);
    } else {
      const want = expectedCheck(m.current, stored.lic, stored, this.hwid, this.secret, m.clock);
      const out = want.valid ? ['valid', 201] : want.reasons.length === 1 && want.reasons[0] === 'HWID_MISMATCH' ? ['mismatch', 400] : ['invalid', 403];
      expect([got.outcome, got.status, got.valid, got.reasons, got.bound]).toEqual([...out, want.valid, want.reasons, want.bound]);
      // Every check of a stored license is written: the clock reading moves the mark.
      write(m, { ...want.doc, licenses: new Map(want.doc.licenses).set(this.key, want.entry!) });
    }
    await checkStatus(m, r);
  }
  toString = (): string => `validate(${this.key.slice(0, 5)}, hwid ${this.hwid}, secret ${this.secret})`;
}

class MoveClock implements fc.AsyncCommand<Model, Real> {
  constructor(readonly days: number) {}
  check = (): boolean => true;
  async run(m: Model): Promise<void> {
    m.clock += this.days * DAY;
  }
  toString = (): string => `clock ${this.days > 0 ? '+' : ''}${this.days}d`;
}

class ImportReset implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly counter: number, readonly signedDay: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const got = await outcome(r.state.importMessage(resets.get(`${this.key}/${this.counter}/${this.signedDay}`)!, { now: m.clock }));
    const stored = m.current.licenses.get(this.key);
    if (stored === undefined || this.counter <= stored.reset) {
      expect(got).toEqual({ code: 'ERR_MESSAGE_INVALID' });
    } else {
      expect(got).toEqual({ ok: { kind: 'reset', licenseKey: this.key, counter: this.counter } });
      const signed = day(this.signedDay);
      const d = m.current;
      const marks = signed > d.vendorMark ? { mark: signed, vendorMark: signed } : {};
      write(m, { ...d, ...marks, licenses: new Map(d.licenses).set(this.key, { ...stored, hwid: null, reset: this.counter }) });
    }
    await checkStatus(m, r);
  }
  toString = (): string => `reset(${this.key.slice(0, 5)} #${this.counter}, signed day ${this.signedDay})`;
}

class ImportList implements fc.AsyncCommand<Model, Real> {
  constructor(readonly seq: number, readonly set: number, readonly signedDay: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const got = await outcome(r.state.importMessage(lists.get(`${this.seq}/${this.set}/${this.signedDay}`)!, { now: m.clock }));
    const d = m.current;
    if (d.revocations !== null && this.seq <= d.revocations.seq) {
      expect(got).toEqual({ code: 'ERR_MESSAGE_INVALID' });
    } else {
      const revoked = REVOKED_SETS[this.set]!;
      expect(got).toEqual({ ok: { kind: 'revocations', sequence: this.seq, revoked: revoked.length } });
      const signed = day(this.signedDay);
      const marks = signed > d.vendorMark ? { mark: signed, vendorMark: signed } : {};
      write(m, { ...d, ...marks, revocations: { seq: this.seq, revoked } });
    }
    await checkStatus(m, r);
  }
  toString = (): string => `revocations(#${this.seq}, ${JSON.stringify(REVOKED_SETS[this.set])}, signed day ${this.signedDay})`;
}

/**
 * Flips a byte of the newest generation: the state refuses to go on (a completed write never leaves a damaged
 * file, so this is tampering, not a crash), and status says so. Then the damaged file is deleted, as an admin
 * (or an attacker) would: the state is the previous generation again. That one-write rollback by deletion is
 * the limit the README states.
 */
class Corrupt implements fc.AsyncCommand<Model, Real> {
  constructor(readonly at: number, readonly xor: number) {}
  check = (m: Readonly<Model>): boolean => m.prev !== null && !m.damaged;
  async run(m: Model, r: Real): Promise<void> {
    const names = [...r.store.files.keys()].filter((n) => generationOfEntry(n) !== undefined).sort((a, b) => generationOfEntry(b)! - generationOfEntry(a)!);
    expect(names).toHaveLength(2); // the newest and the one it replaced
    const bytes = r.store.files.get(names[0]!)!.slice();
    bytes[this.at % bytes.length]! ^= this.xor;
    r.store.files.set(names[0]!, bytes);
    const s = await r.state.status();
    expect([s.verified, s.warnings]).toEqual([false, ['STATE_TAMPERED']]);
    await expect(r.state.validate(K1, { now: new Date(m.clock) })).rejects.toMatchObject({ code: 'ERR_STATE_TAMPERED' });
    r.store.files.delete(names[0]!);
    m.current = m.prev!;
    m.prev = null;
    await checkStatus(m, r);
  }
  toString = (): string => `corrupt-newest-then-delete(${this.at}, ^${this.xor})`;
}

/** Reopens the state from the same store, as a program does when it starts again: nothing persistent is lost. */
class Restart implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    r.state = await open(r.store);
    await checkStatus(m, r);
  }
  toString = (): string => 'restart';
}

const hwid = fc.constantFrom(...HWIDS);
const secret = secretArb;
const commands = [
  fc.tuple(fc.nat(POOL.length - 1), hwid, secret).map(([p, h, s]) => new Activate(p, h, s)),
  fc.tuple(fc.nat(POOL.length - 1), hwid, secret).map(([p, h, s]) => new Activate(p, h, s)),
  fc.tuple(fc.constantFrom(K1, K2, K3, K4, K1, K2, K3, 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ'), hwid, secret).map(([k, h, s]) => new Validate(k, h, s)),
  fc.tuple(fc.constantFrom(K1, K2, K3, K4, K1, K2, K3, 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ'), hwid, secret).map(([k, h, s]) => new Validate(k, h, s)),
  fc.constantFrom(1, 7, 45).map((d) => new MoveClock(d)),
  fc.constantFrom(1, 7, 45).map((d) => new MoveClock(d)),
  fc.constantFrom(1, 3, 30).map((d) => new MoveClock(-d)),
  fc.tuple(fc.constantFrom(...RESET_KEYS), fc.integer({ min: 1, max: 3 }), fc.constantFrom(...MESSAGE_DAYS)).map(([k, c, d]) => new ImportReset(k, c, d)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(REVOKED_SETS.length - 1), fc.constantFrom(...MESSAGE_DAYS)).map(([s, set, d]) => new ImportList(s, set, d)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => new Corrupt(at, xor)),
  fc.constant(new Restart()),
];

describe('the local state against a plain model', () => {
  test('activate, validate, clock moves, resets, revocation lists, a damaged newest generation and restarts agree with the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: 'max' }), async (cmds) => {
        const store = new MemoryStore();
        const setup = async () => ({ model: { clock: day(1), current: EMPTY, prev: null, written: false, damaged: false } satisfies Model, real: { state: await open(store), store } });
        await fc.asyncModelRun(setup, cmds);
      }),
      { numRuns: 150 },
    );
  });
});
