/**
 * IndexedDbStore in a real browser: Debian's headless Chromium (driven by
 * playwright-core, as test/hosts/chromium.test.ts does) loads a page from a
 * local server that imports the browser build of src/state/store/index.ts
 * (bundled here by esbuild with platform "browser": a `node:*` import would
 * fail the build). Update and read sequences, damage injected into the
 * database, two pages updating one counter at once (with the Web Lock, and
 * with the compare-and-set alone) losing nothing, and a Web Lock timeout.
 *
 * Without /usr/bin/chromium the suite is skipped locally but fails under CI=true.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script type="module">
import * as store from '/store.js';
window.lk = store;
/** The entries of a store's database, straight from IndexedDB. */
window.rawEntries = (name) => new Promise((resolve, reject) => {
  const req = indexedDB.open(name);
  req.onsuccess = () => {
    const db = req.result;
    const tx = db.transaction('entries', 'readonly');
    const keys = tx.objectStore('entries').getAllKeys();
    keys.onsuccess = () => { db.close(); resolve(keys.result); };
    keys.onerror = () => reject(keys.error);
  };
  req.onerror = () => reject(req.error);
});
window.putRaw = (name, key, bytes) => new Promise((resolve, reject) => {
  const req = indexedDB.open(name);
  req.onsuccess = () => {
    const db = req.result;
    const tx = db.transaction('entries', 'readwrite');
    tx.objectStore('entries').put(bytes, key);
    tx.oncomplete = () => { db.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
});
window.getRaw = (name, key) => new Promise((resolve) => {
  const req = indexedDB.open(name);
  req.onsuccess = () => {
    const get = req.result.transaction('entries').objectStore('entries').get(key);
    get.onsuccess = () => { req.result.close(); resolve(get.result); };
  };
});
/** n increments of a 4-byte counter, each callback awaiting WebCrypto while it holds the lock. */
window.increments = async (options, n) => {
  const s = new store.IndexedDbStore(options);
  for (let i = 0; i < n; i++) {
    await s.update(async (current) => {
      const value = current === null ? 0 : new DataView(current.buffer, current.byteOffset).getUint32(0);
      await crypto.subtle.digest('SHA-256', new Uint8Array(64));
      const next = new Uint8Array(4);
      new DataView(next.buffer).setUint32(0, value + 1);
      return next;
    });
  }
};
document.body.dataset.ready = 'yes';
</script></body></html>`;

describe.runIf(available || inCi)('IndexedDbStore in headless Chromium', () => {
  let server: Server | undefined;
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  let bundleDir: string | undefined;
  let bundle = '';
  let url = '';

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
    bundleDir = mkdtempSync(join(tmpdir(), 'licensekit-store-browser-'));
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../../src/state/store/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]!.text;
    server = await new Promise<Server>((resolve) => {
      const s = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
        else if (path === '/store.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
        else res.writeHead(404).end();
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    profile = mkdtempSync(join(tmpdir(), 'licensekit-chromium-state-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    for (const dir of [profile, bundleDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, { timeout: 30_000 });
    return { page, problems };
  }

  test('the browser bundle of the store carries no node: module', () => {
    expect(bundle).not.toMatch(/from\s*["']node:|require\(["']node:/);
    expect(bundle).toContain('IndexedDbStore');
  });

  test('update and read sequences: generations, the previous one kept, damage falls back, nothing intact is ERR_STATE_CORRUPT', async () => {
    const { page, problems } = await openPage();
    const result = await page.evaluate(async () => {
      const { IndexedDbStore } = (window as unknown as { lk: typeof import('../../../src/state/store/index.ts') }).lk;
      const w = window as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      const store = new IndexedDbStore({ program: 'acme cad', vendorKeyId: 'kid-1' });
      const show = (s: { bytes: Uint8Array; generation: number; fellBack: boolean } | null) => (s ? { bytes: Array.from(s.bytes), generation: s.generation, fellBack: s.fellBack } : null);
      const out: Record<string, unknown> = { name: store.databaseName, empty: show(await store.read()) };
      for (const v of [1, 2, 3]) await store.update(() => new Uint8Array([v, v]));
      out.afterThree = show(await store.read());
      out.keys = await w.rawEntries!(store.databaseName);
      const newest = (await w.getRaw!(store.databaseName, 'state.3.lks')) as Uint8Array;
      const flipped = newest.slice();
      flipped[21]! ^= 1;
      await w.putRaw!(store.databaseName, 'state.3.lks', flipped);
      out.flipped = show(await store.read());
      out.refused = await new IndexedDbStore({ program: 'acme cad', vendorKeyId: 'kid-1' }).read({ validate: (b) => b[0] !== 2 }).then(show, (e: { code: string }) => e.code);
      let context: unknown;
      await store.update((current, c) => ((context = [Array.from(current ?? []), c]), new Uint8Array([4])));
      out.context = context;
      out.keysAfter = await w.rawEntries!(store.databaseName);
      await w.putRaw!(store.databaseName, 'state.4.lks', new Uint8Array([1, 2]));
      await w.putRaw!(store.databaseName, 'state.2.lks', 'not bytes');
      out.corrupt = await store.read().then(() => 'read', (e: { code: string }) => e.code);
      out.tooLarge = await new IndexedDbStore({ program: 'other', vendorKeyId: 'k', maxBytes: 2 }).update(() => new Uint8Array(3)).then(() => 'wrote', (e: { code: string }) => e.code);
      return out;
    });
    expect(result).toEqual({
      name: 'licensekit/acme%20cad/kid-1',
      empty: null,
      afterThree: { bytes: [3, 3], generation: 3, fellBack: false },
      keys: ['state.2.lks', 'state.3.lks'],
      flipped: { bytes: [2, 2], generation: 2, fellBack: true },
      refused: 'ERR_STATE_CORRUPT',
      context: [[2, 2], { generation: 2, fellBack: true, startedOver: false }],
      keysAfter: ['state.2.lks', 'state.4.lks'],
      corrupt: 'ERR_STATE_CORRUPT',
      tooLarge: 'ERR_STATE_TOO_LARGE',
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  test.each([
    ['with the Web Lock', 'counter-web-lock', {}],
    ['with the compare-and-set alone (locks: null)', 'counter-cas', { locks: null }],
  ])('two pages updating one counter at once lose nothing (%s)', async (_label, databaseName, extra) => {
    const [a, b] = await Promise.all([openPage(), openPage()]);
    const options = { databaseName, ...extra };
    await Promise.all([a.page.evaluate(([o, n]) => (window as unknown as { increments(o: unknown, n: number): Promise<void> }).increments(o, n), [options, 100] as const), b.page.evaluate(([o, n]) => (window as unknown as { increments(o: unknown, n: number): Promise<void> }).increments(o, n), [options, 100] as const)]);
    const final = await a.page.evaluate(async (o) => {
      const { IndexedDbStore } = (window as unknown as { lk: typeof import('../../../src/state/store/index.ts') }).lk;
      const s = await new IndexedDbStore(o as never).read();
      return s && { value: new DataView(s.bytes.buffer).getUint32(0), generation: s.generation };
    }, options);
    expect(final).toEqual({ value: 200, generation: 200 });
    expect([...a.problems, ...b.problems]).toEqual([]);
    await Promise.all([a.page.close(), b.page.close()]);
  });

  test('a page holding the Web Lock makes another page\'s update give up with ERR_STATE_LOCKED after its timeout', async () => {
    const [a, b] = await Promise.all([openPage(), openPage()]);
    await a.page.evaluate(() => {
      const { IndexedDbStore } = (window as unknown as { lk: typeof import('../../../src/state/store/index.ts') }).lk;
      void new IndexedDbStore({ databaseName: 'held' }).update(() => new Promise<undefined>(() => undefined));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const code = await b.page.evaluate(async () => {
      const { IndexedDbStore } = (window as unknown as { lk: typeof import('../../../src/state/store/index.ts') }).lk;
      return new IndexedDbStore({ databaseName: 'held', lockTimeoutMs: 300 }).update(() => new Uint8Array(1)).then(() => 'wrote', (e: { code?: string; name: string }) => e.code ?? e.name);
    });
    expect(code).toBe('ERR_STATE_LOCKED');
    await a.page.close();
    // Closing the holder's page releases its Web Lock.
    const after = await b.page.evaluate(async () => {
      const { IndexedDbStore } = (window as unknown as { lk: typeof import('../../../src/state/store/index.ts') }).lk;
      await new IndexedDbStore({ databaseName: 'held', lockTimeoutMs: 5_000 }).update(() => new Uint8Array([7]));
      return Array.from((await new IndexedDbStore({ databaseName: 'held' }).read())!.bytes);
    });
    expect(after).toEqual([7]);
    await b.page.close();
  });
});

if (!available && !inCi) {
  describe('IndexedDbStore in headless Chromium', () => {
    test.skip(`skipped: ${CHROMIUM} is not installed (apt-get install chromium; under CI=true this fails instead)`, () => {});
  });
}
