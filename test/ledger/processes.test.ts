/**
 * The file ledger with real processes: several children write to one folder
 * at once (no record lost, never more seats held than the limit), and a
 * writer SIGKILLed again and again (every completed write is there after each
 * kill; whatever is beyond the last whole frame is dropped and truncated by
 * the next writer), and one killed while it holds the lock (the next writer
 * breaks it). A SIGKILL seldom cuts one write(2) of a few pages short on
 * Linux, so file.test.ts also cuts the journal at every byte of its last frame.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JOURNAL_FILE, LOCK_FILE, openLedger } from '../../src/ledger/file.node.ts';
import { runChild } from '../state/store/processes.ts';

const root = mkdtempSync(join(tmpdir(), 'licensekit-ledger-processes-'));
const script = join(root, 'child.mjs');

beforeAll(async () => {
  await build({ entryPoints: [fileURLToPath(new URL('./child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'warning' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file ledger, several processes at once', () => {
  test('4 processes adding licenses and 4 taking seats of one license with limit 5: no record lost, exactly 5 seats', async () => {
    const dir = join(root, 'concurrent');
    const ledger = await openLedger(dir);
    await ledger.addLicense({ licenseKey: 'SHARED', productId: 7, maxMachines: 5, customerId: null }, 1);
    const adders = [0, 1, 2, 3].map((n) => runChild(script, ['add', dir, `P${n}`, '20']));
    const seaters = [0, 1, 2, 3].map((n) => runChild(script, ['seats', dir, 'SHARED', `D${n}`, '6']));
    const all = [...adders, ...seaters];
    const exits = await Promise.all(all.map((c) => c.exited));
    for (const [i, e] of exits.entries()) expect(e.code, all[i]!.stderr()).toBe(0);

    const keys = (await ledger.listLicenses()).map((l) => l.licenseKey);
    expect(keys).toHaveLength(1 + 4 * 20);
    for (let n = 0; n < 4; n++) for (let i = 0; i < 20; i++) expect(keys).toContain(`P${n}-${i}`);
    // Each adder's own licenses are in its order.
    for (let n = 0; n < 4; n++) expect(keys.filter((k) => k.startsWith(`P${n}-`))).toEqual(Array.from({ length: 20 }, (_, i) => `P${n}-${i}`));

    const took = seaters.flatMap((c) => c.lines.filter((l) => l.startsWith('took ')).map((l) => l.slice(5)));
    const refused = seaters.flatMap((c) => c.lines.filter((l) => l === 'refused'));
    expect(took).toHaveLength(5);
    expect(refused).toHaveLength(24 - 5);
    const held = (await ledger.listActivations('SHARED')).filter((a) => a.releasedMs === null);
    expect(held.map((a) => a.id).sort()).toEqual([...took].sort());

    // A fresh reader (another process's view) sees the same.
    const again = await openLedger(dir, { create: false });
    expect((await again.listLicenses()).length).toBe(81);
    expect((await again.listActivations()).length).toBe(5);
  }, 120_000);
});

describe('file ledger, a writer SIGKILLed while it holds the lock', () => {
  test('the next writer breaks the dead holder\'s lock and writes', async () => {
    const dir = join(root, 'held');
    const ledger = await openLedger(dir, { lockTimeoutMs: 20_000 });
    await ledger.addLicense({ licenseKey: 'HELD', productId: 1, maxMachines: 1, customerId: null }, 1);
    const c = runChild(script, ['hold', dir, 'HELD']);
    await c.waitFor((line) => line === 'holding');
    c.process.kill('SIGKILL');
    await c.exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    await ledger.addLicense({ licenseKey: 'NEXT', productId: 1, maxMachines: 1, customerId: null }, 2);
    expect((await (await openLedger(dir, { create: false })).listLicenses()).map((l) => l.licenseKey)).toEqual(['HELD', 'NEXT']);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 60_000);
});

describe('file ledger, a writer SIGKILLed mid-append', () => {
  test('after each of 40 kills the ledger opens, holds every completed write, and drops only a torn tail', async () => {
    const dir = join(root, 'crash');
    let completed: string[] = [];
    let tornSeen = 0;
    for (let kill = 0; kill < 40; kill++) {
      const c = runChild(script, ['loop', dir, `K${kill}`]);
      await c.waitFor((line) => line === 'ready');
      if (kill % 2 === 0) await c.waitFor((line) => line.startsWith(`K${kill}-`));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      c.process.kill('SIGKILL');
      const { signal } = await c.exited;
      expect(signal, c.stderr()).toBe('SIGKILL');
      completed = [...completed, ...c.lines.filter((l) => l.startsWith(`K${kill}-`))];

      const ledger = await openLedger(dir, { create: false });
      const devices = (await ledger.listActivations('LOOP')).map((a) => a.deviceKeyId);
      // Every write the child was told completed is there, in order; at most one more (written, not yet reported).
      expect(devices.slice(0, completed.length)).toEqual(completed);
      expect(devices.length - completed.length).toBeGreaterThanOrEqual(0);
      expect(devices.length - completed.length).toBeLessThanOrEqual(1);
      completed = devices;
      // The journal's size beyond the good prefix is a torn tail (counted to show the kills landed mid-write).
      const size = readFileSync(join(dir, JOURNAL_FILE)).length;
      const intact = await journalPrefixLength(dir);
      if (size > intact) tornSeen++;
    }
    expect(completed.length).toBeGreaterThan(20);
    // A last writer truncates whatever torn tail is left, and its record follows the good prefix.
    const ledger = await openLedger(dir);
    await ledger.addLicense({ licenseKey: 'AFTER', productId: 1, maxMachines: 1, customerId: null }, 5);
    expect(readFileSync(join(dir, JOURNAL_FILE)).length).toBe(await journalPrefixLength(dir));
    expect((await (await openLedger(dir, { create: false })).getLicense('AFTER'))?.licenseKey).toBe('AFTER');
    console.log(`ledger crash test: ${tornSeen} of 40 kills left a torn tail`);
  }, 300_000);
});

/** Bytes of whole frames at the start of the journal (walking the frame lengths). */
async function journalPrefixLength(dir: string): Promise<number> {
  const bytes = readFileSync(join(dir, JOURNAL_FILE));
  let at = 0;
  while (at + 20 <= bytes.length) {
    const length = bytes.readUInt32BE(at + 16);
    if (at + length + 24 > bytes.length) break;
    at += length + 24;
  }
  return at;
}
