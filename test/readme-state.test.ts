/**
 * The README's local-state examples, one per seed behaviour (Whop's HWID
 * binding with reset; NetLicensing's licensee-secret modes), run as written
 * against the built package imported by its own names.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const examples = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((e) => e.includes("from 'licensekit/state'"));

async function run(code: string): Promise<string[]> {
  const dir = join(ROOT, 'test-results', 'readme-state');
  mkdirSync(dir, { recursive: true }); // inside the package: 'licensekit/…' resolves to it by self-reference
  writeFileSync(join(dir, 'example.mjs'), code);
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['example.mjs'], { cwd: dir });
  expect(stderr).toBe('');
  return stdout.trim().split('\n');
}

describe('README local-state examples', () => {
  test('there is one per seed behaviour', () => {
    expect(examples.map((e) => (e.includes('bindHwid') ? 'whop' : e.includes('licenseeSecret') ? 'netlicensing' : 'other'))).toEqual(['whop', 'netlicensing']);
  });

  test("HWID binding with reset answers Whop's 201, 400, 404, then 201 after the vendor's reset", async () => {
    expect(await run(examples[0]!)).toEqual(['201', '400', '404', '201']);
  });

  test('licensee secret: client mode binds the first secret; predefined checks the vendor-set one', async () => {
    expect(await run(examples[1]!)).toEqual(['true', "[ 'LICENSEE_SECRET_MISMATCH' ]", 'true', "[ 'LICENSEE_SECRET_MISSING' ]"]);
  });
});
