/**
 * The frame (CRC-32 agrees with zlib's; every single-byte change and every
 * truncation detected; a newer format told apart from damage) and the
 * stores' behaviour on damage injected directly into their files: a torn or
 * flipped newest generation falls back to the previous one (`fellBack`),
 * nothing intact is ERR_STATE_CORRUPT (or a fresh start when asked), a newer
 * format is ERR_STATE_VERSION and left untouched, sizes are bounded, a
 * failed update writes nothing, a lost lock commits nothing.
 */
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { OptionError, StateError } from '../../../src/lib/errors.ts';
import { FileStore } from '../../../src/state/store/file.ts';
import { FRAME_OVERHEAD, crc32, decodeFrame, encodeFrame } from '../../../src/state/store/frame.ts';
import { GenerationStore, createMutex, type StoreDirectory } from '../../../src/state/store/generations.ts';
import { MemoryStore } from '../../../src/state/store/memory.ts';
import type { StateStore } from '../../../src/state/store/store.ts';

const root = mkdtempSync(join(tmpdir(), 'licensekit-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const codeOf = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => {
      expect(e).toBeInstanceOf(StateError);
      return (e as StateError).code;
    },
  );

describe('frame', () => {
  test.prop([fc.uint8Array({ maxLength: 300 })])('crc32 agrees with zlib', (data) => {
    expect(crc32(data)).toBe(zlibCrc32(data));
  });

  test.prop([fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ maxLength: 200 })])('round trip, with the overhead of 24 bytes', (generation, body) => {
    const framed = encodeFrame(generation, body);
    expect(framed.length).toBe(body.length + FRAME_OVERHEAD);
    expect(decodeFrame(framed)).toEqual({ kind: 'intact', generation, body });
  });

  test.prop([fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 })])('any single changed byte is damage (never another intact frame, never "newer")', (body, at, xor) => {
    const framed = encodeFrame(7, body);
    framed[at % framed.length]! ^= xor;
    expect(decodeFrame(framed).kind).toBe('damaged');
  });

  test.prop([fc.uint8Array({ maxLength: 64 }), fc.nat()])('any truncation or extension is damage', (body, cut) => {
    const framed = encodeFrame(3, body);
    expect(decodeFrame(framed.subarray(0, cut % framed.length)).kind).toBe('damaged');
    expect(decodeFrame(Uint8Array.of(...framed, 0)).kind).toBe('damaged');
  });

  test('a newer format version with an intact CRC is "newer", not damage; reserved bytes must be zero', () => {
    const framed = encodeFrame(1, bytes(1, 2, 3));
    const reframe = (edit: (b: Uint8Array) => void): Uint8Array => {
      const b = framed.slice();
      edit(b);
      new DataView(b.buffer).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)));
      return b;
    };
    expect(decodeFrame(reframe((b) => (b[4] = 2)))).toEqual({ kind: 'newer', version: 2 });
    expect(decodeFrame(reframe((b) => (b[6] = 1))).kind).toBe('damaged');
    expect(decodeFrame(reframe((b) => (b[4] = 0))).kind).toBe('damaged');
    expect(() => encodeFrame(0, bytes())).toThrow(RangeError);
    expect(() => encodeFrame(2 ** 53, bytes())).toThrow(RangeError);
  });
});

/** A store and its folder's entries, to damage them. */
interface Harness {
  readonly store: StateStore;
  entries(): string[];
  get(name: string): Uint8Array;
  set(name: string, value: Uint8Array): void;
}

function memoryHarness(maxBytes?: number): Harness {
  const store = new MemoryStore({ maxBytes });
  return {
    store,
    entries: () => [...store.files.keys()].sort(),
    get: (name) => store.files.get(name)!.slice(),
    set: (name, value) => store.files.set(name, value),
  };
}

function fileHarness(maxBytes?: number): Harness {
  const directory = join(root, `h${dirs++}`);
  return {
    store: new FileStore({ directory, maxBytes }),
    entries: () => readdirSync(directory).sort(),
    get: (name) => new Uint8Array(readFileSync(join(directory, name))),
    set: (name, value) => writeFileSync(join(directory, name), value),
  };
}

