/**
 * The inspector page reads EVERY format: real peer vectors (../shared/vectors/
 * peers) go through the page in Debian's headless Chromium and get the verdict
 * the library gives (the Node entry, run here): a Keygen license file with its
 * license key, a Keygen machine file with its fingerprint, the NetLicensing
 * offline validation file. Files it cannot verify still show what they claim,
 * greyed as untrusted: the NetLicensing file under the wrong key, the Keygen
 * file under another Ed25519 key; an encrypted Keygen file without its license
 * key says what opens it and shows its envelope. The library the page runs
 * names every format (site/library.ts).
 * Skipped where the vectors are absent (describeWithVectors), and where
 * /usr/bin/chromium is (failing instead under CI=true, as page.test.ts does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isLicenseKitError, verifyLicense, type VerifyOptions } from '../../src/index.node.ts';
import { describeWithVectors, VECTORS_DIR } from '../support/vectors.ts';
import { ROOT } from './web-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const SITE = join(ROOT, 'dist', 'site');
const peer = (...p: string[]): string => readFileSync(join(VECTORS_DIR, 'peers', ...p), 'utf8');

/** A case: the license text, the key text, the evaluation time and the page's other fields (by element id). */
interface Case {
  readonly name: string;
  readonly license: () => string;
  readonly key: () => string;
  readonly now: string;
  readonly fields: Readonly<Record<string, string>>;
}

const KEYGEN_DER = 'MCowBQYDK2VwAyEA6GAeSLaTg7pSAkX9B5cemD0G0ixCV8/YIwRgFHnO54g=';
const KEYGEN_HEX = 'e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788';
/** An Ed25519 public key that is not Keygen's (RFC 8032 test 1). */
const OTHER_ED25519 = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

const CASES: readonly Case[] = [
  { name: 'Keygen license file (Node SDK, aes-256-gcm+ed25519) with its license key', license: () => peer('keygen-node-aes-gcm-ed25519', 'license.lic'), key: () => KEYGEN_DER, now: '2024-06-01T00:00:00Z', fields: { keygenLicenseKey: 'DC00E8-CC6DA1-2E35BF-BBDC02-E80494-V3', requireFeatures: 'OFFLINE_SUPPORT' } },
  { name: 'the same file past its ttl', license: () => peer('keygen-node-aes-gcm-ed25519', 'license.lic'), key: () => KEYGEN_DER, now: '2026-06-01T00:00:00Z', fields: { keygenLicenseKey: 'DC00E8-CC6DA1-2E35BF-BBDC02-E80494-V3' } },
  { name: 'Keygen machine file (Python SDK) with its fingerprint', license: () => peer('keygen-py-machine-file', 'machine.lic'), key: () => KEYGEN_HEX, now: '2022-08-01T00:00:00Z', fields: { keygenLicenseKey: 'B10760-1B177D-656D1F-C03298-9AF89E-V3', keygenFingerprint: '198e9fe586114844f6a4eaca5069b41a7ed43fb5a2df84892b69826d64573e39' } },
  { name: 'NetLicensing offline validation file before its ttl', license: () => peer('netlicensing-xmldsig', 'Isb-DEMO.xml'), key: () => peer('netlicensing-xmldsig', 'rsa_public.pem'), now: '2020-12-28T00:00:00Z', fields: { requireFeatures: 'Msb-DEMO' } },
  { name: 'NetLicensing file under the wrong key', license: () => peer('netlicensing-xmldsig', 'Isb-DEMO.xml'), key: () => peer('netlicensing-xmldsig', 'rsa_public_wrong.pem'), now: '2020-12-28T00:00:00Z', fields: {} },
  { name: 'Keygen license file under another Ed25519 key', license: () => peer('keygen-node-aes-gcm-ed25519', 'license.lic'), key: () => OTHER_ED25519, now: '2024-06-01T00:00:00Z', fields: { keygenLicenseKey: 'DC00E8-CC6DA1-2E35BF-BBDC02-E80494-V3' } },
  { name: 'Keygen license file without its license key', license: () => peer('keygen-node-aes-gcm-ed25519', 'license.lic'), key: () => KEYGEN_DER, now: '2024-06-01T00:00:00Z', fields: {} },
];

/** The page's option ids, emptied unless a case sets them. */
const EMPTY = { tolerance: '', machineCode: '', productId: '', requireFeatures: '', featureNames: '', timeLimitedFeature: '', trialFeature: '', maxSignatureAgeDays: '', graceDays: '', licenseeSecret: '', keygenLicenseKey: '', keygenFingerprint: '', backend: '' };

/** The library's verdict line for a case, as the page must show it. */
async function libraryLine(c: Case): Promise<string> {
  const options: Record<string, unknown> = { key: c.key(), now: new Date(c.now) };
  if (c.fields.keygenLicenseKey) options.licenseKey = c.fields.keygenLicenseKey;
  if (c.fields.keygenFingerprint) options.fingerprint = c.fields.keygenFingerprint;
  if (c.fields.requireFeatures) options.requireFeatures = [c.fields.requireFeatures];
  try {
    const v = await verifyLicense(c.license(), options as unknown as VerifyOptions);
    return v.valid ? 'VALID' : `NOT VALID (${v.reasons.join(', ')})`;
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return `NOT VALID — cannot be checked: ${error.code}`;
  }
}

