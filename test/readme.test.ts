/**
 * The README's examples, run as written (against the built package, imported
 * by its own name): the native check on a license issued for this machine and
 * on one issued for another, the vendor-side example, the Cryptolens example,
 * and the fingerprint example. The README cannot drift from the API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { machineCode } from '../src/fingerprint/index.ts';
import { FIXTURES_DIR } from '../scripts/make-fixtures.ts';
import { issueNativeLicense, type NativeLicenseClaims } from '../src/issuer/index.ts';
import { issue, VENDOR } from './support/issue.ts';

const keyFile = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const ED = { privateJwk: JSON.parse(keyFile('vendor-ed25519.private.jwk.json')) as Record<string, string>, publicPem: keyFile('vendor-ed25519.public.pem') };
const OTHER_ED = { privateJwk: JSON.parse(keyFile('other-ed25519.private.jwk.json')) as Record<string, string>, publicPem: keyFile('other-ed25519.public.pem') };

const root = join(FIXTURES_DIR, '..');
const examples = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
// The README shows the key as a constant with an elided body; the test puts the committed test key there.
const EMBEDDED_KEY = /const VENDOR_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----\n[^`]*\n-----END PUBLIC KEY-----`;/;
const example = examples[0]!.replace(EMBEDDED_KEY, `const VENDOR_PUBLIC_KEY = ${JSON.stringify(ED.publicPem)};`);
const issuerExample = examples.find((e) => e.includes('issueNativeLicense('))!;
const cryptolensExample = examples.find((e) => e.includes("readFileSync('license.skm'"))!;
const fingerprintExample = examples.find((e) => e.includes('matchFingerprint'))!;

async function runExample(files: Record<string, string>, code: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const dir = join(root, 'test-results', 'readme-example');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'example.mjs'), code);
  return promisify(execFile)(process.execPath, ['example.mjs'], { cwd: dir }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
}

describe('README examples', () => {
  const now = Date.now(); // the example reads the clock itself, so the license is issued around it
  const claims: NativeLicenseClaims = { product: 1001, features: [1, 3], entitlements: ['Export.PDF'], expires: new Date(now + 30 * 86_400_000) };
  const signed = (c: Partial<NativeLicenseClaims>, key = ED.privateJwk, kid?: null) =>
    issueNativeLicense({ ...claims, ...c }, { privateJwk: key, now: new Date(now - 60_000), ...(kid === null ? { kid } : {}) });

  test('accepts a native license issued for this machine', async () => {
    const mid = await machineCode({ product: '1001' });
    const { stdout, stderr } = await runExample({ 'license.lic': (await signed({ machines: [mid] })).text }, example);
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('F3 is on');
  });

  test('reads the raw COSE bytes as well', async () => {
    const mid = await machineCode({ product: '1001' });
    const dir = join(root, 'test-results', 'readme-example');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'license.lic'), (await signed({ machines: [mid] })).bytes);
    const { stdout } = await runExample({}, example);
    expect(stdout.trim()).toBe('F3 is on');
  });

  test('refuses, with every reason, one issued for another machine without F1', async () => {
    const { stderr } = await runExample({ 'license.lic': (await signed({ features: [3], machines: ['ANOTHER-MACHINE'] })).text }, example);
    expect(stderr.trim()).toBe("license refused: [ 'MACHINE_MISMATCH', 'FEATURE_MISSING' ]");
  });

  test('embeds the vendor key: a key file planted beside a self-signed license changes nothing', async () => {
    expect(examples[0]).toMatch(EMBEDDED_KEY);
    expect(examples[0]).not.toMatch(/readFileSync\([^)]*(key|\.xml|\.pem|\.jwk)/i);
    const mid = await machineCode({ product: '1001' });
    // The customer signs their own license and writes their own public key where a key file would be.
    const planted = { 'vendor-public.pem': OTHER_ED.publicPem };
    const withKid = await runExample({ ...planted, 'license.lic': (await signed({ machines: [mid] }, OTHER_ED.privateJwk)).text }, example);
    expect([withKid.code, withKid.stderr.trim()]).toEqual([2, 'license unreadable: ERR_KEY_UNKNOWN_KID']);
    const anonymous = await runExample({ ...planted, 'license.lic': (await signed({ machines: [mid] }, OTHER_ED.privateJwk, null)).text }, example);
    expect(anonymous.stderr.trim()).toBe("license refused: [ 'SIGNATURE_INVALID' ]");
  });

  test('the vendor-side example issues a license the program accepts', async () => {
    const mid = await machineCode({ product: '1001' });
    const probe = `const customerMachineCode = ${JSON.stringify(mid)};\n${issuerExample}\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('issued.lic', text);\nwriteFileSync('issued.pem', publicKeyPem);\nconsole.log(kid.length);\n`;
    const issued = await runExample({}, probe);
    expect(issued.stderr).toBe('');
    expect(issued.stdout.trim()).toBe('43');
    const dir = join(root, 'test-results', 'readme-example');
    const program = examples[0]!.replace(EMBEDDED_KEY, `const VENDOR_PUBLIC_KEY = ${JSON.stringify(readFileSync(join(dir, 'issued.pem'), 'utf8'))};`).replace("readFileSync('license.lic')", "readFileSync('issued.lic')");
    expect((await runExample({}, program)).stdout.trim()).toBe('F3 is on');
  });

  test('the Cryptolens example reads a .skm file with its XML key and reports LicenseStatus', async () => {
    const code = `import { readFileSync } from 'node:fs';\nimport { verifyLicense } from 'licensekit';\n${cryptolensExample.replace(/key: '<RSAKeyValue>[^']*<\/RSAKeyValue>'/, `key: ${JSON.stringify(VENDOR.publicXml.trim())}`).replace('productId: 3349', 'productId: 1001')}`;
    const license = await issue({ productId: 1001, features: [1], created: new Date(now - 86_400_000), expires: new Date(now + 86_400_000), dataObjects: [{ id: 1, name: 'cryptolens_features', stringValue: JSON.stringify([['Modules', ['Render']]]) }] }, new Date(now - 60_000));
    const { stdout, stderr } = await runExample({ 'license.skm': license }, code);
    expect(stderr).toBe('');
    expect(stdout).toContain('IsValid: true');
  });

  test('the tolerant-fingerprint example matches this machine against its own recording', async () => {
    const probe = `${fingerprintExample}\nconsole.log(JSON.stringify({ matched: match.matched, reason: match.reason, stored: recorded.length > 0 }));\n`;
    const { stdout, stderr } = await runExample({}, probe);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({ matched: true, reason: 'match', stored: true });
  });
});
