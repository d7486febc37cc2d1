/**
 * The file ledger: a vendor ledger in one folder, crash-safe, shared safely by
 * several vendor processes at once, backed up or moved by copying the folder.
 *
 * ```
 * DIR/ledger.journal   the append-only journal (everything the ledger holds)
 * DIR/ledger.lock      present while a process writes (see state/store/lock.ts)
 * ```
 *
 * The journal is a sequence of frames (state/store/frame.ts: magic, version,
 * sequence number, length, body, CRC-32), each body one CBOR map. Frame 1 is
 * the header `{ format: "licensekit-ledger", version: 1 }`; frame n + 1 is
 * the n-th {@link LedgerRecord}. Frames are numbered 1, 2, 3… without a gap,
 * so a frame moved, repeated or dropped is seen.
 *
 * Every mutation: take the lock, read what other processes appended since
 * this one last looked (from the offset it had reached), decide against that
 * complete picture, append one frame at the end of the good prefix, fsync,
 * release. So two processes never both take the last seat, and no record is
 * lost: a writer never writes over another's frame.
 *
 * Crashes. A writer killed mid-append leaves a torn tail: fewer bytes than a
 * frame header, a frame shorter than its length field says, or (after a power
 * cut on some file systems) zeros. Readers stop before it (the write it held
 * never completed, so its caller was never told it did); the next writer,
 * under the lock, truncates it and appends. Anything else that fails (a
 * complete frame whose CRC fails, a frame out of sequence, a body that does
 * not decode or breaks an invariant) is ERR_LEDGER_CORRUPT, never dropped:
 * a record the vendor was told is stored must not silently disappear. The one
 * damage indistinguishable from a torn tail is damage to the length field of
 * the very last frame (it then looks incomplete); CRC-32 catches the rest
 * (an incomplete frame followed by an intact one is damage, not a tear).
 *
 * Reads take no lock and see a consistent prefix: they parse whole frames
 * only and stop at the first incomplete one. A reader that finds a damaged
 * frame confirms it under the lock (a write racing a lock-free read could
 * show a frame whose bytes are not all there yet) before it reports
 * ERR_LEDGER_CORRUPT.
 *
 * Why a journal and not SQLite: `node:sqlite` needs Node 22 (licensekit
 * supports 20), better-sqlite3 is a native build (install scripts are off on
 * many vendor build machines, and this package takes no native dependency),
 * and sql.js keeps the database in memory with no locking between processes.
 * A journal of CRC-framed records under the state's lock is small, has no
 * dependency beyond cbor-x, and is one file to copy.
 */
import { constants } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Encoder } from 'cbor-x';
import { decodeCbor, type CborValue } from '../formats/native/cbor.ts';
import { LedgerError, StateError } from '../lib/errors.ts';
import { FRAME_OVERHEAD, decodeFrame, encodeFrame } from '../state/store/frame.ts';
import { acquireLock, type HeldLock, type LockOptions } from '../state/store/lock.ts';
import type { Ledger, LedgerActivation, LedgerCustomer, LedgerLicense, LicenseFilter } from './ledger.ts';
import { LedgerIndex, asRecord, type LedgerRecord, type Plan } from './records.ts';

/** The journal's file name in the ledger folder. */
export const JOURNAL_FILE = 'ledger.journal';
/** The lock's file name in the ledger folder. */
export const LOCK_FILE = 'ledger.lock';
/** The journal format this code writes and reads. */
export const JOURNAL_VERSION = 1;
const JOURNAL_FORMAT = 'licensekit-ledger';
/** The largest record body (a record is a few hundred bytes; a fingerprint at most 16 KiB). */
export const MAX_RECORD_BYTES = 64 * 1024;
const HEADER_BYTES = 20;
/** The frame magic "LKST" (state/store/frame.ts). */
const MAGIC = [0x4c, 0x4b, 0x53, 0x54] as const;

