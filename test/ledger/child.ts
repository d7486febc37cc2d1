/**
 * A child process for the ledger's concurrency and crash tests (bundled by
 * processes.test.ts with esbuild, run with plain node):
 *
 * - `add DIR PREFIX N`: adds licenses PREFIX-0 … PREFIX-(N-1), printing each
 *   key once its write resolved, then `done`;
 * - `seats DIR KEY PREFIX N`: N devices PREFIX-0 … try to take a seat of KEY
 *   under its machine limit, printing `took ID` or `refused`, then `done`;
 * - `loop DIR PREFIX`: adds the license LOOP (10^6 machines) unless it exists,
 *   prints `ready`, then devices PREFIX-0, PREFIX-1, … take seats of it
 *   forever, each with a fingerprint of up to 16 000 characters (a write of
 *   several pages, which a SIGKILL can cut short), printing each device once
 *   its write resolved (to be SIGKILLed);
 * - `hold DIR KEY`: takes the ledger's lock (a takeSeat whose decision never
 *   returns), prints `holding`, and spins until SIGKILLed.
 */
import { writeSync } from 'node:fs';
import { openLedger } from '../../src/ledger/file.node.ts';

const [mode, directory, a, b, c] = process.argv.slice(2);
const write = (line: string): Promise<void> => new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
const ledger = await openLedger(directory!, { lockTimeoutMs: 120_000 });

async function add(key: string): Promise<void> {
  await ledger.addLicense({ licenseKey: key, productId: 7, maxMachines: 1, customerId: null }, 1_000);
  await write(key);
}

if (mode === 'add') {
  for (let i = 0; i < Number(b); i++) await add(`${a}-${i}`);
  await write('done');
} else if (mode === 'seats') {
  for (let i = 0; i < Number(c); i++) {
    const device = `${b}-${i}`;
    const seat = await ledger.takeSeat(a!, (license, held) => {
      const mine = held.find((s) => s.deviceKeyId === device);
      if (mine) return mine;
      if (license.revoked || held.length >= license.maxMachines) return null;
      return { id: `act-${device}`, licenseKey: license.licenseKey, deviceKeyId: device, devicePublicKey: `pk-${device}`, fingerprint: null, activatedMs: 2_000, releasedMs: null };
    });
    await write(seat === null ? 'refused' : `took ${seat.id}`);
  }
  await write('done');
} else if (mode === 'loop') {
  if ((await ledger.getLicense('LOOP')) === null) await ledger.addLicense({ licenseKey: 'LOOP', productId: 7, maxMachines: 1_000_000, customerId: null }, 1_000);
  await write('ready');
  for (let i = 0; ; i++) {
    const device = `${a}-${i}`;
    const fingerprint = 'f'.repeat(1 + Math.floor(Math.random() * 16_000));
    await ledger.takeSeat('LOOP', () => ({ id: `act-${device}`, licenseKey: 'LOOP', deviceKeyId: device, devicePublicKey: 'pk', fingerprint, activatedMs: 3_000, releasedMs: null }));
    await write(device);
  }
} else if (mode === 'hold') {
  await ledger.takeSeat(a!, () => {
    writeSync(1, 'holding\n');
    for (;;);
  });
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
