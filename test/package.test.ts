/**
 * What the published package carries besides code: its licence text, where it
 * comes from, and a changelog kept from now on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string; version: string; repository?: { type: string; url: string } };

test('npm pack ships LICENSE, README.md and CHANGELOG.md', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [packed] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [{ files: Array<{ path: string }> }];
  const files = packed.files.map((f) => f.path);
  for (const name of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) expect(files).toContain(name);
});

test('the licence file is the MIT text that package.json names', () => {
  expect(pkg.license).toBe('MIT');
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  expect(text.split('\n')[0]).toBe('MIT License');
  expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
});

test('package.json says where the code lives', () => {
  expect(pkg.repository?.type).toBe('git');
  expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
});

test('the changelog has an Unreleased section and one for the current version', () => {
  const log = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
  const versions = [...log.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  expect(versions[0]).toBe('Unreleased');
  expect(versions).toContain(pkg.version);
});
