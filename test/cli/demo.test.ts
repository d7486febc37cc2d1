/**
 * `npm start` (the demo) through the real bin: it issues a license for this
 * machine and verifies it, refuses a one-byte tamper, and shows why the vendor
 * key is a constant in the program: a license the customer signed with a key of
 * their own is refused, and the sample program it writes embeds the key and
 * reads no key file.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const ROOT = join(FIXTURES_DIR, '..');
const run = promisify(execFile);

describe('demo', () => {
  test('valid here, tamper and self-issued license refused, and a sample program with the key embedded', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin', 'licensekit.js'), 'demo'], { cwd: ROOT });
    expect(stdout).toMatch(/^3\. Issued a native license \(COSE_Sign1 over a CWT/m);
    expect(stdout).toMatch(/^4\. Verified as received: VALID/m);
    expect(stdout).toMatch(/^5\. .*NOT VALID: SIGNATURE_INVALID/m);
    expect(stdout).toMatch(/^6\. A customer signed .*NOT VALID: SIGNATURE_INVALID/m);
    const dir = /The files are in (\S+?);/.exec(stdout)![1]!;

    const program = readFileSync(join(dir, 'check-license.mjs'), 'utf8');
    expect(program).toContain(`const VENDOR_PUBLIC_KEY = ${JSON.stringify(readFileSync(join(dir, 'public.pem'), 'utf8'))};`);
    expect(program).not.toMatch(/readFileSync\([^)]*(public|key|\.xml|\.pem)/);

    // Run the sample program against the built package, as a customer's machine would.
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'licensekit'));
    expect((await run(process.execPath, ['check-license.mjs'], { cwd: dir })).stdout.trim()).toBe('VALID');
    // The customer replaces the license with their own and the key file beside it with their key: nothing changes for the program.
    copyFileSync(join(dir, 'self-issued.lic'), join(dir, 'license.lic'));
    writeFileSync(join(dir, 'public.pem'), 'the customer could put any key here');
    expect((await run(process.execPath, ['check-license.mjs'], { cwd: dir })).stdout.trim()).toBe('NOT VALID: SIGNATURE_INVALID');
  });
});
