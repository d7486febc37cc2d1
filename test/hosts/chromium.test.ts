/**
 * A real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is ever downloaded) loads a page from a local
 * server on 127.0.0.1 that imports dist/browser/index.js, verifies every
 * golden fixture (Cryptolens and native: armoured text, the same as UTF-8
 * bytes, and binary files as Uint8Array; intact and tampered), and shows the
 * verdicts, or the typed error a manifest entry expects, in a table. The test reads the table,
 * compares it with the manifest and saves a screenshot under test-results/.
 *
 * Without /usr/bin/chromium the test is skipped locally (with a message) but
 * fails under CI=true, where .ci/run installs it. The browser profile is a
 * fresh temporary directory, removed afterwards.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR, readFixtureLicense, readManifests, type FixtureExpectation } from '../../scripts/make-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(FIXTURES_DIR, '..');
const SCREENSHOT = join(ROOT, 'test-results', 'chromium-verdicts.png');
const manifest = readManifests();
const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');

/** One license the page verifies: a manifest entry, or an armoured native one sent as its UTF-8 bytes (`file` then ends in " as bytes"). */
interface Case {
  readonly file: string;
  readonly m: FixtureExpectation;
  readonly license: string | { readonly bytes: number[] };
}
const cases: Case[] = [
  ...manifest.map((m) => {
    const input = readFixtureLicense(m);
    return { file: m.file, m, license: typeof input === 'string' ? input : { bytes: Array.from(input) } };
  }),
  ...['native/valid.lic', 'native/tampered.lic'].map((file) => {
    const m = manifest.find((e) => e.file === file)!;
    return { file: `${file} as bytes`, m, license: { bytes: Array.from(new TextEncoder().encode(read('licenses', file))) } };
  }),
];
/** The row the page must show for a case on a backend. */
const row = (c: Case, backend: string): string[] =>
  c.m.error === undefined ? [c.file, backend, c.m.valid ? 'valid' : 'NOT valid', [...c.m.reasons].sort().join(' ')] : [c.file, backend, 'error', c.m.error];
const available = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** The page: verifies every case with the bundle (WebCrypto by default, pure JS when forced) and a batch, and renders a table. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>licensekit in Chromium</title>
<style>body{font:14px system-ui,sans-serif;margin:16px} table{border-collapse:collapse} td,th{border:1px solid #999;padding:2px 6px}
.valid{background:#d7f5d7} .invalid{background:#f8dada}</style></head>
<body><h1>licensekit verdicts</h1><p id="host"></p><table><thead><tr><th>file</th><th>backend</th><th>valid</th><th>reasons</th></tr></thead><tbody id="rows"></tbody></table>
<script type="module">
import * as licensekit from '/licensekit.js';
const host = document.getElementById('host');
const rows = document.getElementById('rows');
const show = (file, backend, valid, reasons) => {
  const tr = document.createElement('tr');
  tr.className = valid ? 'valid' : 'invalid';
  tr.dataset.file = file;
  tr.dataset.backend = backend;
  for (const text of [file, backend, valid ? 'valid' : 'NOT valid', reasons.join(' ')]) tr.appendChild(document.createElement('td')).textContent = text;
  rows.appendChild(tr);
  return tr;
};
try {
  host.textContent = 'secure context: ' + isSecureContext + ', WebCrypto: ' + (typeof crypto?.subtle);
  const cases = await (await fetch('/cases.json')).json();
  const input = (c) => (typeof c.license === 'string' ? c.license : new Uint8Array(c.license.bytes));
  for (const c of cases) {
    for (const backend of [undefined, 'purejs']) {
      try {
        const v = await licensekit.verifyLicense(input(c), { key: c.key, now: new Date(c.now), ...c.options, backend });
        show(c.file, v.backend, v.valid, [...v.reasons].sort());
      } catch (e) {
        const tr = show(c.file, backend ?? 'webcrypto', false, [e.code ?? String(e)]);
        tr.cells[2].textContent = 'error';
      }
    }
  }
  const on = cases.find((c) => c.file === 'valid.skm');
  const batch = await licensekit.verifyLicenses(cases.map(input).concat(['garbage']), { key: on.key, now: new Date(on.now), ...on.options });
  for (const [i, r] of batch.entries()) show('batch:' + i, r.ok ? r.verdict.backend : 'error', r.ok && r.verdict.valid, r.ok ? [...r.verdict.reasons].sort() : [r.error.code]);
  document.body.dataset.done = 'ok';
} catch (e) {
  document.body.dataset.done = 'error: ' + e + ' ' + e.stack;
}
</script></body></html>`;

function serve(): Promise<Server> {
  const sent = cases.map((c) => ({ file: c.file, license: c.license, key: read('keys', c.m.key), now: c.m.now, options: c.m.options }));
  const routes: Record<string, [string, () => string]> = {
    '/': ['text/html; charset=utf-8', () => PAGE],
    '/licensekit.js': ['text/javascript; charset=utf-8', () => readFileSync(join(ROOT, 'dist', 'browser', 'index.js'), 'utf8')],
    '/cases.json': ['application/json', () => JSON.stringify(sent)],
  };
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': route[0], 'cache-control': 'no-store' }).end(route[1]());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.runIf(available || inCi)('dist/browser/index.js in headless Chromium', () => {
  let server: Server | undefined;
  let browser: BrowserContext | undefined;
  let profile: string | undefined;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
    server = await serve();
    profile = mkdtempSync(join(tmpdir(), 'licensekit-chromium-'));
    // A fresh profile per run (playwright wants it as launchPersistentContext's argument, not --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      viewport: { width: 900, height: 1400 },
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the page shows every fixture verdict (or typed error) the manifests expect, on WebCrypto and on pure JS, native text, bytes and binary included, and a batch', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    const { port } = server!.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.body.dataset.done !== undefined, undefined, { timeout: 60_000 });
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(await page.evaluate(() => document.body.dataset.done)).toBe('ok');
    expect(problems).toEqual([]);
    expect(await page.textContent('#host')).toBe('secure context: true, WebCrypto: object');
    const shown = await page.$$eval('#rows tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const expected = cases.flatMap((c) => ['webcrypto', 'purejs'].map((backend) => row(c, backend)));
    expect(cases.filter((c) => c.file.startsWith('native/')).length).toBeGreaterThan(15);
    const onA = manifest.find((m) => m.file === 'valid.skm')!;
    const sameOptions = (m: FixtureExpectation): boolean => JSON.stringify([m.key, m.now, m.options]) === JSON.stringify([onA.key, onA.now, onA.options]);
    const batchRows = shown.slice(expected.length);
    expect(shown.slice(0, expected.length)).toEqual(expected);
    expect(batchRows).toHaveLength(cases.length + 1);
    cases.forEach((c, i) => {
      if (sameOptions(c.m)) expect(batchRows[i], c.file).toEqual([`batch:${i}`, ...row(c, 'webcrypto').slice(1)]);
    });
    expect(batchRows.at(-1)).toEqual([`batch:${cases.length}`, 'error', 'NOT valid', 'ERR_INPUT_NOT_JSON']);
    expect(existsSync(SCREENSHOT)).toBe(true);
    await page.close();
  });
});

if (!available && !inCi) {
  describe('headless Chromium', () => {
    test.skip(`skipped: ${CHROMIUM} is not installed (apt-get install chromium; under CI=true this fails instead)`, () => {});
  });
}
