/**
 * The storage layer of licensekit/state: bytes in, bytes out. The state
 * document's encoding (CBOR), its version and its MAC live above this layer;
 * a store only keeps generations of opaque bytes so that
 *
 * - a write is atomic: a reader sees the old bytes or the new ones, never a mix;
 * - a completed write is never lost: once `update` resolves, its bytes (or a
 *   newer generation's) are what `read` returns, across crashes of the writer;
 * - the previous good generation is kept, so a torn or damaged newest
 *   generation (or one the caller's `validate` refuses, e.g. a bad MAC) falls
 *   back to it, and `fellBack` says so;
 * - every write is a read-modify-write under the store's exclusive lock, so
 *   two writers (two processes, two tabs) never lose each other's update.
 *
 * Implementations: `MemoryStore` (memory.ts), `IndexedDbStore`
 * (indexeddb.ts, browsers) and `FileStore` (file.ts, Node). This module and
 * the browser ones import no `node:*` module.
 */

/** What {@link StateStore.read} found: the newest intact generation. */
export interface StoredState {
  /** The generation's bytes, as the writer gave them. */
  readonly bytes: Uint8Array;
  /** Its generation number: each committed write takes the next one (1, 2, …). */
  readonly generation: number;
  /** True when a newer generation exists but is torn, damaged or refused by `validate`, so an older one was returned. */
  readonly fellBack: boolean;
}

/** Options of {@link StateStore.read}. */
export interface ReadOptions {
  /**
   * The caller's check of a generation's bytes (for example its MAC). A
   * generation it refuses (returns false) is treated like a damaged one: the
   * previous generation is tried. An exception it throws propagates.
   */
  readonly validate?: (bytes: Uint8Array) => boolean;
}

/** What an update callback learns besides the current bytes. */
export interface UpdateContext {
  /** The generation `current` came from (0 when there is none). */
  readonly generation: number;
  /** True when a newer generation was torn, damaged or refused, and `current` is an older one (see {@link StoredState.fellBack}). */
  readonly fellBack: boolean;
  /** True when state files exist but none is intact, and `onUnreadable: 'start-over'` passed `current = null` anyway. */
  readonly startedOver: boolean;
}

/** Options of {@link StateStore.update}. */
export interface UpdateOptions extends ReadOptions {
  /**
   * What to do when state files exist but no generation of them is intact:
   * `'throw'` (default) throws `ERR_STATE_CORRUPT` and leaves every file as
   * it is; `'start-over'` calls `update` with `current = null` and
   * `startedOver: true`, so the layer above can begin a fresh state and say so.
   */
  readonly onUnreadable?: 'throw' | 'start-over';
}

/**
 * The new bytes for the state, or `undefined` to leave it as it is. Runs
 * while the store's exclusive lock is held: keep it short. An exception it
 * throws releases the lock, writes nothing and propagates.
 */
export type StateUpdate = (current: Uint8Array | null, context: UpdateContext) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/**
 * A place that keeps the local state of one program for one vendor key.
 *
 * @example
 * const store = new MemoryStore();
 * await store.update((current) => new Uint8Array([(current?.[0] ?? 0) + 1]));
 * (await store.read())?.bytes; // Uint8Array [1]
 */
export interface StateStore {
  /**
   * The newest intact generation's bytes, or null when nothing was ever
   * written. Throws `ERR_STATE_CORRUPT` when state files exist but none is
   * intact, `ERR_STATE_VERSION` when the newest intact one is in a newer
   * storage format, `ERR_STATE_IO` when the store cannot be read.
   */
  read(options?: ReadOptions): Promise<StoredState | null>;
  /**
   * Atomically replaces the state: takes the exclusive lock, reads the
   * current bytes (as `read` would), calls `update`, and commits what it
   * returns as the next generation before resolving. Resolves to the bytes
   * the state now holds (the new ones, or the current ones when `update`
   * returned `undefined`). Throws `ERR_STATE_LOCKED` when the lock is not
   * acquired in time, `ERR_STATE_TOO_LARGE` when the new bytes exceed the
   * store's limit (nothing is written), and what `read` throws.
   */
  update(update: StateUpdate, options?: UpdateOptions): Promise<Uint8Array | null>;
}

/** The default size limit of one generation's bytes: 4 MiB. */
export const DEFAULT_MAX_STATE_BYTES = 4 * 1024 * 1024;