/** Options of {@link openLedger}. */
export interface OpenLedgerOptions {
  /** Create the folder and an empty ledger when there is none (default true); false: `ERR_LEDGER_NOT_FOUND`. */
  readonly create?: boolean;
  /** Give up waiting for another process's lock after this many ms (default 30 000): `ERR_LEDGER_LOCKED`. */
  readonly lockTimeoutMs?: number;
  /** A lock whose holder is gone, or whose heartbeat is older than this (default 10 000 ms), is broken. */
  readonly staleLockMs?: number;
  /** The largest journal in bytes (default 64 MiB): a write beyond it is `ERR_LEDGER_LIMIT`, a larger journal is not read. */
  readonly maxJournalBytes?: number;
  /** The most records (default 1 000 000). */
  readonly maxRecords?: number;
  /** The clock for the lock's heartbeat and timeout only (default `Date.now`); record times are the callers' `nowMs`. */
  readonly now?: () => number;
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

function ioError(what: string, error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  return new LedgerError('ERR_LEDGER_IO', `${what}: ${codeOf(error) ?? String(error)}`, { cause: error });
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new LedgerError('ERR_LEDGER_INVALID', `"${name}" expected a positive integer, got ${String(value)}`);
  return value;
}

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });

function encodeBody(value: object): Uint8Array {
  return Uint8Array.from(encoder.encode(new Map(Object.entries(value))));
}

