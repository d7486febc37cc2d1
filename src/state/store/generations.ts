/**
 * The generation log every folder-like store shares (FileStore on disk,
 * MemoryStore in memory): each committed write is a new, framed, immutable
 * entry `state.<generation>.lks`, created atomically under a name no entry had;
 * older entries are pruned only after the new one is durable, keeping the
 * newest and the previous good one. A reader takes the newest entry whose
 * frame is intact and that the caller's `validate` accepts.
 *
 * Why numbered entries rather than `state` + `state.prev` rotated by renames:
 * there is never a moment when the newest completed write lives under a name
 * about to be replaced, nothing is ever renamed over a file a reader may have
 * open (which Windows refuses), and a reader can tell "a newer entry is
 * damaged" (`fellBack`) from "a writer is in the middle of a rotation".
 */
import { StateError } from '../../lib/errors.ts';
import { FRAME_OVERHEAD, decodeFrame, encodeFrame } from './frame.ts';
import { DEFAULT_MAX_STATE_BYTES, type ReadOptions, type StateStore, type StateUpdate, type StoredState, type UpdateContext, type UpdateOptions } from './store.ts';

/** A folder of entries as a generation log needs it. Names are plain file names. */
export interface StoreDirectory {
  /** Where it is, for messages (a path, "memory", an IndexedDB name). */
  readonly description: string;
  /** The names of the entries (other names, such as temporary files, may appear and are ignored). */
  list(): Promise<readonly string[]>;
  /** An entry's bytes; `'missing'` when there is none (a writer pruned it); `'too-large'` when it has more than `limit` bytes (not read). */
  read(name: string, limit: number): Promise<Uint8Array | 'missing' | 'too-large'>;
  /** Creates entry `name` (never existing) holding `bytes`, atomically and durably: once this resolves, a crash cannot lose it. Called only under {@link exclusive}. */
  commit(name: string, bytes: Uint8Array): Promise<void>;
  /** Removes an entry if it exists. Called only under {@link exclusive}. */
  remove(name: string): Promise<void>;
  /** Runs `task` while holding the folder's exclusive lock (across every store, process or tab using the same folder). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
}

const ENTRY = /^state\.([1-9][0-9]{0,15})\.lks$/;

/** The entry name of a generation. */
export function entryName(generation: number): string {
  return `state.${generation}.lks`;
}

/** The generation an entry name stands for, or undefined for any other name. */
export function generationOfEntry(name: string): number | undefined {
  const m = ENTRY.exec(name);
  if (!m) return undefined;
  const generation = Number(m[1]);
  return Number.isSafeInteger(generation) ? generation : undefined;
}

/** How often a lock-free read starts over because a writer pruned an entry it listed. */
const MAX_RESCANS = 50;

interface Scan {
  readonly found: StoredState | null;
  /** Every generation listed, newest first. */
  readonly generations: readonly number[];
  /** Why each newer generation was passed over. */
  readonly refused: readonly string[];
}

/** Checks a size limit option: a positive safe integer that leaves room for a frame in 32 bits. */
export function checkMaxBytes(maxBytes: number | undefined): number {
  if (maxBytes === undefined) return DEFAULT_MAX_STATE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 2 ** 32 - 1 - FRAME_OVERHEAD) {
    throw new RangeError(`"maxBytes" expected an integer from 1 to ${2 ** 32 - 1 - FRAME_OVERHEAD}, got ${String(maxBytes)}`);
  }
  return maxBytes;
}

/**
 * A {@link StateStore} over a {@link StoreDirectory}. FileStore and
 * MemoryStore are this class with their own folder.
 */
export class GenerationStore implements StateStore {
  readonly #directory: StoreDirectory;
  readonly #maxBytes: number;

  constructor(directory: StoreDirectory, maxBytes?: number) {
    this.#directory = directory;
    this.#maxBytes = checkMaxBytes(maxBytes);
  }

