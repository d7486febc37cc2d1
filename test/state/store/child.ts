/**
 * A child process for the crash and concurrency tests (bundled by
 * processes.ts with esbuild and run with plain node):
 *
 * - `loop DIR`: increments the counter forever, printing each value once its
 *   update has resolved (a completed write), after printing `ready`;
 * - `count DIR M`: M increments, then prints `done`;
 * - `hold DIR`: takes the lock (an update whose callback never returns) and
 *   prints `holding`, to be SIGKILLed while it holds the lock.
 */
import { FileStore } from '../../../src/state/store/file.ts';
import { decodeCounter, encodeCounter, isCounter } from './counter.ts';

const [mode, directory, arg] = process.argv.slice(2);
const store = new FileStore({ directory: directory!, lockTimeoutMs: 60_000 });
const write = (line: string): Promise<void> => new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));

async function increment(padding: number): Promise<number> {
  let next = 0;
  await store.update(
    (current) => {
      const n = current === null ? 0 : decodeCounter(current);
      if (n === undefined) throw new Error('not a counter');
      next = n + 1;
      return encodeCounter(next, padding);
    },
    { validate: isCounter },
  );
  return next;
}

if (mode === 'loop') {
  await write('ready');
  for (;;) await write(String(await increment(Math.floor(Math.random() * 48_000))));
} else if (mode === 'count') {
  for (let i = 0; i < Number(arg); i++) await increment(i % 64);
  await write('done');
} else if (mode === 'hold') {
  await store.update(async () => {
    await write('holding');
    await new Promise(() => setInterval(() => undefined, 1_000));
    return undefined;
  });
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
