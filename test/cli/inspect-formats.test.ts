/**
 * `licensekit inspect` through the real bin reads every format verify reads:
 * a Keygen encrypted file shows its envelope (alg, enc length, signature) and
 * says what opens it; with --license-key it shows the claims; a wrong key is
 * exit 2 with ERR_LICENSE_KEY_WRONG; --json carries "license": null or the
 * claims. The NetLicensing peer vector inspects where ../shared/vectors is.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { describeWithVectors, VECTORS_DIR } from '../support/vectors.ts';
import { licenseDocument, makeKeygenFile } from '../formats/keygen/make.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-inspect-formats-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

const LK = 'ABCDEF-123456-ABCDEF-123456-ABCDEF-V3';

describe('licensekit inspect with Keygen files', () => {
  const file = join(tmp, 'license.lic');
  writeFileSync(file, makeKeygenFile(licenseDocument({ entitlements: ['PRO'] }), { encrypt: { licenseKey: LK }, signature: 'rsa-pss-sha256' }));

  test('without --license-key: the envelope and what opens it (exit 0); --json has license null', async () => {
    const human = await run('inspect', file);
    expect(human.code).toBe(0);
    expect(human.out).toContain('keygen (license file), PS256-MAX, signature 256 bytes — NOT VERIFIED');
    expect(human.out).toContain('aes-256-gcm+rsa-pss-sha256');
    expect(human.out).toContain('encLength');
    expect(human.out).toContain('give --license-key');
    const json = await run('inspect', file, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ verified: false, format: 'keygen', algorithm: 'PS256-MAX', license: null, envelope: { encrypted: true } });
  }, 30_000);

  test('with --license-key: the claims; a wrong one is exit 2 ERR_LICENSE_KEY_WRONG', async () => {
    const json = await run('inspect', file, '--json', '--license-key', LK);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).license).toMatchObject({ format: 'keygen', entitlements: ['PRO'] });
    expect((await run('inspect', file, '--license-key', LK)).out).toContain('PRO');
    const wrong = await run('inspect', file, '--license-key', 'WRONG');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('ERR_LICENSE_KEY_WRONG');
  }, 30_000);
});

describeWithVectors('peers/netlicensing-xmldsig', 'licensekit inspect with the NetLicensing vector', () => {
  test('prints the validation file decoded, NOT VERIFIED', async () => {
    const r = await run('inspect', join(VECTORS_DIR, 'peers', 'netlicensing-xmldsig', 'Isb-DEMO.xml'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ verified: false, format: 'netlicensing', algorithm: 'RS1', envelope: { form: 'xml-dsig' } });
  }, 30_000);
});
