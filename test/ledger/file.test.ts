/**
 * The file ledger's journal on disk: a torn tail (cut at every byte of the
 * last frame, or zeros) is dropped and truncated by the next writer; a byte
 * flipped anywhere before it, a frame out of sequence, a foreign or newer
 * journal are typed errors, never a silent drop; the folder copied elsewhere
 * holds the same content; limits are enforced; bad arguments are typed errors.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { JOURNAL_FILE, openLedger, type FileLedger } from '../../src/ledger/file.node.ts';
import { MemoryLedger } from '../../src/ledger/memory.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';
import { LedgerError } from '../../src/lib/errors.ts';
import { encodeFrame } from '../../src/state/store/frame.ts';

const root = mkdtempSync(join(tmpdir(), 'licensekit-ledger-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `l${n++}`);

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe(code);
    return error as LedgerError;
  }
  throw new Error(`expected ${code}, but it resolved`);
}

/** A ledger with a customer, two licenses, a seat and a release. */
async function populated(dir: string): Promise<FileLedger> {
  const ledger = await openLedger(dir);
  const customer = await ledger.addCustomer({ name: 'Acme', secret: '6dffda95-05cb-4754-bb49-c4a0be6ea647' }, 10);
  await ledger.addLicense({ licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD', productId: 1001, maxMachines: 2, customerId: customer.id }, 11);
  await ledger.addLicense({ licenseKey: 'EEEEE-FFFFF-GGGGG-HHHHH', productId: 'cad', maxMachines: 1, customerId: null }, 12);
  await ledger.takeSeat('AAAAA-BBBBB-CCCCC-DDDDD', (license) => ({ id: 'act-1', licenseKey: license.licenseKey, deviceKeyId: 'dev-1', devicePublicKey: 'pk1', fingerprint: 'fp', activatedMs: 13, releasedMs: null }));
  await ledger.takeSeat('AAAAA-BBBBB-CCCCC-DDDDD', (license) => ({ id: 'act-2', licenseKey: license.licenseKey, deviceKeyId: 'dev-2', devicePublicKey: 'pk2', fingerprint: null, activatedMs: 14, releasedMs: null }));
  expect(await ledger.release('AAAAA-BBBBB-CCCCC-DDDDD', 'dev-1', 'receipt-1', 15)).toBe('released');
  await ledger.revokeLicense('EEEEE-FFFFF-GGGGG-HHHHH');
  return ledger;
}

async function snapshot(ledger: Ledger): Promise<unknown> {
  return { licenses: await ledger.listLicenses(), customers: await ledger.listCustomers(), activations: await ledger.listActivations() };
}

/** Offsets where each frame of the journal starts, and its end. */
function frameStarts(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    starts.push(at);
    at += view.getUint32(at + 16) + 24;
  }
  starts.push(at);
  return starts;
}

describe('file ledger on disk', () => {
  test('the same content as a MemoryLedger given the same calls; reopened, the same again', async () => {
    const dir = fresh();
    const file = await populated(dir);
    const memory = new MemoryLedger();
    const customer = await memory.addCustomer({ name: 'Acme', secret: '6dffda95-05cb-4754-bb49-c4a0be6ea647' }, 10);
    await memory.addLicense({ licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD', productId: 1001, maxMachines: 2, customerId: customer.id }, 11);
    await memory.addLicense({ licenseKey: 'EEEEE-FFFFF-GGGGG-HHHHH', productId: 'cad', maxMachines: 1, customerId: null }, 12);
    await memory.takeSeat('AAAAA-BBBBB-CCCCC-DDDDD', (license) => ({ id: 'act-1', licenseKey: license.licenseKey, deviceKeyId: 'dev-1', devicePublicKey: 'pk1', fingerprint: 'fp', activatedMs: 13, releasedMs: null }));
    await memory.takeSeat('AAAAA-BBBBB-CCCCC-DDDDD', (license) => ({ id: 'act-2', licenseKey: license.licenseKey, deviceKeyId: 'dev-2', devicePublicKey: 'pk2', fingerprint: null, activatedMs: 14, releasedMs: null }));
    await memory.release('AAAAA-BBBBB-CCCCC-DDDDD', 'dev-1', 'receipt-1', 15);
    await memory.revokeLicense('EEEEE-FFFFF-GGGGG-HHHHH');
    const expected = await snapshot(memory);
    expect(await snapshot(file)).toEqual(expected);
    expect(await snapshot(await openLedger(dir, { create: false }))).toEqual(expected);
    expect(await file.release('AAAAA-BBBBB-CCCCC-DDDDD', 'dev-1', 'receipt-1', 16)).toBe('already-used');
  });

  test('a seat moved to a new device key and a seat freed by the vendor are journal records: replayed, the same; the journal says which', async () => {
    const dir = fresh();
    const ledger = await populated(dir);
    // dev-2's machine comes back with a new device key: the seat moves to dev-3 in one record.
    const moved = await ledger.takeSeat('AAAAA-BBBBB-CCCCC-DDDDD', (license, held) => {
      const old = held.find((a) => a.deviceKeyId === 'dev-2')!;
      return { id: 'act-3', licenseKey: license.licenseKey, deviceKeyId: 'dev-3', devicePublicKey: 'pk3', fingerprint: 'fp2', activatedMs: 20, releasedMs: null, replaces: old.id };
    });
    expect(moved).toMatchObject({ id: 'act-3', replaces: 'act-2', releasedBy: null });
    // The old key's receipt frees nothing now; the vendor frees dev-3's seat without one.
    expect(await ledger.release('AAAAA-BBBBB-CCCCC-DDDDD', 'dev-2', 'receipt-2', 21)).toBe('not-held');
    expect(await ledger.releaseSeat('AAAAA-BBBBB-CCCCC-DDDDD', 'dev-3', 22)).toMatchObject({ id: 'act-3', releasedMs: 22, releasedBy: 'vendor' });
    expect(await ledger.releaseSeat('AAAAA-BBBBB-CCCCC-DDDDD', 'dev-3', 23)).toBeNull();
    const expected = [
      ['act-1', 15, 'receipt', null],
      ['act-2', 20, 'moved', null],
      ['act-3', 22, 'vendor', 'act-2'],
    ];
    const rows = async (l: Ledger) => (await l.listActivations()).map((a) => [a.id, a.releasedMs, a.releasedBy, a.replaces]);
    expect(await rows(ledger)).toEqual(expected);
    expect(await rows(await openLedger(dir, { create: false }))).toEqual(expected);
    // The journal holds the move inside the activation record and the vendor's release as a record of its own.
    const text = readFileSync(join(dir, JOURNAL_FILE)).toString('latin1');
    expect(text).toContain('replaces');
    expect(text).toContain('vendor-release');
    expect(text).not.toContain('receipt-2');

    // A journal that frees a seat twice, or moves a seat that is not held, is damage.
    const { Encoder } = await import('cbor-x');
    const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true });
    const full = readFileSync(join(dir, JOURNAL_FILE));
    const frames = frameStarts(full).length - 1;
    for (const record of [
      new Map<string, unknown>([['t', 'vendor-release'], ['activationId', 'act-3'], ['releasedMs', 30]]),
      new Map<string, unknown>([['t', 'activation'], ['id', 'act-4'], ['licenseKey', 'AAAAA-BBBBB-CCCCC-DDDDD'], ['deviceKeyId', 'dev-4'], ['devicePublicKey', 'p'], ['fingerprint', null], ['activatedMs', 30], ['replaces', 'act-2']]),
    ]) {
      const bad = join(root, `bad-move-${n++}`);
      mkdirSync(bad);
      writeFileSync(join(bad, JOURNAL_FILE), Buffer.concat([full, encodeFrame(frames + 1, Uint8Array.from(encoder.encode(record)))]));
      await rejectsWith(openLedger(bad, { create: false }), 'ERR_LEDGER_CORRUPT');
    }
  });

  test('copied to another folder: the same content, and the copy is a ledger of its own', async () => {
    const dir = fresh();
    const original = await populated(dir);
    const copy = join(root, 'moved', 'here');
    mkdirSync(join(root, 'moved'), { recursive: true });
    cpSync(dir, copy, { recursive: true });
    const moved = await openLedger(copy, { create: false });
    expect(await snapshot(moved)).toEqual(await snapshot(original));
    await moved.addLicense({ licenseKey: 'ONLY-IN-COPY', productId: 1, maxMachines: 1, customerId: null }, 20);
    expect(await original.getLicense('ONLY-IN-COPY')).toBeNull();
  });

  test('a journal cut at any byte of its last frame opens without that frame; the next write truncates the torn tail', async () => {
    const dir = fresh();
    const ledger = await populated(dir);
    const full = readFileSync(join(dir, JOURNAL_FILE));
    const starts = frameStarts(full);
    const lastStart = starts.at(-2)!;
    expect((await ledger.getLicense('EEEEE-FFFFF-GGGGG-HHHHH'))?.revoked).toBe(true); // the last record: the revocation
    for (let cut = lastStart; cut < full.length; cut++) {
      const copy = join(root, `cut-${n}-${cut}`);
      cpSync(dir, copy, { recursive: true });
      truncateSync(join(copy, JOURNAL_FILE), cut);
      const opened = await openLedger(copy, { create: false });
      expect((await opened.getLicense('EEEEE-FFFFF-GGGGG-HHHHH'))?.revoked, `cut at ${cut}`).toBe(false);
      expect((await opened.listActivations()).length).toBe(2);
      if (cut === lastStart + 7 || cut === full.length - 1) {
        await opened.addLicense({ licenseKey: 'NEXT', productId: 1, maxMachines: 1, customerId: null }, 30);
        const after = readFileSync(join(copy, JOURNAL_FILE));
        expect(frameStarts(after).at(-2)).toBe(lastStart);
        expect((await (await openLedger(copy, { create: false })).getLicense('NEXT'))?.licenseKey).toBe('NEXT');
      }
      rmSync(copy, { recursive: true });
    }
  });

  test('a zero-filled tail (a power cut) is torn, not damage', async () => {
    const dir = fresh();
    const ledger = await populated(dir);
    appendFileSync(join(dir, JOURNAL_FILE), new Uint8Array(5000));
    const reopened = await openLedger(dir, { create: false });
    expect(await snapshot(reopened)).toEqual(await snapshot(ledger));
    await reopened.addLicense({ licenseKey: 'Z', productId: 1, maxMachines: 1, customerId: null }, 1);
    expect((await (await openLedger(dir, { create: false })).listLicenses()).length).toBe(3);
  });

  test('a byte flipped anywhere but a torn tail: ERR_LEDGER_CORRUPT for readers and writers, and the file is left as it is', async () => {
    const dir = fresh();
    await populated(dir);
    const full = readFileSync(join(dir, JOURNAL_FILE));
    const starts = frameStarts(full);
    const lastStart = starts.at(-2)!;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: full.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        // The length field of the last frame is the one place where damage looks like a torn write (documented).
        fc.pre(!(at >= lastStart + 16 && at < lastStart + 20));
        const copy = join(root, `flip-${n++}`);
        mkdirSync(copy);
        const damaged = Uint8Array.from(full);
        damaged[at]! ^= mask;
        writeFileSync(join(copy, JOURNAL_FILE), damaged);
        const error = await rejectsWith(openLedger(copy, { create: false }), 'ERR_LEDGER_CORRUPT');
        expect(error.message).not.toMatch(/at .*\.ts:/);
        await rejectsWith(openLedger(copy), 'ERR_LEDGER_CORRUPT');
        expect(readFileSync(join(copy, JOURNAL_FILE))).toEqual(Buffer.from(damaged));
        rmSync(copy, { recursive: true });
      }),
      { numRuns: 120 },
    );
  });

  test('a frame repeated or out of sequence, a foreign journal, a newer format: typed errors', async () => {
    const dir = fresh();
    await populated(dir);
    const full = readFileSync(join(dir, JOURNAL_FILE));
    const starts = frameStarts(full);
    const second = full.subarray(starts[1]!, starts[2]!);
    const repeated = join(root, `rep-${n++}`);
    mkdirSync(repeated);
    writeFileSync(join(repeated, JOURNAL_FILE), Buffer.concat([full, second]));
    await rejectsWith(openLedger(repeated, { create: false }), 'ERR_LEDGER_CORRUPT');

    const { Encoder } = await import('cbor-x');
    const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true });
    const journalOf = (header: Map<string, unknown>): Uint8Array => encodeFrame(1, Uint8Array.from(encoder.encode(header)));
    const foreign = join(root, `foreign-${n++}`);
    mkdirSync(foreign);
    writeFileSync(join(foreign, JOURNAL_FILE), journalOf(new Map<string, unknown>([['format', 'something-else'], ['version', 1]])));
    await rejectsWith(openLedger(foreign, { create: false }), 'ERR_LEDGER_CORRUPT');
    const newer = join(root, `newer-${n++}`);
    mkdirSync(newer);
    const newerJournal = journalOf(new Map<string, unknown>([['format', 'licensekit-ledger'], ['version', 2]]));
    writeFileSync(join(newer, JOURNAL_FILE), newerJournal);
    await rejectsWith(openLedger(newer), 'ERR_LEDGER_VERSION');
    expect(readFileSync(join(newer, JOURNAL_FILE))).toEqual(Buffer.from(newerJournal));
    // A record whose fields break an invariant (a seat of an unknown license), framed correctly.
    const dangling = join(root, `dangling-${n++}`);
    mkdirSync(dangling);
    const record = new Map<string, unknown>([['t', 'activation'], ['id', 'x'], ['licenseKey', 'NOPE'], ['deviceKeyId', 'd'], ['devicePublicKey', 'p'], ['fingerprint', null], ['activatedMs', 1]]);
    writeFileSync(join(dangling, JOURNAL_FILE), Buffer.concat([full.subarray(0, starts[1]!), encodeFrame(2, Uint8Array.from(encoder.encode(record)))]));
    await rejectsWith(openLedger(dangling, { create: false }), 'ERR_LEDGER_CORRUPT');
  });

  test('limits: a journal larger than maxJournalBytes is not read, a write past it or past maxRecords is refused and writes nothing', async () => {
    const dir = fresh();
    await populated(dir);
    const size = readFileSync(join(dir, JOURNAL_FILE)).length;
    await rejectsWith(openLedger(dir, { maxJournalBytes: size - 1 }), 'ERR_LEDGER_LIMIT');
    const tight = await openLedger(dir, { maxJournalBytes: size + 10 });
    await rejectsWith(tight.addLicense({ licenseKey: 'BIG', productId: 1, maxMachines: 1, customerId: null }, 1), 'ERR_LEDGER_LIMIT');
    const few = await openLedger(dir, { maxRecords: 7 });
    await rejectsWith(few.addLicense({ licenseKey: 'MORE', productId: 1, maxMachines: 1, customerId: null }, 1), 'ERR_LEDGER_LIMIT');
    expect(readFileSync(join(dir, JOURNAL_FILE)).length).toBe(size);
  });

  test('no ledger, a file where the folder should be, bad options: typed errors', async () => {
    await rejectsWith(openLedger(fresh(), { create: false }), 'ERR_LEDGER_NOT_FOUND');
    const file = join(root, `file-${n++}`);
    writeFileSync(file, 'x');
    await rejectsWith(openLedger(file), 'ERR_LEDGER_IO');
    await rejectsWith(openLedger(''), 'ERR_LEDGER_INVALID');
    await rejectsWith(openLedger(fresh(), { lockTimeoutMs: -1 }), 'ERR_LEDGER_INVALID');
  });
});

