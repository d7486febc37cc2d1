/**
 * The README's air-gapped activation walkthrough (the ```sh block under the
 * heading "### Air-gapped activation, step by step"), run as written, command
 * by command in order, with the real bin in an empty folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'licensekit.js');
const HEADING = '### Air-gapped activation, step by step';
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.includes(HEADING) ? readme.slice(readme.indexOf(HEADING)) : '';
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const commands = block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

describe('README: air-gapped activation, step by step', () => {
  test(`the README has the section "${HEADING}" with a sh block of licensekit commands`, () => {
    expect(section, `README.md has no "${HEADING}" section yet`).not.toBe('');
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const line of commands) expect(line).toMatch(/^licensekit [a-z-]+ /);
  });

  test('every command runs, in order, as written: the license is activated, then deactivated and its seat released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'licensekit-readme-activation-'));
    const outputs: string[] = [];
    for (const line of commands) {
      // The words of the line, as the shell would split them (the walkthrough uses no quotes or variables).
      const args = line.trim().split(/\s+/).slice(1);
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: dir, maxBuffer: 1 << 22 });
      outputs.push(stdout + stderr);
    }
    const all = outputs.join('\n');
    expect(all).toContain('ACTIVATED AAAAA-BBBBB-CCCCC-DDDDD');
    expect(all).toContain('deactivated AAAAA-BBBBB-CCCCC-DDDDD');
    expect(all).toContain('released the seat of AAAAA-BBBBB-CCCCC-DDDDD');
    for (const file of ['request.txt', 'request.png', 'response.lic', 'receipt.txt']) expect(existsSync(join(dir, file)), file).toBe(true);
    // The response cannot be activated again: it was used once.
    const again = await promisify(execFile)(process.execPath, [BIN, 'activate', 'response.lic', '--key', 'vendor/public.pem', '--state', 'state', '--json'], { cwd: dir }).catch((e: { code: number; stdout: string }) => e);
    expect((again as { code?: number }).code).toBe(1);
    expect(JSON.parse((again as { stdout: string }).stdout).reasons).toEqual(['ACTIVATION_NONCE_USED']);
  }, 90_000);
});