describe.each([
  ['MemoryStore', memoryHarness],
  ['FileStore', fileHarness],
])('%s with damage injected', (_name, harness) => {
  async function threeGenerations(): Promise<Harness> {
    const h = harness();
    expect(await h.store.read()).toBeNull();
    for (const value of [1, 2, 3]) await h.store.update(() => bytes(value, value));
    expect(h.entries()).toEqual(['state.2.lks', 'state.3.lks']);
    expect(await h.store.read()).toEqual({ bytes: bytes(3, 3), generation: 3, fellBack: false });
    return h;
  }

  test('a truncated newest generation falls back to the previous one, and the next update continues from it', async () => {
    const h = await threeGenerations();
    h.set('state.3.lks', h.get('state.3.lks').subarray(0, 10));
    expect(await h.store.read()).toEqual({ bytes: bytes(2, 2), generation: 2, fellBack: true });
    let seen: unknown;
    await h.store.update((current, context) => {
      seen = [current, context];
      return bytes(9);
    });
    expect(seen).toEqual([bytes(2, 2), { generation: 2, fellBack: true, startedOver: false }]);
    // The damaged generation is pruned; the good one it fell back to is kept as the previous.
    expect(h.entries()).toEqual(['state.2.lks', 'state.4.lks']);
    expect(await h.store.read()).toEqual({ bytes: bytes(9), generation: 4, fellBack: false });
  });

  test('a flipped byte anywhere in the newest generation falls back', async () => {
    const h = await threeGenerations();
    const original = h.get('state.3.lks');
    for (let at = 0; at < original.length; at++) {
      const damaged = original.slice();
      damaged[at]! ^= 0x40;
      h.set('state.3.lks', damaged);
      expect(await h.store.read(), `byte ${at}`).toEqual({ bytes: bytes(2, 2), generation: 2, fellBack: true });
    }
  });

  test('a generation the caller refuses (a bad MAC) falls back like damage; an empty or renamed one too', async () => {
    const h = await threeGenerations();
    expect(await h.store.read({ validate: (b) => b[0] !== 3 })).toEqual({ bytes: bytes(2, 2), generation: 2, fellBack: true });
    h.set('state.3.lks', h.get('state.2.lks'));
    expect(await h.store.read()).toEqual({ bytes: bytes(2, 2), generation: 2, fellBack: true });
    h.set('state.3.lks', new Uint8Array(0));
    expect(await h.store.read()).toEqual({ bytes: bytes(2, 2), generation: 2, fellBack: true });
  });

  test('nothing intact: read and update throw ERR_STATE_CORRUPT and touch nothing; start-over begins afresh past every generation', async () => {
    const h = await threeGenerations();
    h.set('state.3.lks', bytes(1, 2, 3));
    h.set('state.2.lks', h.get('state.2.lks').subarray(1));
    expect(await codeOf(h.store.read())).toBe('ERR_STATE_CORRUPT');
    let called = false;
    expect(await codeOf(h.store.update(() => ((called = true), bytes(1))))).toBe('ERR_STATE_CORRUPT');
    expect(called).toBe(false);
    expect(h.entries().filter((n) => n.startsWith('state.'))).toEqual(['state.2.lks', 'state.3.lks']);
    let context: unknown;
    await h.store.update((current, c) => ((context = [current, c]), bytes(5)), { onUnreadable: 'start-over' });
    expect(context).toEqual([null, { generation: 0, fellBack: true, startedOver: true }]);
    expect(await h.store.read()).toEqual({ bytes: bytes(5), generation: 4, fellBack: false });
    expect(h.entries()).toEqual(['state.4.lks']);
  });

  test('a generation in a newer storage format is ERR_STATE_VERSION for read and update, even with start-over, and is left untouched', async () => {
    const h = await threeGenerations();
    const newer = h.get('state.3.lks');
    newer[4] = 2;
    new DataView(newer.buffer).setUint32(newer.length - 4, crc32(newer.subarray(0, newer.length - 4)));
    h.set('state.3.lks', newer);
    expect(await codeOf(h.store.read())).toBe('ERR_STATE_VERSION');
    expect(await codeOf(h.store.update(() => bytes(1), { onUnreadable: 'start-over' }))).toBe('ERR_STATE_VERSION');
    expect(h.get('state.3.lks')).toEqual(newer);
  });

  test('sizes are bounded: a larger state is ERR_STATE_TOO_LARGE and writes nothing; an oversized entry is passed over', async () => {
    const h = harness(8);
    await h.store.update(() => bytes(1));
    expect(await codeOf(h.store.update(() => new Uint8Array(9)))).toBe('ERR_STATE_TOO_LARGE');
    expect(await h.store.read()).toEqual({ bytes: bytes(1), generation: 1, fellBack: false });
    await h.store.update(() => new Uint8Array(8));
    h.set('state.3.lks', encodeFrame(3, new Uint8Array(9)));
    expect(await h.store.read()).toEqual({ bytes: new Uint8Array(8), generation: 2, fellBack: true });
    expect(() => harness(0)).toThrow(RangeError);
    expect(() => harness(2 ** 32)).toThrow(RangeError);
  });

  test('an update that throws, or returns undefined, writes nothing; a non-Uint8Array is a TypeError; the lock is free afterwards', async () => {
    const h = await threeGenerations();
    await expect(h.store.update(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await h.store.update(() => undefined)).toEqual(bytes(3, 3));
    await expect(h.store.update(() => 'text' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    await expect(h.store.update('x' as unknown as () => undefined)).rejects.toThrow(TypeError);
    await expect(h.store.read({ validate: 1 as unknown as () => boolean })).rejects.toThrow(TypeError);
    expect(h.entries()).toEqual(['state.2.lks', 'state.3.lks']);
    expect(await h.store.update(() => bytes(4))).toEqual(bytes(4));
  });
});

describe('GenerationStore racing a writer', () => {
  /** A folder whose listing is one commit behind: every entry it lists has been pruned by the time it is read, until the writer stops. */
  function racingDirectory(commitsWhileReading: number): StoreDirectory & { lists: number } {
    let generation = 2;
    const files = new Map<string, Uint8Array>([
      ['state.1.lks', encodeFrame(1, bytes(1))],
      ['state.2.lks', encodeFrame(2, bytes(2))],
    ]);
    const dir = {
      description: 'racing',
      lists: 0,
      exclusive: createMutex(),
      async list() {
        dir.lists++;
        const names = [...files.keys()];
        if (commitsWhileReading-- > 0) {
          // A writer commits twice and prunes everything the reader just listed.
          for (let i = 0; i < 2; i++) {
            generation++;
            files.set(`state.${generation}.lks`, encodeFrame(generation, bytes(generation)));
          }
          for (const name of names) files.delete(name);
        }
        return names;
      },
      async read(name: string) {
        return files.get(name) ?? ('missing' as const);
      },
      async commit(name: string, value: Uint8Array) {
        files.set(name, value);
      },
      async remove(name: string) {
        files.delete(name);
      },
    };
    return dir;
  }

  test('a read whose listed entries were pruned lists again: never null, never a false fallback', async () => {
    const dir = racingDirectory(3);
    expect(await new GenerationStore(dir).read()).toEqual({ bytes: bytes(8), generation: 8, fellBack: false });
    expect(dir.lists).toBe(4);
  });

  test('a folder that keeps changing under every listing ends in ERR_STATE_IO, not a wrong answer', async () => {
    expect(await codeOf(new GenerationStore(racingDirectory(1_000)).read())).toBe('ERR_STATE_IO');
  });
});

describe('FileStore on disk', () => {
  test('files are 0600 in a 0700 folder, and no temporary file or lock is left after an update', async () => {
    const directory = join(root, 'perm', 'nested');
    const store = new FileStore({ directory });
    await store.update(() => bytes(1));
    expect(readdirSync(directory)).toEqual(['state.1.lks']);
    if (process.platform !== 'win32') {
      expect(statSync(directory).mode & 0o777).toBe(0o700);
      expect(statSync(join(directory, 'state.1.lks')).mode & 0o777).toBe(0o600);
    }
  });

  test('temporary files of a dead writer are ignored by reads and swept by the next commit', async () => {
    const directory = join(root, `h${dirs++}`);
    const store = new FileStore({ directory });
    await store.update(() => bytes(1));
    writeFileSync(join(directory, `.tmp-${'a'.repeat(32)}`), encodeFrame(2, bytes(2)));
    writeFileSync(join(directory, 'state.9.lks.partial'), bytes(0));
    expect(await store.read()).toEqual({ bytes: bytes(1), generation: 1, fellBack: false });
    await store.update(() => bytes(2));
    expect(readdirSync(directory).sort()).toEqual(['state.1.lks', 'state.2.lks', 'state.9.lks.partial']);
  });

  test('a lock taken over while the update ran (the holder froze past staleLockMs): nothing is committed, ERR_STATE_LOCKED', async () => {
    const directory = join(root, `h${dirs++}`);
    const store = new FileStore({ directory });
    await store.update(() => bytes(1));
    const error = await store
      .update(() => {
        writeFileSync(join(directory, 'lock'), JSON.stringify({ pid: 1, hostname: 'elsewhere', token: 'b'.repeat(32), acquiredAt: 0 }));
        return bytes(2);
      })
      .catch((e: unknown) => e);
    expect((error as StateError).code).toBe('ERR_STATE_LOCKED');
    expect(await store.read()).toEqual({ bytes: bytes(1), generation: 1, fellBack: false });
    // The successor's lock is left to it (the release removes only its own).
    expect(readFileSync(join(directory, 'lock'), 'utf8')).toContain('elsewhere');
  });

  test('an unusable folder is ERR_STATE_IO; bad options are ERR_OPTION_INVALID', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(await codeOf(new FileStore({ directory: file }).update(() => bytes(1)))).toBe('ERR_STATE_IO');
    expect(await codeOf(new FileStore({ directory: join(file, 'below') }).read())).toBe('ERR_STATE_IO');
    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      const locked = join(root, 'readonly');
      const store = new FileStore({ directory: locked });
      await store.update(() => bytes(1));
      chmodSync(locked, 0o500);
      try {
        expect(await codeOf(store.update(() => bytes(2)))).toBe('ERR_STATE_IO');
        expect(await store.read()).toEqual({ bytes: bytes(1), generation: 1, fellBack: false });
      } finally {
        chmodSync(locked, 0o700);
      }
    }
    for (const options of [{}, { directory: '' }, { directory: '/x', program: 'p' }, { directory: '/x', lockTimeoutMs: -1 }, { directory: '/x', staleLockMs: Number.NaN }, { directory: '/x', now: 5 }]) {
      expect(() => new FileStore(options as never), JSON.stringify(options)).toThrow(OptionError);
    }
  });

  test('without a directory it uses the OS default folder for program and vendor key', () => {
    const store = new FileStore({ program: 'acme/../x', vendorKeyId: 'kid' });
    expect(store.directory.endsWith(join('licensekit', 'acme%2F..%2Fx', 'kid'))).toBe(true);
  });
});