/** A decoded map body as a null-prototype object (text keys only). */
function bodyObject(body: Uint8Array, where: string): Record<string, unknown> {
  let item: CborValue;
  try {
    item = decodeCbor(body, { maxDepth: 4, maxItems: 256 }).value;
  } catch (cause) {
    throw new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal is not strict CBOR`, { cause });
  }
  if (!(item instanceof Map)) throw new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal is not a CBOR map`);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of item) {
    if (typeof key !== 'string' || (typeof value === 'object' && value !== null)) throw new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal has a field that is not plain`);
    out[key] = value;
  }
  return out;
}

/**
 * Whether an intact frame starts anywhere after the first byte of `rest`: a
 * torn write leaves at most one frame's beginning (the next writer truncates
 * it before appending), so a frame after an incomplete one means damage.
 */
function laterFrame(rest: Uint8Array): boolean {
  const view = new DataView(rest.buffer, rest.byteOffset, rest.byteLength);
  for (let p = 1; p + FRAME_OVERHEAD <= rest.length; p++) {
    if (rest[p] !== MAGIC[0] || !MAGIC.every((b, i) => rest[p + i] === b)) continue;
    const length = view.getUint32(p + 16);
    if (p + length + FRAME_OVERHEAD <= rest.length && decodeFrame(rest.subarray(p, p + length + FRAME_OVERHEAD)).kind !== 'damaged') return true;
  }
  return false;
}

/** What parsing the unread end of the journal found. */
type Scan = { readonly kind: 'end' } | { readonly kind: 'torn' } | { readonly kind: 'damaged'; readonly error: LedgerError };

/**
 * A {@link Ledger} in a folder (see the module comment). Made by
 * {@link openLedger}.
 */
export class FileLedger implements Ledger {
  /** The ledger folder. */
  readonly directory: string;
  readonly #journal: string;
  readonly #lockPath: string;
  readonly #lock: LockOptions;
  readonly #maxBytes: number;
  readonly #maxRecords: number;
  #index = new LedgerIndex();
  /** Bytes of the journal read and applied (the end of the good prefix). */
  #offset = 0;
  /** Frames read and applied (the header included). */
  #frames = 0;
  /** Serialises this object's operations (the file lock serialises processes). */
  #queue: Promise<unknown> = Promise.resolve();

  /** @internal Use {@link openLedger}. */
  constructor(directory: string, options: OpenLedgerOptions = {}) {
    this.directory = directory;
    this.#journal = join(directory, JOURNAL_FILE);
    this.#lockPath = join(directory, LOCK_FILE);
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw new LedgerError('ERR_LEDGER_INVALID', '"now" expected a function');
    this.#lock = { timeoutMs: positive('lockTimeoutMs', options.lockTimeoutMs, 30_000), staleMs: positive('staleLockMs', options.staleLockMs, 10_000), now };
    this.#maxBytes = positive('maxJournalBytes', options.maxJournalBytes, 64 * 1024 * 1024);
    this.#maxRecords = positive('maxRecords', options.maxRecords, 1_000_000);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #withLock<T>(work: (lock: HeldLock) => Promise<T>): Promise<T> {
    let lock: HeldLock;
    try {
      lock = await acquireLock(this.#lockPath, this.#lock);
    } catch (error) {
      throw error instanceof StateError
        ? new LedgerError(error.code === 'ERR_STATE_LOCKED' ? 'ERR_LEDGER_LOCKED' : 'ERR_LEDGER_IO', error.message.replace('state lock', 'ledger lock'), { cause: error })
        : ioError(`cannot lock the ledger ${this.directory}`, error);
    }
    try {
      return await work(lock);
    } finally {
      await lock.release();
    }
  }

  async #assertHeld(lock: HeldLock): Promise<void> {
    try {
      await lock.assertHeld();
    } catch (error) {
      throw new LedgerError('ERR_LEDGER_LOCKED', `the ledger lock ${this.#lockPath} was taken over while held; nothing was written`, { cause: error });
    }
  }

  /** Whether the journal exists (false: no ledger here yet). */
  async exists(): Promise<boolean> {
    try {
      return (await stat(this.#journal)).isFile();
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return false;
      throw ioError(`cannot read the ledger ${this.directory}`, error);
    }
  }

  /**
   * Reads and applies whole frames appended since the last look. Without the
   * lock a damaged frame is re-checked under it before it is reported.
   * Returns whether the journal ends in a torn tail.
   */
  async #catchUp(locked: boolean): Promise<boolean> {
    const scan = await this.#scan();
    if (scan.kind === 'damaged') {
      if (locked) throw scan.error;
      return this.#withLock(async () => {
        const again = await this.#scan();
        if (again.kind === 'damaged') throw again.error;
        return again.kind === 'torn';
      });
    }
    return scan.kind === 'torn';
  }

  async #scan(): Promise<Scan> {
    let handle: FileHandle;
    try {
      handle = await open(this.#journal, 'r');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') {
        if (this.#frames > 0) return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_CORRUPT', `the ledger journal ${this.#journal} disappeared`) };
        return { kind: 'end' };
      }
      throw ioError(`cannot read the ledger ${this.#journal}`, error);
    }
    let bytes: Uint8Array;
    try {
      const size = (await handle.stat()).size;
      if (size > this.#maxBytes) throw new LedgerError('ERR_LEDGER_LIMIT', `the ledger journal is ${size} bytes, more than the limit of ${this.#maxBytes}`);
      if (size < this.#offset) {
        // Replaced by a shorter one (a backup restored under a running process): read it from the start.
        this.#index = new LedgerIndex();
        this.#offset = 0;
        this.#frames = 0;
      }
      bytes = new Uint8Array(size - this.#offset);
      let read = 0;
      while (read < bytes.length) {
        const { bytesRead } = await handle.read(bytes, read, bytes.length - read, this.#offset + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      bytes = bytes.subarray(0, read);
    } catch (error) {
      throw ioError(`cannot read the ledger ${this.#journal}`, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
    let at = 0;
    while (at < bytes.length) {
      const rest = bytes.subarray(at);
      const where = `frame ${this.#frames + 1} (at byte ${this.#offset})`;
      if (rest.length < HEADER_BYTES || !MAGIC.every((b, i) => rest[i] === b)) {
        // A header cut short, or zeros where a power cut extended the file: torn. Other bytes: damage.
        if (rest.length < HEADER_BYTES && MAGIC.every((b, i) => i >= rest.length || rest[i] === b)) return { kind: 'torn' };
        if (rest.every((b) => b === 0)) return { kind: 'torn' };
        return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal does not start with a frame header`) };
      }
      const length = new DataView(rest.buffer, rest.byteOffset, rest.byteLength).getUint32(16);
      if (length > MAX_RECORD_BYTES) return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal claims ${length} bytes, more than a record can hold`) };
      if (rest.length < length + FRAME_OVERHEAD) {
        // Cut short by a crash, unless a whole frame follows (damage to this frame's length field).
        if (laterFrame(rest)) return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal has a damaged length field`) };
        return { kind: 'torn' };
      }
      const frame = decodeFrame(rest.subarray(0, length + FRAME_OVERHEAD));
      if (frame.kind === 'newer') return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_VERSION', `the ledger journal uses frame format ${frame.version}, newer than this licensekit reads`) };
      if (frame.kind === 'damaged') return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal is damaged: ${frame.why}`) };
      if (frame.generation !== this.#frames + 1) return { kind: 'damaged', error: new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal is numbered ${frame.generation} (a frame moved, repeated or lost)`) };
      try {
        this.#applyBody(frame.body, where);
      } catch (error) {
        if (error instanceof LedgerError) return { kind: 'damaged', error };
        throw error;
      }
      at += frame.body.length + FRAME_OVERHEAD;
      this.#offset += frame.body.length + FRAME_OVERHEAD;
      this.#frames++;
    }
    return { kind: 'end' };
  }

  #applyBody(body: Uint8Array, where: string): void {
    const fields = bodyObject(body, where);
    if (this.#frames === 0) {
      if (fields['format'] !== JOURNAL_FORMAT) throw new LedgerError('ERR_LEDGER_CORRUPT', `${this.#journal} is not a licensekit ledger journal`);
      const version = fields['version'];
      if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal has no valid version`);
      if (version > JOURNAL_VERSION) throw new LedgerError('ERR_LEDGER_VERSION', `the ledger journal is version ${version}, newer than this licensekit reads (${JOURNAL_VERSION}); refused, never overwritten`);
      return;
    }
    this.#index.apply(asRecord(fields, where), where);
  }

  /** Appends one frame at the end of the good prefix (truncating a torn tail first) and fsyncs it. */
  async #append(lock: HeldLock, body: Uint8Array, truncate: boolean): Promise<void> {
    if (body.length > MAX_RECORD_BYTES) throw new LedgerError('ERR_LEDGER_LIMIT', `a record of ${body.length} bytes is larger than ${MAX_RECORD_BYTES}`);
    if (this.#frames - 1 >= this.#maxRecords) throw new LedgerError('ERR_LEDGER_LIMIT', `the ledger holds ${this.#frames - 1} records, its limit; nothing was written`);
    const frame = encodeFrame(this.#frames + 1, body);
    if (this.#offset + frame.length > this.#maxBytes) throw new LedgerError('ERR_LEDGER_LIMIT', `the ledger journal would grow past its limit of ${this.#maxBytes} bytes; nothing was written`);
    await this.#assertHeld(lock);
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.#journal, this.#frames === 0 ? constants.O_RDWR | constants.O_CREAT : 'r+', 0o600);
      if (truncate || this.#frames === 0) await handle.truncate(this.#offset);
      let written = 0;
      while (written < frame.length) {
        const { bytesWritten } = await handle.write(frame, written, frame.length - written, this.#offset + written);
        written += bytesWritten;
      }
      await handle.sync();
    } catch (error) {
      throw ioError(`cannot write the ledger ${this.#journal}`, error);
    } finally {
      await handle?.close().catch(() => undefined);
    }
    if (this.#frames === 0) await this.#syncDirectory();
    this.#offset += frame.length;
    this.#frames++;
  }

  async #syncDirectory(): Promise<void> {
    try {
      const handle = await open(this.directory, 'r');
      await handle.sync().catch(() => undefined); // not every platform syncs a folder
      await handle.close();
    } catch {
      // best effort: the journal itself is fsynced
    }
  }

  /** Under the lock: catch up, write the header of a new journal, then plan and append. */
  #mutate<T>(plan: (index: LedgerIndex) => Plan<T>): Promise<T> {
    return this.#serial(() =>
      this.#withLock(async (lock) => {
        const torn = await this.#catchUp(true);
        let truncate = torn;
        if (this.#frames === 0) {
          await this.#append(lock, encodeBody({ format: JOURNAL_FORMAT, version: JOURNAL_VERSION }), true);
          truncate = false;
        }
        const planned = plan(this.#index);
        if (planned.record === null) return planned.result;
        await this.#append(lock, encodeBody(planned.record), truncate);
        this.#index.apply(planned.record);
        return planned.result;
      }),
    );
  }

  #read<T>(answer: (index: LedgerIndex) => T): Promise<T> {
    return this.#serial(async () => {
      await this.#catchUp(false);
      return answer(this.#index);
    });
  }

  /** @internal Creates the folder and the journal's header when there is none. */
  async initialise(create: boolean): Promise<void> {
    if (await this.exists()) {
      await this.#read(() => undefined);
      return;
    }
    if (!create) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `there is no ledger in ${this.directory} (no ${JOURNAL_FILE})`);
    try {
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError(`cannot create the ledger folder ${this.directory}`, error);
    }
    await this.#mutate(() => ({ record: null, result: undefined }));
  }

  addLicense(license: Omit<LedgerLicense, 'revoked' | 'createdMs'> & { readonly revoked?: boolean }, nowMs: number): Promise<LedgerLicense> {
    return this.#mutate((index) => index.planAddLicense(license, nowMs));
  }

  getLicense(licenseKey: string): Promise<LedgerLicense | null> {
    return this.#read((index) => index.getLicense(licenseKey));
  }

  listLicenses(filter?: LicenseFilter): Promise<readonly LedgerLicense[]> {
    return this.#read((index) => index.listLicenses(filter));
  }

  revokeLicense(licenseKey: string): Promise<LedgerLicense> {
    return this.#mutate((index) => index.planRevoke(licenseKey));
  }

  addCustomer(customer: { readonly name: string; readonly secret: string; readonly id?: string }, nowMs: number): Promise<LedgerCustomer> {
    return this.#mutate((index) => index.planAddCustomer(customer, nowMs));
  }

  getCustomer(id: string): Promise<LedgerCustomer | null> {
    return this.#read((index) => index.getCustomer(id));
  }

  findCustomerBySecret(secret: string): Promise<LedgerCustomer | null> {
    return this.#read((index) => index.findCustomerBySecret(secret));
  }

  listCustomers(): Promise<readonly LedgerCustomer[]> {
    return this.#read((index) => index.listCustomers());
  }

  listActivations(licenseKey?: string): Promise<readonly LedgerActivation[]> {
    return this.#read((index) => index.listActivations(licenseKey));
  }

  takeSeat(licenseKey: string, decide: (license: LedgerLicense, held: readonly LedgerActivation[]) => LedgerActivation | null): Promise<LedgerActivation | null> {
    return this.#mutate((index) => index.planTakeSeat(licenseKey, decide));
  }

  release(licenseKey: string, deviceKeyId: string, receiptId: string, nowMs: number, madeAfter?: number): Promise<'released' | 'already-used' | 'not-held' | 'answered-later'> {
    return this.#mutate((index) => index.planRelease(licenseKey, deviceKeyId, receiptId, nowMs, madeAfter));
  }

  releaseSeat(licenseKey: string, deviceKeyId: string, nowMs: number): Promise<LedgerActivation | null> {
    return this.#mutate((index) => index.planReleaseSeat(licenseKey, deviceKeyId, nowMs));
  }
}

/**
 * Opens (by default creating) the file ledger in `directory`.
 *
 * @example
 * const ledger = await openLedger('/srv/acme/ledger');
 * await ledger.addLicense({ licenseKey: 'ABCDE-FGHIJ-KLMNO-PQRST', productId: 1001, maxMachines: 2, customerId: null }, Date.now());
 */
export async function openLedger(directory: string, options: OpenLedgerOptions = {}): Promise<FileLedger> {
  if (typeof directory !== 'string' || directory === '') throw new LedgerError('ERR_LEDGER_INVALID', '"directory" expected a non-empty path');
  if (typeof options !== 'object' || options === null) throw new LedgerError('ERR_LEDGER_INVALID', '"options" expected an object');
  const create = options.create ?? true;
  if (typeof create !== 'boolean') throw new LedgerError('ERR_LEDGER_INVALID', '"create" expected a boolean');
  const ledger = new FileLedger(directory, options);
  await ledger.initialise(create);
  return ledger;
}
