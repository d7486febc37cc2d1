/**
 * The browser state store: IndexedDB, one database per program and vendor key
 * (`licensekit/<program>/<vendorKeyId>`) with one object store of framed
 * generations keyed `state.<n>.lks`, exactly as FileStore's files (same
 * generation log, same fallback).
 *
 * Why not one IndexedDB transaction per update: a transaction commits as
 * soon as no request is pending, so it cannot stay open across the update
 * callback's awaits (the MAC above this layer is WebCrypto, which is async).
 * Instead, updates are serialised across every tab and worker of the origin
 * by the Web Locks API (`navigator.locks`, exclusive, with a timeout), and
 * each commit is one `readwrite` transaction with `durability: 'strict'`
 * that checks no newer generation appeared meanwhile (a compare-and-set), so
 * a writer without the lock (a host without Web Locks, an older copy of the
 * page) can never make another's update vanish: its commit fails and its
 * update is run again on the new state.
 */
import { OptionError, StateError } from '../../lib/errors.ts';
import { GenerationStore, createMutex, generationOfEntry, type StoreDirectory } from './generations.ts';
import { folderName } from './location.ts';

/** Options of {@link IndexedDbStore}: `databaseName`, or `program` and `vendorKeyId`. */
export interface IndexedDbStoreOptions {
  /** The IndexedDB database to use (default `licensekit/<program>/<vendorKeyId>`). */
  readonly databaseName?: string;
  readonly program?: string;
  readonly vendorKeyId?: string;
  /** The largest state in bytes (default 4 MiB). */
  readonly maxBytes?: number;
  /** How long `update` waits for the Web Lock before `ERR_STATE_LOCKED` (default 30 000 ms). */
  readonly lockTimeoutMs?: number;
  /** The IndexedDB factory (default the global `indexedDB`, read once here). */
  readonly indexedDB?: IDBFactory;
  /** The Web Locks manager (default `navigator.locks` when there is one; `null` to rely on the compare-and-set alone). */
  readonly locks?: LockManager | null;
}

const OBJECT_STORE = 'entries';
/** A commit lost its compare-and-set: the update runs again on the newer state. */
class Conflict extends Error {}
const MAX_CONFLICTS = 100;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('aborted', 'AbortError'));
  });
}

class IndexedDbDirectory implements StoreDirectory {
  readonly description: string;
  readonly #factory: IDBFactory;
  readonly #locks: LockManager | null;
  readonly #name: string;
  readonly #timeoutMs: number;
  readonly #local = createMutex();
  #db: Promise<IDBDatabase> | undefined;

  constructor(name: string, factory: IDBFactory, locks: LockManager | null, timeoutMs: number) {
    this.#name = name;
    this.#factory = factory;
    this.#locks = locks;
    this.#timeoutMs = timeoutMs;
    this.description = `IndexedDB state ${JSON.stringify(name)}`;
  }

  #io(what: string, error: unknown): StateError {
    if (error instanceof StateError) return error;
    return new StateError('ERR_STATE_IO', `${this.description}: ${what}: ${(error as Error | null)?.name ?? String(error)}`, { cause: error });
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = this.#factory.open(this.#name, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(OBJECT_STORE)) req.result.createObjectStore(OBJECT_STORE);
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading (a later licensekit): let it, and reopen next time.
        db.onversionchange = () => {
          db.close();
          this.#db = undefined;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new DOMException('blocked by another connection', 'InvalidStateError'));
    }).catch((error: unknown) => {
      this.#db = undefined;
      throw this.#io('cannot open it', error);
    });
    return this.#db;
  }

  async #transaction<T>(mode: IDBTransactionMode, what: string, body: (store: IDBObjectStore) => Promise<T>): Promise<T> {
    const db = await this.#open();
    try {
      const tx = mode === 'readwrite' ? db.transaction(OBJECT_STORE, mode, { durability: 'strict' }) : db.transaction(OBJECT_STORE, mode);
      const finished = done(tx);
      let result: T;
      try {
        result = await body(tx.objectStore(OBJECT_STORE));
      } catch (error) {
        try {
          tx.abort();
        } catch {
          // already finished
        }
        await finished.catch(() => undefined);
        throw error;
      }
      await finished;
      return result;
    } catch (error) {
      if (error instanceof Conflict) throw error;
      throw this.#io(what, error);
    }
  }

  list(): Promise<readonly string[]> {
    return this.#transaction('readonly', 'cannot list it', async (store) => (await request(store.getAllKeys())).filter((k): k is string => typeof k === 'string'));
  }

  read(name: string, limit: number): Promise<Uint8Array | 'missing' | 'too-large'> {
    return this.#transaction('readonly', `cannot read ${name}`, async (store) => {
      const value: unknown = await request(store.get(name));
      if (value === undefined) return 'missing';
      if (!(value instanceof Uint8Array)) return new Uint8Array(0); // not ours: a damaged entry
      return value.length > limit ? 'too-large' : value;
    });
  }

  commit(name: string, bytes: Uint8Array): Promise<void> {
    const generation = generationOfEntry(name)!;
    return this.#transaction('readwrite', `cannot write ${name}`, async (store) => {
      const keys = await request(store.getAllKeys());
      // Compare-and-set: a generation at or past ours means another writer committed since we read.
      if (keys.some((k) => typeof k === 'string' && (generationOfEntry(k) ?? 0) >= generation)) throw new Conflict();
      await request(store.add(bytes.slice(), name));
    });
  }

  remove(name: string): Promise<void> {
    return this.#transaction('readwrite', `cannot remove ${name}`, async (store) => {
      await request(store.delete(name));
    });
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#local(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#underWebLock(task);
        } catch (error) {
          if (!(error instanceof Conflict)) throw error;
          if (attempt >= MAX_CONFLICTS) throw new StateError('ERR_STATE_LOCKED', `${this.description}: ${MAX_CONFLICTS} updates in a row lost to concurrent writers`);
        }
      }
    });
  }

  async #underWebLock<T>(task: () => Promise<T>): Promise<T> {
    if (!this.#locks) return task();
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      return await this.#locks.request(`licensekit-state:${this.#name}`, { mode: 'exclusive', signal }, task);
    } catch (error) {
      if (signal.aborted && error === signal.reason) {
        throw new StateError('ERR_STATE_LOCKED', `${this.description}: the Web Lock was not granted within ${this.#timeoutMs} ms`, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * A {@link StateStore} in IndexedDB, for browsers (and workers): safe
 * across tabs, and keeps the previous good generation like FileStore.
 *
 * @example
 * const store = new IndexedDbStore({ program: 'acme-cad', vendorKeyId: kid });
 * await store.update((current) => next(current));
 */
export class IndexedDbStore extends GenerationStore {
  /** The IndexedDB database's name. */
  readonly databaseName: string;

  constructor(options: IndexedDbStoreOptions) {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) throw new StateError('ERR_STATE_IO', 'this host has no IndexedDB');
    const name = options.databaseName ?? `licensekit/${folderName(options.program as string, 'program')}/${folderName(options.vendorKeyId as string, 'vendorKeyId')}`;
    const locks = options.locks === undefined ? ((globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks ?? null) : options.locks;
    const timeoutMs = options.lockTimeoutMs ?? 30_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new OptionError(`"lockTimeoutMs" expected a finite number of milliseconds >= 0, got ${String(timeoutMs)}`);
    super(new IndexedDbDirectory(name, factory, locks, timeoutMs), options.maxBytes);
    this.databaseName = name;
  }
}
