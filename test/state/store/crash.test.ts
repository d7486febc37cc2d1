/**
 * Crash safety with real processes: a child increments a counter in a
 * FileStore in a loop, printing each value once its update has resolved; it
 * is SIGKILLed at a random moment, 300 times over (two lanes of 150, each on
 * its own folder, each child continuing the previous one's state and stepping
 * over the lock and temporary files it left). After every kill the state
 * reads back intact, never older than the last write the child reported
 * complete, never from the future, and never by falling back (a killed
 * process cannot tear a committed generation: only a power cut or damage can).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileStore } from '../../../src/state/store/file.ts';
import { decodeCounter, isCounter } from './counter.ts';
import { buildChild, runChild } from './processes.ts';

const KILLS_PER_LANE = 150;
let child: Awaited<ReturnType<typeof buildChild>>;
const root = mkdtempSync(join(tmpdir(), 'licensekit-store-crash-'));

beforeAll(async () => {
  child = await buildChild();
});
afterAll(() => {
  child?.dispose();
  rmSync(root, { recursive: true, force: true });
});

interface LaneReport {
  readonly kills: number;
  /** Kills that landed after at least one completed write of that child (so mid-stream, not only at start-up). */
  readonly midStream: number;
  readonly finalCounter: number;
  readonly leftovers: Set<string>;
}

async function lane(name: string): Promise<LaneReport> {
  const directory = join(root, name);
  const reader = new FileStore({ directory });
  let lastCompleted = 0;
  let midStream = 0;
  const leftovers = new Set<string>();
  for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
    const c = runChild(child.script, ['loop', directory]);
    await c.waitFor((line) => line === 'ready');
    // Half the kills wait for a completed write first, then up to 15 ms more; the rest land anywhere in the first 40 ms from start-up on.
    if (kill % 2 === 0) await c.waitFor((line) => /^\d+$/.test(line));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * (kill % 2 === 0 ? 15 : 40)));
    c.process.kill('SIGKILL');
    const { signal } = await c.exited;
    expect(signal, c.stderr()).toBe('SIGKILL');
    const reported = c.lines.filter((line) => /^\d+$/.test(line)).map(Number);
    if (reported.length > 0) {
      midStream++;
      expect(reported[0], 'each child continues from the state it found').toBe(lastCompleted + 1);
      lastCompleted = reported.at(-1)!;
    }
    const state = await reader.read({ validate: isCounter });
    expect(state, `after kill ${kill}`).not.toBeNull();
    const counter = decodeCounter(state!.bytes)!;
    expect(counter, `kill ${kill}: never older than the last completed write`).toBeGreaterThanOrEqual(lastCompleted);
    expect(counter, `kill ${kill}: at most the one write in flight`).toBeLessThanOrEqual(lastCompleted + 1);
    expect(state!.fellBack, `kill ${kill}: a process crash never tears a committed generation`).toBe(false);
    expect(state!.generation).toBe(counter);
    lastCompleted = counter; // a write in flight may have committed without being reported
    for (const file of readdirSync(directory)) leftovers.add(file.replace(/[0-9a-f]{16,}/g, '*').replace(/\d+/g, 'N'));
  }
  return { kills: KILLS_PER_LANE, midStream, finalCounter: lastCompleted, leftovers };
}

describe('FileStore under SIGKILL', () => {
  test(`${2 * KILLS_PER_LANE} kills at random points: the state always reads back, never older than the last completed write`, { timeout: 120_000 }, async () => {
    const reports = await Promise.all([lane('a'), lane('b')]);
    for (const r of reports) {
      // Every other kill waits for a completed write first, so at least half land while the child writes the next one.
      expect(r.midStream).toBeGreaterThanOrEqual(r.kills / 2);
      expect(r.finalCounter).toBeGreaterThanOrEqual(r.midStream);
    }
    // The kills did land inside the lock and the commit: leftovers of both kinds were seen and stepped over.
    const seen = new Set(reports.flatMap((r) => [...r.leftovers]));
    expect(seen).toContain('lock');
    expect([...seen].some((name) => name.startsWith('.tmp-'))).toBe(true);
  });
});
