/**
 * The node worker pool's idle shutdown never drops a job: the idle deadline
 * falling inside a running batch (as it did when a batch started shortly
 * before the deadline armed by the previous one) ends no worker that has
 * chunks in flight, and every item is answered as `verifyLicense` answers it.
 * The idle delay is shortened through the pool's test hook; nothing here
 * asserts a duration. A file of its own: the pool is per process, and
 * `verify-licenses.test.ts` ends with a crash that retires the workers for good.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { verifyLicense, verifyLicenses, type BatchResult, type VerifyOptions } from '../../src/index.node.ts';
import { expireParallelIdleDeadline, parallelPoolStats, setParallelIdleMs } from '../../src/backends/node-parallel.ts';

const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const VALID = read('licenses', 'valid.skm');
const TAMPERED = read('licenses', 'tampered-expires.skm');
const ON_A: VerifyOptions = { key: read('keys', 'vendor-rsa2048.public.xml'), now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** `n` licenses, every third one with a bad signature. */
const inputsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? TAMPERED : VALID));

/** What `verifyLicense` says for each distinct input (one call each), in the batch's shape. */
let single: Map<string, BatchResult>;

/** The batch answer expected for `inputs`: item i is what `verifyLicense(inputs[i])` says. */
const expected = (inputs: readonly string[]): BatchResult[] => inputs.map((t) => single.get(t)!);

/** Runs small batches until a worker is online (the default idle delay must be in force: a worker starts in tens of ms). */
async function warmUp(): Promise<void> {
  for (let round = 0; round < 1000 && parallelPoolStats().workersOnline === 0; round++) {
    await verifyLicenses(inputsOf(64), ON_A);
    await sleep(20);
  }
  expect(parallelPoolStats().workersOnline).toBeGreaterThan(0);
}

beforeAll(async () => {
  single = new Map();
  for (const text of [VALID, TAMPERED]) single.set(text, { ok: true, verdict: await verifyLicense(text, ON_A) });
  await warmUp();
});

describe('node worker pool: the idle deadline inside a running batch', () => {
  test('the idle deadline passing while workers have chunks in flight ends no worker, and every answer arrives and equals verifyLicense', async () => {
    const inputs = inputsOf(3000);
    const before = parallelPoolStats();
    let settled = false;
    const pending = verifyLicenses(inputs, ON_A).finally(() => {
      settled = true;
    });
    // The first lanes' licenses are parsed and their chunks sent before verifyLicenses returns: a worker is busy now.
    expireParallelIdleDeadline();
    expect(parallelPoolStats().workersOnline).toBe(before.workersOnline);
    expect(parallelPoolStats().idleExits).toBe(before.idleExits);
    // And again at every turn of the event loop until the batch is answered.
    while (!settled) {
      expireParallelIdleDeadline();
      await tick();
    }
    const results = await pending;
    expect(results).toHaveLength(inputs.length);
    expect(results).toEqual(expected(inputs));
    const after = parallelPoolStats();
    expect(after.inWorkers - before.inWorkers + after.here - before.here).toBe(inputs.length);
  });

  test('with an idle delay of 1 ms, back-to-back batches that span the deadline armed by the previous one all finish, each answer equal to verifyLicense', async () => {
    await warmUp(); // under the default delay
    const previous = setParallelIdleMs(1);
    try {
      const pauses: Array<() => Promise<void>> = [async () => {}, tick, () => sleep(0), () => sleep(1), () => sleep(2), tick];
      for (const pause of pauses) {
        const first = inputsOf(1500);
        expect(await verifyLicenses(first, ON_A)).toEqual(expected(first));
        await pause(); // the pump arms the 1 ms deadline after the last answer: the next batch runs across it
        const second = inputsOf(2500);
        expect(await verifyLicenses(second, ON_A)).toEqual(expected(second));
      }
    } finally {
      setParallelIdleMs(previous);
    }
  });

  test('a second batch started right around the idle deadline completes, whichever side of it it starts on', async () => {
    await warmUp();
    const previous = setParallelIdleMs(5);
    try {
      for (const wait of [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 15, 25]) {
        const first = inputsOf(400);
        expect(await verifyLicenses(first, ON_A)).toEqual(expected(first));
        await sleep(wait);
        const second = inputsOf(600);
        expect(await verifyLicenses(second, ON_A)).toEqual(expected(second));
      }
    } finally {
      setParallelIdleMs(previous);
    }
  });

  test('idle workers do exit (the process is not held), and the next batch starts workers again: an idle exit is not a failure', async () => {
    await warmUp();
    const before = parallelPoolStats();
    const previous = setParallelIdleMs(1);
    try {
      await verifyLicenses(inputsOf(200), ON_A);
      for (let round = 0; round < 1000 && parallelPoolStats().workersOnline > 0; round++) await sleep(5);
      expect(parallelPoolStats().workersOnline).toBe(0);
      expect(parallelPoolStats().idleExits).toBeGreaterThan(before.idleExits);
    } finally {
      setParallelIdleMs(previous);
    }
    await warmUp();
    const inputs = inputsOf(512);
    const start = parallelPoolStats();
    expect(await verifyLicenses(inputs, ON_A)).toEqual(expected(inputs));
    expect(parallelPoolStats().inWorkers).toBeGreaterThan(start.inWorkers);
  });
});
