/**
 * An inter-process lock on a state folder, with plain files (Node has no
 * flock, and licensekit takes no native dependency).
 *
 * Acquire: create `lock` exclusively (a hard link to a complete temporary
 * file, which fails with EEXIST like O_EXCL; O_EXCL itself where hard links
 * are missing) holding JSON `{ pid, hostname, token, acquiredAt }` (the token
 * is 128 random bits, so the content names one acquisition). Its mtime is the holder's heartbeat:
 * refreshed every `staleMs / 4` while held.
 *
 * Stale: the holder is on this host and its pid is gone (`kill(pid, 0)` gives
 * ESRCH), or it is this process's pid but no acquisition of this process holds
 * that token (a pid reused after a reboot, a container's pid 1), or the
 * heartbeat is older than `staleMs` (another host on a shared folder, a pid
 * reused by an unrelated process, a holder frozen that long).
 *
 * ABA on stale-lock removal: two waiters that both judged the same lock
 * stale must not both delete "the lock", or the second deletes the lock the
 * first has just created, and both hold it. Two protocols prevent it:
 *
 * 1. Breaking is itself serialised by a second O_EXCL file, `lock.break`:
 *    only its holder may remove `lock`, and it re-reads `lock` first and goes
 *    on only if the content is byte for byte the stale one it judged (so a
 *    fresh lock, whose token differs, is never removed).
 * 2. Every removal (a stale lock, a stale `lock.break`, and the holder's own
 *    release) is rename-then-check: `lock` is renamed aside to a random name
 *    (atomic: exactly one remover gets a given file), the renamed file's
 *    content is compared with the expected one, and if it is someone else's
 *    it is put back with `link` (which fails rather than overwrite a lock
 *    made in between). So even when (1) is defeated, for example by a breaker
 *    killed while holding `lock.break` and two waiters breaking that, no
 *    remover deletes a lock it did not judge.
 *
 * Finally the holder re-reads `lock` before it commits a write
 * ({@link HeldLock.assertHeld}) and refuses to commit (`ERR_STATE_LOCKED`)
 * when it is no longer its own, so a holder whose lock was broken (frozen
 * past `staleMs`) cannot overwrite its successor's update.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StateError } from '../../lib/errors.ts';

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** Give up with `ERR_STATE_LOCKED` after this many milliseconds of waiting. */
  readonly timeoutMs: number;
  /** A lock whose heartbeat is older than this is stale. */
  readonly staleMs: number;
  /** The clock (milliseconds since the epoch) for heartbeats, staleness and the timeout. */
  readonly now: () => number;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Throws `ERR_STATE_LOCKED` unless the lock file is still this acquisition's. */
  assertHeld(): Promise<void>;
  /** Releases the lock (only if it is still this acquisition's). */
  release(): Promise<void>;
}

/** Tokens of the locks this process holds now: a lock naming this pid with another token is a leftover. */
const heldTokens = new Set<string>();
const HOST = hostname();

interface SeenLock {
  /** The file's content, exactly. */
  readonly raw: string;
  readonly mtimeMs: number;
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

function ioError(what: string, error: unknown): StateError {
  return new StateError('ERR_STATE_IO', `${what}: ${codeOf(error) ?? String(error)}`, { cause: error });
}

/**
 * Creates `path` exclusively with `content` and mtime `at`; false when it
 * exists. The content is written to a temporary file first and hard-linked
 * to `path` (link fails rather than replace), so `path` never exists without
 * its content, even when the creator is killed half-way; a file system
 * without hard links gets O_EXCL create-then-write instead, where a torn
 * lock is judged by its age alone.
 */
async function createExclusive(path: string, content: string, at: number): Promise<boolean> {
  const temporary = `${path}.${randomBytes(8).toString('hex')}.aside`;
  try {
    await writeFile(temporary, content, { flag: 'wx', mode: 0o600 });
    await utimes(temporary, at / 1000, at / 1000);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw ioError(`cannot create the lock ${path}`, error);
  }
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(codeOf(error) ?? '')) throw ioError(`cannot create the lock ${path}`, error);
    return createByOpen(path, content, at);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function createByOpen(path: string, content: string, at: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw ioError(`cannot create the lock ${path}`, error);
  }
  try {
    await handle.writeFile(content);
    await handle.utimes(at / 1000, at / 1000);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw ioError(`cannot write the lock ${path}`, error);
  }
  await handle.close();
  return true;
}

