/**
 * The README's customer-secret example, run as written against the built
 * package imported by its own names (licensekit, licensekit/issuer,
 * licensekit/customers). Needs the built bundles.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const examples = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((e) => e.includes("from 'licensekit/customers'"));

test('the README example seals a customer bundle, opens it with the secret, verifies the license, and refuses another secret', async () => {
  expect(examples).toHaveLength(1);
  const dir = join(ROOT, 'test-results', 'readme-customers');
  mkdirSync(dir, { recursive: true }); // inside the package: 'licensekit/…' resolves to it by self-reference
  writeFileSync(join(dir, 'example.mjs'), examples[0]!);
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['example.mjs'], { cwd: dir });
  expect(stderr).toBe('');
  expect(stdout.trim().split('\n')).toEqual(["true [ '1001', '1002' ]", 'true', "[ 'CUSTOMER_SECRET_MISMATCH' ]"]);
}, 60_000);
