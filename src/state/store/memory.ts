/**
 * A state store in memory, with the same semantics as FileStore (framed
 * generations, fallback to the previous good one, serialised updates): for
 * tests, and for hosts with no disk. Runs anywhere (no `node:*` import).
 */
import { GenerationStore, createMutex, type StoreDirectory } from './generations.ts';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The largest state in bytes (default 4 MiB). */
  readonly maxBytes?: number;
}

class MemoryDirectory implements StoreDirectory {
  readonly description = 'memory state store';
  readonly files = new Map<string, Uint8Array>();
  readonly exclusive = createMutex();

  async list(): Promise<readonly string[]> {
    return [...this.files.keys()];
  }

  async read(name: string, limit: number): Promise<Uint8Array | 'missing' | 'too-large'> {
    const bytes = this.files.get(name);
    if (bytes === undefined) return 'missing';
    return bytes.length > limit ? 'too-large' : bytes.slice();
  }

  async commit(name: string, bytes: Uint8Array): Promise<void> {
    this.files.set(name, bytes.slice());
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}

/**
 * A {@link StateStore} in memory. Its {@link files} are the simulated folder
 * (entry name to framed bytes), which a test may damage, truncate or empty to
 * see the store fall back.
 *
 * @example
 * const store = new MemoryStore();
 * await store.update(() => new TextEncoder().encode('hello'));
 * (await store.read())?.generation; // 1
 */
export class MemoryStore extends GenerationStore {
  /** The simulated folder: entry names (`state.<generation>.lks`) to their framed bytes. */
  readonly files: Map<string, Uint8Array>;

  constructor(options: MemoryStoreOptions = {}) {
    const directory = new MemoryDirectory();
    super(directory, options.maxBytes);
    this.files = directory.files;
  }
}
