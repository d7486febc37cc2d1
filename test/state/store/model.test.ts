/**
 * Model-based test (fast-check commands) of MemoryStore and FileStore against
 * a plain model: a map from generation to { bytes, intact }. Commands: update
 * (throwing ERR_STATE_CORRUPT or starting over when nothing is intact), read,
 * corrupt the newest entry (flip a byte), truncate it, delete it. Bytes
 * starting with 0xFF stand for a bad MAC: the caller's `validate` refuses
 * them, so reads pass over them like damaged entries.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { StateError } from '../../../src/lib/errors.ts';
import { FileStore } from '../../../src/state/store/file.ts';
import { generationOfEntry } from '../../../src/state/store/generations.ts';
import { MemoryStore } from '../../../src/state/store/memory.ts';
import type { StateStore } from '../../../src/state/store/store.ts';

interface Entry {
  readonly bytes: Uint8Array;
  intact: boolean;
}
interface Model {
  readonly entries: Map<number, Entry>;
}
/** The system under test and its folder, as raw entries a command may damage. */
interface Real {
  readonly store: StateStore;
  names(): string[];
  get(name: string): Uint8Array;
  set(name: string, bytes: Uint8Array): void;
  remove(name: string): void;
}

const validate = (bytes: Uint8Array): boolean => bytes[0] !== 0xff;
const acceptable = (e: Entry): boolean => e.intact && validate(e.bytes);
const newestOf = (m: Model): number | undefined => Math.max(...m.entries.keys(), -Infinity) > 0 ? Math.max(...m.entries.keys()) : undefined;
const newestName = (r: Real): string | undefined =>
  r
    .names()
    .filter((n) => generationOfEntry(n) !== undefined)
    .sort((a, b) => generationOfEntry(b)! - generationOfEntry(a)!)[0];

/** What the model says a read returns: a found generation, null, or a CORRUPT error. */
function expectedRead(m: Model): { generation: number; bytes: Uint8Array; fellBack: boolean } | null | 'corrupt' {
  const gens = [...m.entries.keys()].sort((a, b) => b - a);
  if (gens.length === 0) return null;
  const found = gens.find((g) => acceptable(m.entries.get(g)!));
  if (found === undefined) return 'corrupt';
  return { generation: found, bytes: m.entries.get(found)!.bytes, fellBack: found !== gens[0] };
}

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    return (error as StateError).code;
  }
}

class Update implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly bytes: Uint8Array,
    readonly startOver: boolean,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const before = expectedRead(m);
    let seen: { current: Uint8Array | null; generation: number; fellBack: boolean; startedOver: boolean } | undefined;
    const run = r.store.update(
      (current, context) => {
        seen = { current, ...context };
        return this.bytes;
      },
      { validate, onUnreadable: this.startOver ? 'start-over' : 'throw' },
    );
    if (before === 'corrupt' && !this.startOver) {
      expect(await code(run)).toBe('ERR_STATE_CORRUPT');
      expect(seen).toBeUndefined();
      return;
    }
    expect(await run).toEqual(this.bytes);
    if (before === 'corrupt') expect(seen).toEqual({ current: null, generation: 0, fellBack: true, startedOver: true });
    else if (before === null) expect(seen).toEqual({ current: null, generation: 0, fellBack: false, startedOver: false });
    else expect(seen).toEqual({ current: before.bytes, generation: before.generation, fellBack: before.fellBack, startedOver: false });
    const next = (newestOf(m) ?? 0) + 1;
    const keep = before !== null && before !== 'corrupt' ? before.generation : undefined;
    for (const g of [...m.entries.keys()]) if (g !== keep) m.entries.delete(g);
    m.entries.set(next, { bytes: this.bytes, intact: true });
    expect(r.names().map(generationOfEntry).filter((g) => g !== undefined).sort()).toEqual([...m.entries.keys()].sort());
  }
  toString = (): string => `update(${Array.from(this.bytes.slice(0, 4))}${this.bytes.length > 4 ? '…' : ''} len ${this.bytes.length}${this.startOver ? ', start-over' : ''})`;
}

class Read implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const expected = expectedRead(m);
    if (expected === 'corrupt') expect(await code(r.store.read({ validate }))).toBe('ERR_STATE_CORRUPT');
    else expect(await r.store.read({ validate })).toEqual(expected);
  }
  toString = (): string => 'read';
}

class Damage implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly how: 'flip' | 'truncate' | 'delete',
    readonly at: number,
    readonly xor: number,
  ) {}
  check = (m: Readonly<Model>): boolean => m.entries.size > 0;
  async run(m: Model, r: Real): Promise<void> {
    const g = newestOf(m)!;
    const name = newestName(r)!;
    expect(generationOfEntry(name)).toBe(g);
    if (this.how === 'delete') {
      r.remove(name);
      m.entries.delete(g);
      return;
    }
    const bytes = r.get(name);
    if (this.how === 'flip') {
      bytes[this.at % bytes.length]! ^= this.xor;
      r.set(name, bytes);
    } else {
      r.set(name, bytes.subarray(0, this.at % bytes.length));
    }
    m.entries.get(g)!.intact = false;
  }
  toString = (): string => `${this.how}-newest(${this.at}, ${this.xor})`;
}

const commands = [
  fc
    .tuple(fc.uint8Array({ minLength: 0, maxLength: 40 }), fc.boolean(), fc.boolean())
    .map(([bytes, refused, startOver]) => new Update(refused ? Uint8Array.of(0xff, ...bytes) : bytes.length > 0 && bytes[0] === 0xff ? bytes.subarray(1) : bytes, startOver)),
  fc.constant(new Read()),
  fc.tuple(fc.constantFrom('flip' as const, 'truncate' as const, 'delete' as const), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([how, at, xor]) => new Damage(how, at, xor)),
];

function memoryReal(): Real {
  const store = new MemoryStore();
  return {
    store,
    names: () => [...store.files.keys()],
    get: (name) => store.files.get(name)!.slice(),
    set: (name, bytes) => store.files.set(name, bytes.slice()),
    remove: (name) => store.files.delete(name),
  };
}

const root = mkdtempSync(join(tmpdir(), 'licensekit-store-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

function fileReal(): Real {
  const directory = join(root, String(runs++));
  const store = new FileStore({ directory });
  const names = (): string[] => {
    try {
      return readdirSync(directory);
    } catch {
      return [];
    }
  };
  return {
    store,
    names,
    get: (name) => new Uint8Array(readFileSync(join(directory, name))),
    set: (name, bytes) => {
      if (bytes.length < readFileSync(join(directory, name)).length && bytes.length % 2 === 0) truncateSync(join(directory, name), bytes.length);
      else writeFileSync(join(directory, name), bytes);
    },
    remove: (name) => unlinkSync(join(directory, name)),
  };
}

describe('the store against a plain model of generations', () => {
  test('MemoryStore', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), (cmds) => fc.asyncModelRun(() => ({ model: { entries: new Map() }, real: memoryReal() }), cmds)),
      { numRuns: 300 },
    );
  });

  test('FileStore (real files, fsync and lock)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), (cmds) => fc.asyncModelRun(() => ({ model: { entries: new Map() }, real: fileReal() }), cmds)),
      { numRuns: 40 },
    );
    // The folder holds nothing but generations once a run is over: no lock, no temporary file left behind.
    for (const dir of readdirSync(root)) for (const name of readdirSync(join(root, dir))) expect(name).toMatch(/^state\.[1-9][0-9]*\.lks$/);
  });
});
