/**
 * `licensekit/ledger` by package name (the built package): the vendor's side
 * of offline activation is importable beside the ledger it works on
 * (`respondToActivationRequest`, `releaseReceipt`), for ESM and CommonJS
 * consumers, and `licensekit/state` still exports both for compatibility.
 * A consumer script runs the exchange: a request made with licensekit/state,
 * answered and released with licensekit/ledger.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const keyFile = (name: string) => join(root, 'fixtures', 'keys', name);

describe('licensekit/ledger by package name (the built package)', () => {
  const work = join(root, 'test-results', 'ledger-consumer');

  test('ESM import and CommonJS require: respond and release from licensekit/ledger run the exchange; licensekit/state still has both', async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'node_modules'), { recursive: true });
    symlinkSync(root, join(work, 'node_modules', 'licensekit'), 'dir');
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const body = `
const privateJwk = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const key = readFileSync(process.argv[3], 'utf8');
const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const day = (d) => new Date(Date.parse('2026-06-01T00:00:00Z') + d * 86400000);
const ledger = new ledgerEntry.MemoryLedger();
await ledger.addLicense({ licenseKey: KEY, productId: 1001, maxMachines: 1, customerId: null }, day(0).getTime());
const state = await stateEntry.openState({ program: 'acme-cad', key, store: new stateEntry.MemoryStore(), machineCode: 'MACHINE-A', clockEvidence: false });
const request = await stateEntry.createActivationRequest({ state, licenseKey: KEY, productId: 1001, now: day(1) });
const answer = await ledgerEntry.respondToActivationRequest(request.text, { privateJwk, ledger, now: day(1) });
const activated = await state.activate(answer.text, { now: day(2) });
const receipt = await stateEntry.deactivateLicense({ state, licenseKey: KEY, now: day(3) });
const released = await ledgerEntry.releaseReceipt(ledger, receipt.text, { now: day(4) });
let again;
try { await ledgerEntry.releaseReceipt(ledger, receipt.text, { now: day(4) }); } catch (e) { again = [e.code, e instanceof ledgerEntry.ActivationError]; }
console.log(JSON.stringify({
  kinds: [typeof ledgerEntry.respondToActivationRequest, typeof ledgerEntry.releaseReceipt, typeof stateEntry.respondToActivationRequest, typeof stateEntry.releaseReceipt],
  inspected: [ledgerEntry.inspectExchangeFile(request.text).kind, ledgerEntry.inspectExchangeFile(receipt.text).nonce === receipt.nonce],
  kept: answer.kept,
  reasons: activated.verdict.reasons,
  released: released.licenseKey,
  again,
  held: (await ledger.listActivations(KEY)).filter((a) => a.releasedMs === null).length,
}));`;
    writeFileSync(join(work, 'esm.mjs'), `import { readFileSync } from 'node:fs';\nimport * as ledgerEntry from 'licensekit/ledger';\nimport * as stateEntry from 'licensekit/state';\n${body}`);
    writeFileSync(
      join(work, 'cjs.cjs'),
      `const { readFileSync } = require('node:fs');\nconst ledgerEntry = require('licensekit/ledger');\nconst stateEntry = require('licensekit/state');\n(async () => {${body}\n})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); });`,
    );
    const expected = {
      kinds: ['function', 'function', 'function', 'function'],
      inspected: ['activation-request', true],
      kept: false,
      reasons: [],
      released: 'AAAAA-BBBBB-CCCCC-DDDDD',
      again: ['ERR_RECEIPT_USED', true],
      held: 0,
    };
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const { stdout } = await run(process.execPath, [join(work, file), keyFile('vendor-ed25519.private.jwk.json'), keyFile('vendor-ed25519.public.pem')], { cwd: work });
      expect(JSON.parse(stdout), file).toEqual(expected);
    }
  }, 60_000);
});