async function readLock(path: string): Promise<SeenLock | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw ioError(`cannot read the lock ${path}`, error);
  }
  try {
    const stat = await handle.stat();
    if (stat.size > 4096) return { raw: '', mtimeMs: stat.mtimeMs };
    return { raw: await handle.readFile('utf8'), mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}

function holderOf(raw: string): { pid: number; hostname: string; token: string } | undefined {
  try {
    const info = JSON.parse(raw) as unknown;
    if (typeof info !== 'object' || info === null) return undefined;
    const { pid, hostname: host, token } = info as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || typeof host !== 'string' || typeof token !== 'string') return undefined;
    return { pid: pid as number, hostname: host, token };
  } catch {
    return undefined; // being written, or damaged: judged by its age alone
  }
}

function isStale(seen: SeenLock, options: LockOptions): boolean {
  const holder = holderOf(seen.raw);
  if (holder && holder.hostname === HOST) {
    if (holder.pid === process.pid) return !heldTokens.has(holder.token);
    try {
      process.kill(holder.pid, 0);
    } catch (error) {
      if (codeOf(error) === 'ESRCH') return true;
    }
  }
  return options.now() - seen.mtimeMs > options.staleMs;
}

/**
 * Removes `path` only if its content is exactly `expected` (rename-then-check,
 * see the module comment). Returns whether it removed it.
 */
async function removeIfContent(path: string, expected: string): Promise<boolean> {
  const aside = `${path}.${randomBytes(8).toString('hex')}.aside`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    throw ioError(`cannot remove the lock ${path}`, error);
  }
  const raw = await readFile(aside, 'utf8').catch(() => undefined);
  if (raw !== expected) {
    // Someone else's lock: put it back, unless a new one took the name meanwhile.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return raw === expected;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Acquires the lock file `path` (see the module comment), waiting with
 * jittered exponential backoff (2 ms doubling to 100 ms) up to `timeoutMs`.
 */
export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const token = randomBytes(16).toString('hex');
  const content = JSON.stringify({ pid: process.pid, hostname: HOST, token, acquiredAt: options.now() });
  const deadline = options.now() + options.timeoutMs;
  let delay = 2;
  let last: SeenLock | undefined;
  for (;;) {
    heldTokens.add(token);
    let created = false;
    try {
      created = await createExclusive(path, content, options.now());
    } finally {
      if (!created) heldTokens.delete(token);
    }
    if (created) break;
    last = await readLock(path);
    if (last && isStale(last, options) && (await breakStale(path, last, options))) continue;
    if (options.now() >= deadline) {
      const holder = last && holderOf(last.raw);
      const who = holder ? `pid ${holder.pid} on ${holder.hostname}` : 'an unknown holder';
      throw new StateError('ERR_STATE_LOCKED', `the state lock ${path} is held by ${who}; gave up after ${options.timeoutMs} ms`);
    }
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 100);
  }

  const touch = (): void => {
    const at = options.now() / 1000;
    utimes(path, at, at).catch(() => undefined);
  };
  const heartbeat = setInterval(touch, Math.max(1, Math.floor(options.staleMs / 4)));
  heartbeat.unref?.();
  let released = false;
  return {
    async assertHeld() {
      const seen = await readLock(path);
      if (seen?.raw !== content) {
        throw new StateError('ERR_STATE_LOCKED', `the state lock ${path} was taken over while held (frozen longer than ${options.staleMs} ms?); nothing was written`);
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldTokens.delete(token);
      await removeIfContent(path, content).catch(() => undefined);
    },
  };
}

/**
 * Removes the stale lock `seen` while holding `<path>.break`; false when
 * another waiter is breaking it (or it changed), so the caller waits.
 */
async function breakStale(path: string, seen: SeenLock, options: LockOptions): Promise<boolean> {
  const breakPath = `${path}.break`;
  const token = randomBytes(16).toString('hex');
  const content = JSON.stringify({ pid: process.pid, hostname: HOST, token, acquiredAt: options.now() });
  heldTokens.add(token);
  try {
    if (!(await createExclusive(breakPath, content, options.now()))) {
      // Another waiter is breaking; if it died doing so, clear its break lock (by content, never by name).
      const breaker = await readLock(breakPath);
      if (breaker && isStale(breaker, options)) await removeIfContent(breakPath, breaker.raw);
      return false;
    }
    try {
      const again = await readLock(path);
      if (!again) return true;
      if (again.raw !== seen.raw || !isStale(again, options)) return false;
      return await removeIfContent(path, seen.raw);
    } finally {
      await removeIfContent(breakPath, content);
    }
  } finally {
    heldTokens.delete(token);
  }
}
