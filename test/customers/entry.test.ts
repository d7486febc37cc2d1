/**
 * `licensekit/customers`: opening customer bundles is a subpath of its own
 * (scrypt and XChaCha20-Poly1305 stay out of the 40 KiB main bundles). By
 * package name it resolves for ESM and CommonJS in Node, and its browser
 * bundle opens a bundle too and imports nothing from Node. Needs the built
 * bundles (the global set-up builds them).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { issueNativeLicense, sealCustomerBundle, generateCustomerSecret } from '../../src/issuer/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const keyFile = (name: string) => join(root, 'fixtures', 'keys', name);
const NOW = new Date('2026-06-01T00:00:00Z');
const work = join(root, 'test-results', 'customers-consumer');
let secret: string;

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  symlinkSync(root, join(work, 'node_modules', 'licensekit'), 'dir');
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const privateJwk = JSON.parse(readFileSync(keyFile('vendor-ed25519.private.jwk.json'), 'utf8')) as Record<string, string>;
  const lic = await issueNativeLicense({ product: 1001, key: 'AAAAA-BBBBB-CCCCC-DDDDD', expires: null }, { privateJwk, now: NOW });
  secret = generateCustomerSecret('key');
  const sealed = await sealCustomerBundle({ customer: { id: 'c1', name: 'Acme', secret }, licenses: [lic.bytes], signingKey: privateJwk, now: NOW });
  writeFileSync(join(work, 'acme.bundle'), sealed.text);
}, 60_000);

const body = `
const opened = await openCustomerBundle(readFileSync(process.argv[2], 'utf8'), { secret: process.argv[3], key: readFileSync(process.argv[4], 'utf8'), productId: 1001 });
const wrong = await openCustomerBundle(readFileSync(process.argv[2], 'utf8'), { secret: generateCustomerSecret('guid'), key: readFileSync(process.argv[4], 'utf8') });
console.log(JSON.stringify({ valid: opened.valid, key: opened.license && opened.license.licenseKey, wrong: wrong.reasons, reasons: Object.keys(BUNDLE_REASONS) }));`;
const expected = { valid: true, key: 'AAAAA-BBBBB-CCCCC-DDDDD', wrong: ['CUSTOMER_SECRET_MISMATCH'], reasons: ['SIGNATURE_INVALID', 'CUSTOMER_SECRET_MISMATCH', 'PRODUCT_MISMATCH'] };

describe('licensekit/customers (the built package)', () => {
  test('ESM import and CommonJS require resolve it by package name in Node, and it opens a bundle', async () => {
    writeFileSync(join(work, 'esm.mjs'), `import { readFileSync } from 'node:fs';\nimport { BUNDLE_REASONS, generateCustomerSecret, openCustomerBundle } from 'licensekit/customers';\n${body}`);
    writeFileSync(join(work, 'cjs.cjs'), `const { readFileSync } = require('node:fs');\nconst { BUNDLE_REASONS, generateCustomerSecret, openCustomerBundle } = require('licensekit/customers');\n(async () => {${body}\n})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); });`);
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const { stdout } = await run(process.execPath, [join(work, file), join(work, 'acme.bundle'), secret, keyFile('vendor-ed25519.public.pem')], { cwd: work });
      expect(JSON.parse(stdout), file).toEqual(expected);
    }
  }, 60_000);

  test('the browser bundle imports nothing from Node, stays small, and opens a bundle', async () => {
    const path = join(root, 'dist', 'browser', 'customers.js');
    const code = readFileSync(path, 'utf8');
    expect(code).not.toMatch(/["']node:/);
    // About 32 KiB gzipped today (the pure-JavaScript verifier, the strict CBOR reader, scrypt, XChaCha20-Poly1305).
    expect(gzipSync(code).length).toBeLessThan(40 * 1024);
    const mod = (await import(pathToFileURL(path).href)) as typeof import('../../src/customers/index.ts');
    const opened = await mod.openCustomerBundle(readFileSync(join(work, 'acme.bundle'), 'utf8'), { secret, key: readFileSync(keyFile('vendor-ed25519.public.pem'), 'utf8'), productId: 1001 });
    expect(opened).toMatchObject({ valid: true, license: { licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD' } });
  }, 60_000);
});