  /** The largest state (in bytes) this store writes or reads. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  async read(options?: ReadOptions): Promise<StoredState | null> {
    const scan = await this.#scan(options?.validate);
    if (scan.found || scan.generations.length === 0) return scan.found;
    throw this.#corrupt(scan);
  }

  async update(update: StateUpdate, options?: UpdateOptions): Promise<Uint8Array | null> {
    if (typeof update !== 'function') throw new TypeError('"update" expected a function');
    const onUnreadable = options?.onUnreadable ?? 'throw';
    if (onUnreadable !== 'throw' && onUnreadable !== 'start-over') throw new TypeError(`"onUnreadable" expected 'throw' or 'start-over', got ${String(onUnreadable)}`);
    return this.#directory.exclusive(async () => {
      const scan = await this.#scan(options?.validate);
      let context: UpdateContext;
      if (scan.found) context = { generation: scan.found.generation, fellBack: scan.found.fellBack, startedOver: false };
      else if (scan.generations.length === 0) context = { generation: 0, fellBack: false, startedOver: false };
      else if (onUnreadable === 'start-over') context = { generation: 0, fellBack: true, startedOver: true };
      else throw this.#corrupt(scan);
      const current = scan.found?.bytes ?? null;
      const next = await update(current, Object.freeze(context));
      if (next === undefined) return current;
      if (!(next instanceof Uint8Array)) throw new TypeError('the update callback must return a Uint8Array or undefined');
      if (next.length > this.#maxBytes) {
        throw new StateError('ERR_STATE_TOO_LARGE', `the new state has ${next.length} bytes, more than the limit of ${this.#maxBytes}; nothing was written`);
      }
      const generation = (scan.generations[0] ?? 0) + 1;
      if (!Number.isSafeInteger(generation)) throw new StateError('ERR_STATE_CORRUPT', `${this.#directory.description}: the generation counter is exhausted`);
      await this.#directory.commit(entryName(generation), encodeFrame(generation, next));
      // Durable now. Keep it and the good generation it replaced; the rest goes (best effort: a leftover entry is harmless).
      for (const old of scan.generations) {
        if (old === scan.found?.generation) continue;
        try {
          await this.#directory.remove(entryName(old));
        } catch {
          // Pruned by the next write instead.
        }
      }
      return next;
    });
  }

  async #scan(validate: ReadOptions['validate']): Promise<Scan> {
    if (validate !== undefined && typeof validate !== 'function') throw new TypeError('"validate" expected a function');
    for (let attempt = 0; attempt < MAX_RESCANS; attempt++) {
      const generations = (await this.#directory.list())
        .map(generationOfEntry)
        .filter((g): g is number => g !== undefined)
        .sort((a, b) => b - a);
      const refused: string[] = [];
      let vanished = false;
      for (const generation of generations) {
        const raw = await this.#directory.read(entryName(generation), this.#maxBytes + FRAME_OVERHEAD);
        if (raw === 'missing') {
          // A writer committed a newer generation and pruned this one since we listed: list again.
          vanished = true;
          break;
        }
        const why = this.#refusal(generation, raw, validate);
        if (typeof why === 'string') {
          refused.push(`generation ${generation}: ${why}`);
          continue;
        }
        return { found: Object.freeze({ bytes: why, generation, fellBack: refused.length > 0 }), generations, refused };
      }
      if (!vanished) return { found: null, generations, refused };
    }
    throw new StateError('ERR_STATE_IO', `${this.#directory.description}: the state kept changing while it was read (${MAX_RESCANS} attempts)`);
  }

  /** The body of an entry, or why it is passed over. */
  #refusal(generation: number, raw: Uint8Array | 'too-large', validate: ReadOptions['validate']): Uint8Array | string {
    if (raw === 'too-large') return `larger than the limit of ${this.#maxBytes} bytes`;
    const frame = decodeFrame(raw);
    if (frame.kind === 'newer') {
      throw new StateError('ERR_STATE_VERSION', `${this.#directory.description}: generation ${generation} is in storage format ${frame.version}; this licensekit reads format 1 (upgrade it; the state is left untouched)`);
    }
    if (frame.kind === 'damaged') return frame.why;
    if (frame.generation !== generation) return `its frame says generation ${frame.generation}`;
    if (validate && validate(frame.body) !== true) return 'refused by the caller\'s check';
    return frame.body;
  }

  #corrupt(scan: Scan): StateError {
    return new StateError('ERR_STATE_CORRUPT', `${this.#directory.description}: no intact state generation (${scan.refused.join('; ')})`);
  }
}

/** A promise-chain mutex: tasks run one at a time, in call order, each after the previous settled. */
export function createMutex(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task);
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}
