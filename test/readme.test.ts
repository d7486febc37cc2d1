/**
 * The README's example, run as written (against the built package, imported
 * by its own name) on a license issued for this machine and on one issued for
 * another: the README cannot drift from the API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { machineCode } from '../src/fingerprint/index.ts';
import { FIXTURES_DIR } from '../scripts/make-fixtures.ts';
import { buildCryptolensPayload, signCryptolensPayload } from '../src/issuer/cryptolens.ts';
import { encodeUtf8 } from '../src/lib/bytes.ts';
import { issue, VENDOR } from './support/issue.ts';

const OTHER_PUBLIC_XML = readFileSync(join(FIXTURES_DIR, 'keys', 'other-rsa2048.public.xml'), 'utf8');
const OTHER_PRIVATE_JWK = JSON.parse(readFileSync(join(FIXTURES_DIR, 'keys', 'other-rsa2048.private.jwk.json'), 'utf8')) as Record<string, string>;

const root = join(FIXTURES_DIR, '..');
const examples = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
// The README shows the key as a constant with an elided modulus; the test puts the committed test key there.
const EMBEDDED_KEY = /const VENDOR_PUBLIC_KEY = '<RSAKeyValue>[^']*<\/RSAKeyValue>';/;
const example = examples[0]!.replace(EMBEDDED_KEY, `const VENDOR_PUBLIC_KEY = ${JSON.stringify(VENDOR.publicXml.trim())};`);
const fingerprintExample = examples.find((e) => e.includes('matchFingerprint'))!;

async function runExample(license: string, code = example, keyFileBesideLicense = VENDOR.publicXml): Promise<{ stdout: string; stderr: string }> {
  const dir = join(root, 'test-results', 'readme-example');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'license.skm'), license);
  writeFileSync(join(dir, 'vendor-public.xml'), keyFileBesideLicense);
  writeFileSync(join(dir, 'example.mjs'), code);
  return promisify(execFile)(process.execPath, ['example.mjs'], { cwd: dir });
}

describe('README example', () => {
  const now = Date.now(); // the example reads the clock itself, so the license is issued around it
  const claims = {
    productId: 1001,
    features: [1 as const, 3 as const],
    created: new Date(now - 86_400_000),
    expires: new Date(now + 30 * 86_400_000),
    dataObjects: [{ id: 1, name: 'cryptolens_features', stringValue: JSON.stringify([['Modules', ['Render', 'Print']]]) }],
  };

  test('accepts a license issued for this machine', async () => {
    const mid = await machineCode({ product: '1001' });
    const { stdout, stderr } = await runExample(await issue({ ...claims, activatedMachines: [{ mid }], maxNoOfMachines: 1 }, new Date(now - 60_000)));
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('F3 is on');
  });

  test('refuses, with every reason, one issued for another machine without F1', async () => {
    const { stderr } = await runExample(await issue({ ...claims, features: [3], activatedMachines: [{ mid: 'ANOTHER-MACHINE' }], maxNoOfMachines: 1 }, new Date(now - 60_000)));
    expect(stderr.trim()).toBe("license refused: [ 'MACHINE_MISMATCH', 'FEATURE_MISSING' ]");
  });

  test('embeds the vendor key: a key file planted beside a self-signed license changes nothing', async () => {
    expect(examples[0]).toMatch(EMBEDDED_KEY);
    expect(examples[0]).not.toMatch(/readFileSync\([^)]*(key|\.xml|\.pem|\.jwk)/i);
    // The customer signs their own license and writes their own public key where a key file would be.
    const forged = await signCryptolensPayload(encodeUtf8(JSON.stringify(buildCryptolensPayload({ ...claims, activatedMachines: [{ mid: await machineCode({ product: '1001' }) }], maxNoOfMachines: 1 }, new Date(now - 60_000)))), { privateJwk: OTHER_PRIVATE_JWK });
    const { stderr } = await runExample(forged, example, OTHER_PUBLIC_XML);
    expect(stderr.trim()).toBe("license refused: [ 'SIGNATURE_INVALID' ]");
  });

  test('the tolerant-fingerprint example matches this machine against its own recording', async () => {
    const probe = `${fingerprintExample}\nconsole.log(JSON.stringify({ matched: match.matched, reason: match.reason, stored: recorded.length > 0 }));\n`;
    const { stdout, stderr } = await runExample('', probe);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({ matched: true, reason: 'match', stored: true });
  });
});
