/**
 * NetLicensing offline validation files and Cryptolens SignMethod=0 files
 * through the real bin (`verify FILE --key KEY`): the NetLicensing file is
 * valid before its ttl with the WEAK_ALGORITHM warning, SIGNATURE_EXPIRED after
 * it (exit 1), SIGNATURE_INVALID under the wrong key (exit 1), and a DOCTYPE is
 * a typed error (exit 2); a SignMethod=0 file verifies with the
 * SIGNED_RESERIALISATION warning, the tampered one is exit 1. The human output
 * passes file text through terminalSafe.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { describeWithVectors, VECTORS_DIR } from '../support/vectors.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-legacy-cli-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const write = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

describeWithVectors('peers/netlicensing-xmldsig', 'NetLicensing files from the CLI', () => {
  const dir = join(VECTORS_DIR, 'peers', 'netlicensing-xmldsig');
  const file = join(dir, 'Isb-DEMO.xml');
  const key = join(dir, 'rsa_public.pem');

  test('valid before the ttl (WEAK_ALGORITHM), SIGNATURE_EXPIRED after it, SIGNATURE_INVALID under the wrong key', async () => {
    const ok = await run('verify', file, '--key', key, '--now', '2020-12-28T00:00:00Z', '--require-feature', 'Msb-DEMO', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, format: 'netlicensing', algorithm: 'RS1', warnings: ['WEAK_ALGORITHM'] });
    const late = await run('verify', file, '--key', key, '--now', '2021-01-01T00:00:00Z', '--json');
    expect([late.code, JSON.parse(late.out).reasons]).toEqual([1, ['SIGNATURE_EXPIRED']]);
    const wrong = await run('verify', file, '--key', join(dir, 'rsa_public_wrong.pem'), '--now', '2020-12-28T00:00:00Z', '--json');
    expect([wrong.code, JSON.parse(wrong.out).reasons]).toEqual([1, ['SIGNATURE_INVALID']]);
    const human = await run('verify', file, '--key', key, '--now', '2020-12-28T00:00:00Z');
    expect(human.code).toBe(0);
    expect(human.out).toContain('WEAK_ALGORITHM');
  });

  test('a DOCTYPE (XXE) is ERR_XML_INVALID, exit 2', async () => {
    const xxe = write('xxe.xml', readFileSync(file, 'utf8').replace('?>', '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'));
    const r = await run('verify', xxe, '--key', key, '--json');
    expect([r.code, JSON.parse(r.out).error.code]).toEqual([2, 'ERR_XML_INVALID']);
  });
});

describeWithVectors('cryptolens', 'Cryptolens SignMethod=0 files from the CLI', () => {
  const vector = (name: string) => JSON.parse(readFileSync(join(VECTORS_DIR, 'cryptolens', name), 'utf8')) as { license: string; publicKeyXml: string };

  test('a real SignMethod=0 file verifies with SIGNED_RESERIALISATION; the tampered one is exit 1', async () => {
    const good = vector('sm0-thirdparty-tgscalper-an-9370-DQRKL.json');
    const key = write('sm0.xml', good.publicKeyXml);
    const ok = await run('verify', write('sm0.skm', good.license), '--key', key, '--now', '2021-09-02T12:00:00Z', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, format: 'cryptolens', warnings: ['SIGNED_RESERIALISATION'] });
    const bad = vector('neg-sm0-thirdparty-tgscalper-seotuts-tampered.json');
    const r = await run('verify', write('neg.skm', bad.license), '--key', write('neg.xml', bad.publicKeyXml), '--json');
    expect([r.code, JSON.parse(r.out).reasons]).toEqual([1, ['SIGNATURE_INVALID']]);
  });
});