describe('ledger arguments (both ledgers)', () => {
  test.each([
    ['memory', async (): Promise<Ledger> => new MemoryLedger()],
    ['file', async (): Promise<Ledger> => openLedger(fresh())],
  ])('%s: malformed records are ERR_LEDGER_INVALID, and a secret taken is refused with the exact message', async (_, make) => {
    const ledger = await make();
    const bad: unknown[] = [
      { licenseKey: '', productId: 1, maxMachines: 1, customerId: null },
      { licenseKey: 'K', productId: -1, maxMachines: 1, customerId: null },
      { licenseKey: 'K', productId: 1.5, maxMachines: 1, customerId: null },
      { licenseKey: 'K', productId: 1, maxMachines: -1, customerId: null },
      { licenseKey: 'K', productId: 1, maxMachines: 1.5, customerId: null },
      { licenseKey: 'K'.repeat(300), productId: 1, maxMachines: 1, customerId: null },
      { licenseKey: '\ud800', productId: 1, maxMachines: 1, customerId: null },
      { licenseKey: 'K', productId: 1, maxMachines: 1, customerId: 5 },
      null,
      'K',
    ];
    for (const license of bad) await rejectsWith(ledger.addLicense(license as never, 1), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.addLicense({ licenseKey: 'K', productId: 1, maxMachines: 1, customerId: null }, -1), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.addLicense({ licenseKey: 'K', productId: 1, maxMachines: 1, customerId: null }, Number.NaN), 'ERR_LEDGER_INVALID');
    // Own properties only.
    const inherited = Object.create({ licenseKey: 'K', productId: 1, maxMachines: 1, customerId: null }) as never;
    await rejectsWith(ledger.addLicense(inherited, 1), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.addLicense({ licenseKey: 'K', productId: 1, maxMachines: 1, customerId: 'nobody' }, 1), 'ERR_LEDGER_NOT_FOUND');
    await rejectsWith(ledger.revokeLicense('nothing'), 'ERR_LEDGER_NOT_FOUND');
    await rejectsWith(ledger.takeSeat('nothing', () => null), 'ERR_LEDGER_NOT_FOUND');
    expect(await ledger.release('nothing', 'd', 'r', 1)).toBe('not-held');

    await ledger.addCustomer({ name: 'A', secret: 'WPIGP-UPHHT-INUYJ-MSDTJ' }, 1);
    const taken = await rejectsWith(ledger.addCustomer({ name: 'B', secret: 'WPIGP-UPHHT-INUYJ-MSDTJ' }, 2), 'ERR_CUSTOMER_SECRET_TAKEN');
    expect(taken.message).toBe('A customer with the same secret exists.');
    await rejectsWith(ledger.addCustomer({ name: '', secret: 'x' }, 1), 'ERR_LEDGER_INVALID');

    await ledger.addLicense({ licenseKey: 'K', productId: 1, maxMachines: 1, customerId: null }, 1);
    const seat = { id: 'a1', licenseKey: 'K', deviceKeyId: 'd', devicePublicKey: 'p', fingerprint: null, activatedMs: 1, releasedMs: null };
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, licenseKey: 'OTHER' })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, releasedMs: 5 })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.takeSeat('K', () => 'seat' as never), 'ERR_LEDGER_INVALID');
    expect(await ledger.takeSeat('K', () => seat)).toEqual({ ...seat, replaces: null, releasedBy: null, machineCode: null, answered: null });
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, id: 'a2' })), 'ERR_LEDGER_DUPLICATE');
    // `replaces` must name a seat held now; a seat being taken is not released.
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, id: 'a2', deviceKeyId: 'e', replaces: 'nothing' })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, id: 'a2', deviceKeyId: 'e', replaces: 5 as never })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, id: 'a2', deviceKeyId: 'e', releasedBy: 'vendor' })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.releaseSeat!('nothing', 'd', 1), 'ERR_LEDGER_NOT_FOUND');
    await rejectsWith(ledger.releaseSeat!('K', '', 1), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.releaseSeat!('K', 'd', -1), 'ERR_LEDGER_INVALID');
    expect(await ledger.releaseSeat!('K', 'nobody', 1)).toBeNull();
    // A decision that throws writes nothing and passes the error on.
    await expect(ledger.takeSeat('K', () => { throw new RangeError('policy'); })).rejects.toThrow('policy');
    expect((await ledger.listActivations('K')).length).toBe(1);
    // Records handed out are frozen: a caller cannot change what the ledger holds.
    const [license] = await ledger.listLicenses();
    expect(Object.isFrozen(license)).toBe(true);
  });
  test.each([
    ['memory', async (): Promise<Ledger> => new MemoryLedger()],
    ['file', async (): Promise<Ledger> => openLedger(fresh())],
  ])('%s: a seat records its machine code and the highest request it answered; a receipt made before that request frees nothing', async (name, make) => {
    const ledger = await make();
    await ledger.addLicense({ licenseKey: 'K', productId: 1, maxMachines: 1, customerId: null }, 1);
    const seat = { id: 'a1', licenseKey: 'K', deviceKeyId: 'd', devicePublicKey: 'p', fingerprint: null, activatedMs: 1, releasedMs: null, machineCode: 'M', answered: 3 };
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, answered: -1 })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, answered: 2 ** 48 })), 'ERR_LEDGER_INVALID');
    await rejectsWith(ledger.takeSeat('K', () => ({ ...seat, machineCode: 'x'.repeat(257) })), 'ERR_LEDGER_INVALID');
    expect(await ledger.takeSeat('K', () => seat)).toMatchObject({ machineCode: 'M', answered: 3 });
    // Keeping it for a later request raises `answered`; an earlier one (answered out of order) never lowers it.
    expect(await ledger.takeSeat('K', (_, held) => ({ ...held[0]!, answered: 7 }))).toMatchObject({ id: 'a1', answered: 7 });
    expect(await ledger.takeSeat('K', (_, held) => ({ ...held[0]!, answered: 5 }))).toMatchObject({ id: 'a1', answered: 7 });
    await rejectsWith(ledger.takeSeat('K', (_, held) => ({ ...held[0]!, answered: 1.5 })), 'ERR_LEDGER_INVALID');
    expect(await ledger.release('K', 'd', 'r-old', 2, 6)).toBe('answered-later');
    const reread = name === 'file' ? await openLedger((ledger as FileLedger).directory) : ledger;
    expect(await reread.listActivations('K')).toMatchObject([{ id: 'a1', machineCode: 'M', answered: 7, releasedMs: null }]);
    expect(await reread.release('K', 'd', 'r-new', 3, 7)).toBe('released');
    expect(await reread.release('K', 'd', 'r-old', 4, 6)).toBe('not-held');
  });
});
