/**
 * The Node state store: one folder per program and vendor key (see
 * location.ts), holding framed generations `state.<n>.lks` (generations.ts,
 * frame.ts) and an inter-process `lock` (lock.ts).
 *
 * A commit writes a temporary file in the same folder (`.tmp-<random>`,
 * O_EXCL, mode 0600), fsyncs it, checks the lock is still its own, renames it
 * to the next generation's name (a name no file has: nothing is replaced),
 * and fsyncs the folder, so the new name survives a power cut; only then does
 * `update` prune older generations and resolve.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OptionError, StateError } from '../../lib/errors.ts';
import { GenerationStore, type StoreDirectory } from './generations.ts';
import { defaultStateDirectory } from './location.ts';
import { acquireLock, type HeldLock, type LockOptions } from './lock.ts';

/** Options of {@link FileStore}: either `directory`, or `program` and `vendorKeyId` for the OS's default folder. */
export interface FileStoreOptions {
  /** The state folder (created with mode 0700 when missing). */
  readonly directory?: string;
  /** The program's name, for the default folder (see `defaultStateDirectory`). */
  readonly program?: string;
  /** The vendor key's id, for the default folder. */
  readonly vendorKeyId?: string;
  /** The largest state in bytes (default 4 MiB). */
  readonly maxBytes?: number;
  /** How long `update` waits for the lock before `ERR_STATE_LOCKED` (default 30 000 ms). */
  readonly lockTimeoutMs?: number;
  /** A lock whose holder has not refreshed it for this long is stale (default 10 000 ms; refreshed every quarter of it). */
  readonly staleLockMs?: number;
  /** The clock for the lock's heartbeat and timeout (default `Date.now`); never used for the state's content. */
  readonly now?: () => number;
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
const TEMPORARY = /^\.tmp-[0-9a-f]{32}$/;
const ASIDE = /^lock(\.break)?\.[0-9a-f]{16}\.aside$/;

/** On Windows a virus scanner or indexer may hold a new file open for a moment: retry those refusals briefly. */
async function retryOnWindows<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (process.platform !== 'win32' || attempt >= 20 || !['EPERM', 'EACCES', 'EBUSY'].includes(codeOf(error) ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + attempt * 10));
    }
  }
}

class FileDirectory implements StoreDirectory {
  readonly description: string;
  readonly #path: string;
  readonly #lock: LockOptions;
  #held: HeldLock | undefined;

  constructor(path: string, lock: LockOptions) {
    this.#path = path;
    this.#lock = lock;
    this.description = `state folder ${path}`;
  }

  #io(what: string, error: unknown): StateError {
    if (error instanceof StateError) return error;
    return new StateError('ERR_STATE_IO', `${this.description}: ${what}: ${codeOf(error) ?? String(error)}`, { cause: error });
  }

  async list(): Promise<readonly string[]> {
    try {
      return await readdir(this.#path);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return [];
      throw this.#io('cannot list it', error);
    }
  }

  async read(name: string, limit: number): Promise<Uint8Array | 'missing' | 'too-large'> {
    let handle;
    try {
      handle = await open(join(this.#path, name), 'r');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return 'missing';
      throw this.#io(`cannot open ${name}`, error);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return new Uint8Array(0); // not a regular file: a damaged entry
      if (info.size > limit) return 'too-large';
      const bytes = new Uint8Array(info.size);
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
        if (bytesRead === 0) return bytes.subarray(0, filled); // shrank while read: torn
        filled += bytesRead;
      }
      return bytes;
    } catch (error) {
      throw this.#io(`cannot read ${name}`, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async commit(name: string, bytes: Uint8Array): Promise<void> {
    const temporary = join(this.#path, `.tmp-${randomBytes(16).toString('hex')}`);
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        let written = 0;
        while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.#held!.assertHeld();
      await retryOnWindows(() => rename(temporary, join(this.#path, name)));
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw this.#io(`cannot write ${name}`, error);
    }
    await this.#syncFolder();
    await this.#sweep();
  }

  async remove(name: string): Promise<void> {
    try {
      await retryOnWindows(() => unlink(join(this.#path, name)));
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw this.#io(`cannot remove ${name}`, error);
    }
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    try {
      await mkdir(this.#path, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.#io('cannot create it', error);
    }
    const held = await acquireLock(join(this.#path, 'lock'), this.#lock);
    // Tasks of one FileStore may interleave only through the lock file, like separate processes.
    const outer = this.#held;
    this.#held = held;
    try {
      return await task();
    } finally {
      this.#held = outer;
      await held.release();
    }
  }

  /** Makes the rename durable: fsync the folder (POSIX; Windows cannot open a folder, and NTFS journals the rename). */
  async #syncFolder(): Promise<void> {
    if (process.platform === 'win32') return;
    let handle;
    try {
      handle = await open(this.#path, 'r');
      await handle.sync();
    } catch (error) {
      // Some file systems (network, FUSE) refuse fsync on a folder; the rename is then as durable as they make it.
      if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM'].includes(codeOf(error) ?? '')) throw this.#io('cannot fsync the folder', error);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** Removes temporary files of writers that died (none is live: the lock is held) and lock files left aside over the stale bound. */
  async #sweep(): Promise<void> {
    for (const name of await this.list().catch(() => [] as readonly string[])) {
      const path = join(this.#path, name);
      if (TEMPORARY.test(name)) await unlink(path).catch(() => undefined);
      else if (ASIDE.test(name)) {
        const info = await stat(path).catch(() => undefined);
        if (info && this.#lock.now() - info.mtimeMs > this.#lock.staleMs) await unlink(path).catch(() => undefined);
      }
    }
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new OptionError(`"${name}" expected a finite number of milliseconds >= 0, got ${String(value)}`);
  return value;
}

/**
 * A {@link StateStore} in a folder on disk, safe against crashes (SIGKILL,
 * power cuts) and concurrent processes. See the module comment for how.
 *
 * @example
 * const store = new FileStore({ program: 'acme-cad', vendorKeyId: kid });
 * await store.update((current) => next(current));
 */
export class FileStore extends GenerationStore {
  /** The state folder. */
  readonly directory: string;

  constructor(options: FileStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new OptionError('FileStore expected an options object');
    let directory: string;
    if (options.directory !== undefined) {
      if (typeof options.directory !== 'string' || options.directory === '') throw new OptionError('"directory" expected a non-empty path');
      if (options.program !== undefined || options.vendorKeyId !== undefined) throw new OptionError('give either "directory" or "program" and "vendorKeyId", not both');
      directory = options.directory;
    } else {
      directory = defaultStateDirectory({ program: options.program as string, vendorKeyId: options.vendorKeyId as string, platform: process.platform, env: process.env, homedir: homedir() });
    }
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw new OptionError('"now" expected a function');
    const lock: LockOptions = {
      timeoutMs: positive('lockTimeoutMs', options.lockTimeoutMs, 30_000),
      staleMs: positive('staleLockMs', options.staleLockMs, 10_000),
      now,
    };
    super(new FileDirectory(directory, lock), options.maxBytes);
    this.directory = directory;
  }
}