async function enter(page: Page, c: Case): Promise<string> {
  const runs = await page.getAttribute('#verdict-box', 'data-runs');
  await page.fill('[data-testid="license-input"]', c.license());
  await page.fill('[data-testid="key-input"]', c.key());
  await page.fill('[data-testid="now-input"]', c.now);
  await page.evaluate((values) => {
    for (const [id, value] of Object.entries(values)) (document.getElementById(id) as HTMLInputElement).value = value;
    document.getElementById('machineCode')!.dispatchEvent(new Event('input', { bubbles: true }));
  }, { ...EMPTY, ...c.fields });
  await page.waitForFunction((before) => document.getElementById('verdict-box')!.dataset.runs !== before && document.getElementById('verdict')!.getAttribute('aria-busy') === 'false', runs);
  return ((await page.textContent('[data-testid="verdict"]')) ?? '').trim();
}

describeWithVectors('peers', 'the inspector page with real peer vectors', () => {
  describe.runIf(available || inCi)('in headless Chromium', () => {
    let browser: Browser | undefined;
    let page: Page;
    const expected = new Map<string, string>();
    const problems: string[] = [];

    beforeAll(async () => {
      if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
      const { buildSite } = (await import(new URL('../../scripts/build.mjs', import.meta.url).href)) as { buildSite(outDir?: string): Promise<void> };
      await buildSite();
      for (const c of CASES) expected.set(c.name, await libraryLine(c));
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'], timeout: 60_000 });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(pathToFileURL(join(SITE, 'index.html')).href);
      await page.waitForSelector('#verdict-box[data-runs]');
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    test('the library the page runs reads every format', async () => {
      const names = await page.evaluate(() => (globalThis as unknown as { licensekit: { SITE_FORMATS: { name: string }[] } }).licensekit.SITE_FORMATS.map((a) => a.name));
      expect(names).toEqual(expect.arrayContaining(['netlicensing', 'keygen', 'native', 'cryptolens']));
    });

    test('each peer vector gets the verdict the library gives', async () => {
      const shown: Record<string, string> = {};
      for (const c of CASES) shown[c.name] = await enter(page, c);
      expect(shown).toEqual(Object.fromEntries(expected));
      // The expectations themselves, so a library regression cannot hide behind the comparison.
      expect(Object.values(shown)).toEqual([
        'VALID',
        'NOT VALID (SIGNATURE_EXPIRED)',
        'VALID',
        'VALID',
        'NOT VALID (SIGNATURE_INVALID)',
        'NOT VALID (SIGNATURE_INVALID)',
        'NOT VALID — cannot be checked: ERR_LICENSE_KEY_REQUIRED',
      ]);
      expect(problems).toEqual([]);
    }, 90_000);

    test('a file that does not verify still shows what it claims, greyed as untrusted (NetLicensing, Keygen)', async () => {
      for (const name of ['NetLicensing file under the wrong key', 'Keygen license file under another Ed25519 key']) {
        expect(await enter(page, CASES.find((c) => c.name === name)!)).toBe('NOT VALID (SIGNATURE_INVALID)');
        expect(await page.textContent('.banner.tampered'), name).toContain('The signature does not verify');
        expect(await page.textContent('#claims-title'), name).toBe('Claims (untrusted: not verified)');
        expect(await page.getAttribute('section[aria-labelledby="claims-title"]', 'class'), name).toBe('untrusted');
      }
      // What the NetLicensing file claims, though unverified: its licensee, product module and ttl.
      const netlicensing = await enter(page, CASES.find((c) => c.name === 'NetLicensing file under the wrong key')!);
      expect(netlicensing).toBe('NOT VALID (SIGNATURE_INVALID)');
      expect(await page.textContent('section[aria-labelledby="claims-title"]')).toContain('Msb-DEMO');
      expect(await page.textContent('section[aria-labelledby="signature-title"]')).toContain('netlicensing (xml-dsig)');
    }, 60_000);

    test('an encrypted Keygen file without its license key: what opens it, and its envelope', async () => {
      expect(await enter(page, CASES.find((c) => c.name === 'Keygen license file without its license key')!)).toBe('NOT VALID — cannot be checked: ERR_LICENSE_KEY_REQUIRED');
      expect(await page.textContent('.banner.untrusted')).toContain('Give the Keygen license key');
      expect(await page.$('#claims-title')).toBeNull();
      const signature = (await page.textContent('section[aria-labelledby="signature-title"]')) ?? '';
      expect(signature).toContain('keygen (license file)');
      expect(signature).toContain('aes-256-gcm+ed25519');
    }, 60_000);
  });
});
