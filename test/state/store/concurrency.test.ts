/**
 * Concurrency with real processes: several writers incrementing one counter
 * lose no update; a writer SIGKILLed while holding the lock does not stop the
 * others; a stale lock that several waiters judge stale at the same moment is
 * broken once (no two holders: the count stays exact); a live holder makes a
 * waiter give up with ERR_STATE_LOCKED after its timeout, and a lock left by
 * another host, or by this pid under a token no acquisition holds, is judged
 * as the lock's module comment says.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StateError } from '../../../src/lib/errors.ts';
import { FileStore } from '../../../src/state/store/file.ts';
import { decodeCounter, encodeCounter, isCounter } from './counter.ts';
import { buildChild, runChild, type Child } from './processes.ts';

let child: Awaited<ReturnType<typeof buildChild>>;
const root = mkdtempSync(join(tmpdir(), 'licensekit-store-concurrency-'));
let dirs = 0;
const freshDir = (): string => join(root, String(dirs++));

beforeAll(async () => {
  child = await buildChild();
});
afterAll(() => {
  child?.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function counterIn(directory: string): Promise<{ counter: number | undefined; generation: number }> {
  const state = await new FileStore({ directory }).read({ validate: isCounter });
  return { counter: decodeCounter(state?.bytes), generation: state?.generation ?? 0 };
}

async function finish(children: readonly Child[]): Promise<void> {
  for (const c of children) {
    const { code } = await c.exited;
    expect(code, c.stderr()).toBe(0);
    expect(c.lines).toContain('done');
  }
}

/** A pid that was just in use on this host and is gone (its process exited and was reaped). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  return Number(pid);
}

const lockContent = (pid: number, host = hostname(), token = 'f'.repeat(32)): string => JSON.stringify({ pid, hostname: host, token, acquiredAt: 0 });

describe('FileStore with several processes', () => {
  test('4 processes x 200 updates of one counter: exactly 800, one generation each', { timeout: 120_000 }, async () => {
    const directory = freshDir();
    const children = Array.from({ length: 4 }, () => runChild(child.script, ['count', directory, '200']));
    await finish(children);
    expect(await counterIn(directory)).toEqual({ counter: 800, generation: 800 });
    expect(readdirSync(directory).sort()).toEqual(['state.799.lks', 'state.800.lks']);
  });

  test('lock-free reads while 2 processes write: never fail, never fall back, never go back in time', { timeout: 60_000 }, async () => {
    const directory = freshDir();
    const reader = new FileStore({ directory });
    const children = Array.from({ length: 2 }, () => runChild(child.script, ['count', directory, '150']));
    let running = true;
    const all = Promise.all(children.map((c) => c.exited)).then(() => (running = false));
    let last = 0;
    let reads = 0;
    while (running) {
      const state = await reader.read({ validate: isCounter });
      if (state === null) {
        expect(last, "null only before the first write").toBe(0);
        continue;
      }
      expect(state.fellBack).toBe(false);
      expect(decodeCounter(state.bytes)).toBe(state.generation);
      expect(state.generation).toBeGreaterThanOrEqual(last);
      last = state.generation;
      reads++;
    }
    await all;
    await finish(children);
    expect(reads).toBeGreaterThan(20);
    expect(await counterIn(directory)).toEqual({ counter: 300, generation: 300 });
  });

  test('a writer SIGKILLed while it holds the lock: the others wait for it, recover the lock, and lose nothing', { timeout: 60_000 }, async () => {
    const directory = freshDir();
    const seed = new FileStore({ directory });
    await seed.update(() => encodeCounter(10, 3));
    const holder = runChild(child.script, ['hold', directory]);
    await holder.waitFor((line) => line === 'holding');
    // While it lives, a waiter with a short timeout gives up with ERR_STATE_LOCKED, and nothing changes.
    const impatient = new FileStore({ directory, lockTimeoutMs: 300 });
    const error = await impatient.update(() => encodeCounter(999, 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('ERR_STATE_LOCKED');
    expect((error as StateError).message).toContain(`pid ${holder.process.pid}`);
    // Three writers start while it still holds the lock; then it is killed.
    const children = Array.from({ length: 3 }, () => runChild(child.script, ['count', directory, '50']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await counterIn(directory)).toEqual({ counter: 10, generation: 1 });
    holder.process.kill('SIGKILL');
    await holder.exited;
    await finish(children);
    expect(await counterIn(directory)).toEqual({ counter: 160, generation: 151 });
  });

  test('a stale lock met by 4 writers at once is broken once: no two holders, 5 rounds, the count stays exact', { timeout: 120_000 }, async () => {
    const directory = freshDir();
    mkdirSync(directory);
    for (let round = 1; round <= 5; round++) {
      writeFileSync(join(directory, 'lock'), lockContent(deadPid()));
      const children = Array.from({ length: 4 }, () => runChild(child.script, ['count', directory, '25']));
      await finish(children);
      expect(await counterIn(directory)).toEqual({ counter: 100 * round, generation: 100 * round });
      expect(existsSync(join(directory, 'lock'))).toBe(false);
    }
  });
});

describe('FileStore lock staleness (in this process)', () => {
  const plant = (directory: string, content: string, ageMs: number): void => {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'lock'), content);
    const at = (Date.now() - ageMs) / 1000;
    utimesSync(join(directory, 'lock'), at, at);
  };
  const update = (directory: string, staleLockMs = 10_000) => new FileStore({ directory, lockTimeoutMs: 400, staleLockMs }).update(() => encodeCounter(1, 0));
  const codeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: unknown) => (e as StateError).code);

  test('another host\'s lock is waited for while its heartbeat is fresh, and broken once it is older than staleLockMs', async () => {
    const fresh = freshDir();
    plant(fresh, lockContent(process.pid, 'some-other-host'), 0);
    expect(await codeOf(update(fresh))).toBe('ERR_STATE_LOCKED');
    const old = freshDir();
    plant(old, lockContent(process.pid, 'some-other-host'), 60_000);
    expect(await codeOf(update(old))).toBeUndefined();
  });

  test('a live process on this host holds its lock while fresh; a frozen one (heartbeat older than staleLockMs) loses it', async () => {
    const fresh = freshDir();
    plant(fresh, lockContent(process.ppid), 0);
    expect(await codeOf(update(fresh))).toBe('ERR_STATE_LOCKED');
    const frozen = freshDir();
    plant(frozen, lockContent(process.ppid), 5_000);
    expect(await codeOf(update(frozen, 1_000))).toBeUndefined();
  });

  test('a lock naming this very pid under a token no acquisition of this process holds (a pid reused after a reboot) is stale at once', async () => {
    const directory = freshDir();
    plant(directory, lockContent(process.pid), 0);
    expect(await codeOf(update(directory))).toBeUndefined();
  });

  test('a dead pid on this host is stale at once; an unreadable lock only by age', async () => {
    const dead = freshDir();
    plant(dead, lockContent(deadPid()), 0);
    expect(await codeOf(update(dead))).toBeUndefined();
    const garbled = freshDir();
    plant(garbled, '{"pid":', 0);
    expect(await codeOf(update(garbled))).toBe('ERR_STATE_LOCKED');
    plant(garbled, '{"pid":', 60_000);
    expect(await codeOf(update(garbled))).toBeUndefined();
  });

  test('two stores in one process on one folder serialise through the lock file (neither breaks the other\'s lock)', async () => {
    const directory = freshDir();
    const a = new FileStore({ directory });
    const b = new FileStore({ directory });
    const inc = (s: FileStore) => s.update((c) => encodeCounter((decodeCounter(c) ?? 0) + 1, 5), { validate: isCounter });
    await Promise.all(Array.from({ length: 40 }, (_, i) => inc(i % 2 ? a : b)));
    expect(await counterIn(directory)).toEqual({ counter: 40, generation: 40 });
  });
});
