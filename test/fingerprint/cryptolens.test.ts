/**
 * Machine codes of the official Cryptolens Node client (`machineCode({ compat })`):
 * the hashing on fixed inputs, the findmnt-equivalent reading on fake trees,
 * and differential tests against the official client's own
 * `Helpers.GetMachineCode()` on this machine (which runs findmnt), also with a
 * udev database entry planted in a user namespace so both see a real UUID.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cryptolensMachineCode, cryptolensNodeDigest, machineCode } from '../../src/fingerprint/index.ts';
import { probeFilesystemUuid } from '../../src/fingerprint/cryptolens.ts';
import { mayRunNamespaceTests, probe } from './unshare.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const UUID = '4f1c2a9e-0b7d-4c3e-9a21-6c0d8e7f1b2a';

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code ?? (error as Error).name;
}

describe('the official Node client hashing, on fixed inputs', () => {
  test('Linux and macOS hash the printed line with its newline; Windows the trimmed UUID', () => {
    expect(cryptolensNodeDigest('linux', UUID)).toBe(sha256(`${UUID}\n`));
    expect(cryptolensNodeDigest('linux', '')).toBe(sha256('\n'));
    expect(cryptolensNodeDigest('darwin', UUID.toUpperCase())).toBe(sha256(`${UUID.toUpperCase()}\n`));
    expect(cryptolensNodeDigest('darwin', '')).toBe(sha256(''));
    expect(cryptolensNodeDigest('win32', ` ${UUID.toUpperCase()}\r\n`)).toBe(sha256(UUID.toUpperCase()));
    expect(cryptolensNodeDigest('linux', UUID)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('probes ext4, XFS, Btrfs and FAT superblocks as blkid prints their UUIDs', () => {
    const id = Buffer.from('4f1c2a9e0b7d4c3e9a216c0d8e7f1b2a', 'hex');
    const ext = Buffer.alloc(4096);
    ext.writeUInt16LE(0xef53, 1024 + 0x38);
    id.copy(ext, 1024 + 0x68);
    expect(probeFilesystemUuid(ext)).toBe(UUID);
    const xfs = Buffer.alloc(512);
    xfs.write('XFSB', 0, 'latin1');
    id.copy(xfs, 32);
    expect(probeFilesystemUuid(xfs)).toBe(UUID);
    const btrfs = Buffer.alloc(0x10048);
    btrfs.write('_BHRfS_M', 0x10040, 'latin1');
    id.copy(btrfs, 0x10020);
    expect(probeFilesystemUuid(btrfs)).toBe(UUID);
    const fat32 = Buffer.alloc(512);
    fat32[510] = 0x55;
    fat32[511] = 0xaa;
    fat32.write('FAT32   ', 0x52, 'latin1');
    Buffer.from([0x4d, 0x3c, 0x2b, 0x1a]).copy(fat32, 0x43);
    expect(probeFilesystemUuid(fat32)).toBe('1A2B-3C4D');
    const fat16 = Buffer.alloc(512);
    fat16[510] = 0x55;
    fat16[511] = 0xaa;
    fat16.write('FAT16   ', 0x36, 'latin1');
    Buffer.from([0xef, 0xcd, 0x0b, 0xa0]).copy(fat16, 0x27);
    expect(probeFilesystemUuid(fat16)).toBe('A00B-CDEF');
    expect(probeFilesystemUuid(Buffer.alloc(4096))).toBeUndefined();
  });
});

describe('the /boot file system UUID read from a fake tree, as findmnt finds it', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const tree = (mountinfo: string, files: Record<string, string | Buffer>) => {
    const root = mkdtempSync(join(tmpdir(), 'licensekit-cryptolens-'));
    roots.push(root);
    const all = { 'proc/self/mountinfo': mountinfo, ...files };
    for (const [path, content] of Object.entries(all)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    return root;
  };
  const ROOT_ONLY = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n22 27 0:21 / /proc rw - proc proc rw\n';
  const code = (root: string, allowEmptyUuid = false) => cryptolensMachineCode({ compat: 'cryptolens-node', root, platform: 'linux', allowEmptyUuid });

  test('from the udev database entry of the root device (no separate /boot), with udev escapes decoded', async () => {
    const root = tree(ROOT_ONLY, { 'dev/vda': '', 'sys/class/block/vda/dev': '254:0\n', 'run/udev/data/b254:0': `S:disk/by-uuid/x\nE:ID_FS_TYPE=ext4\nE:ID_FS_UUID_ENC=${UUID}\n` });
    expect(await code(root)).toBe(sha256(`${UUID}\n`));
    const escaped = tree(ROOT_ONLY, { 'dev/vda': '', 'sys/class/block/vda/dev': '254:0\n', 'run/udev/data/b254:0': 'E:ID_FS_UUID_ENC=1A2B\\x2d3C4D\n' });
    expect(await code(escaped)).toBe(sha256('1A2B-3C4D\n'));
    expect(await machineCode({ compat: 'cryptolens-node-short', root, platform: 'linux' })).toBe(sha256(`${UUID}\n`).slice(0, 20));
  });

  test('a separate /boot mount wins over /, and the last mount over a point wins', async () => {
    const mountinfo = `${ROOT_ONLY}30 27 254:1 / /boot rw - ext4 /dev/vda1 rw\n31 27 254:2 / /boot rw - vfat /dev/vda2 rw\n`;
    const root = tree(mountinfo, {
      'boot/.keep': '',
      'dev/vda': '',
      'dev/vda1': '',
      'dev/vda2': '',
      'sys/class/block/vda/dev': '254:0\n',
      'sys/class/block/vda1/dev': '254:1\n',
      'sys/class/block/vda2/dev': '254:2\n',
      'run/udev/data/b254:0': 'E:ID_FS_UUID_ENC=root-uuid\n',
      'run/udev/data/b254:1': 'E:ID_FS_UUID_ENC=boot-uuid-hidden\n',
      'run/udev/data/b254:2': 'E:ID_FS_UUID_ENC=ABCD-0123\n',
    });
    expect(await code(root)).toBe(sha256('ABCD-0123\n'));
  });

  test('from a /dev/disk/by-uuid link when there is no udev database entry', async () => {
    const root = tree(ROOT_ONLY, { 'dev/vda': '', 'sys/class/block/vda/dev': '254:0\n' });
    mkdirSync(join(root, 'dev/disk/by-uuid'), { recursive: true });
    symlinkSync('../../vda', join(root, 'dev/disk/by-uuid', UUID));
    expect(await code(root)).toBe(sha256(`${UUID}\n`));
  });

  test('from the superblock when the device is readable (root), as blkid would', async () => {
    const ext = Buffer.alloc(4096);
    ext.writeUInt16LE(0xef53, 1024 + 0x38);
    Buffer.from(UUID.replace(/-/g, ''), 'hex').copy(ext, 1024 + 0x68);
    const root = tree(ROOT_ONLY, { 'dev/vda': ext, 'sys/class/block/vda/dev': '254:0\n' });
    expect(await code(root)).toBe(sha256(`${UUID}\n`));
  });

  test('no UUID anywhere: ERR_FINGERPRINT_UNAVAILABLE, or with allowEmptyUuid the shared code the official client gives', async () => {
    const root = tree(ROOT_ONLY, { 'dev/vda': Buffer.alloc(4096), 'sys/class/block/vda/dev': '254:0\n' });
    const error = await code(root).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('ERR_FINGERPRINT_UNAVAILABLE');
    expect(await code(root, true)).toBe(sha256('\n'));
  });

  test('misuse is a RangeError; an unsupported platform a typed error', async () => {
    expect(codeOf(await cryptolensMachineCode({ compat: 'cryptolens-dotnet' as never }).catch((e: unknown) => e))).toBe('RangeError');
    expect(codeOf(await cryptolensMachineCode({ compat: 'cryptolens-node', platform: 'aix' }).catch((e: unknown) => e))).toBe('ERR_FINGERPRINT_UNAVAILABLE');
  });
});

const require = createRequire(import.meta.url);
const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('differential: the official client on this machine', () => {
  const { Helpers } = require('cryptolens') as { Helpers: { GetMachineCode(): string; GetMachineCodeShort(): string } };

  test('the same string as Helpers.GetMachineCode() and GetMachineCodeShort() (which run findmnt)', async () => {
    const official = Helpers.GetMachineCode();
    expect(await machineCode({ compat: 'cryptolens-node', allowEmptyUuid: true })).toBe(official);
    expect(await machineCode({ compat: 'cryptolens-node-short', allowEmptyUuid: true })).toBe(Helpers.GetMachineCodeShort());
    // Where findmnt finds no UUID (no udev, device unreadable) the client hashes an empty line: refused by default.
    const strict = await machineCode({ compat: 'cryptolens-node' }).catch((e: unknown) => e);
    if (official === sha256('\n')) expect(codeOf(strict)).toBe('ERR_FINGERPRINT_UNAVAILABLE');
    else expect(strict).toBe(official);
  });
});

describe.runIf(onLinux && mayRunNamespaceTests())('differential with a real UUID: a udev database entry planted in unshare -Urm', () => {
  test.each([[UUID], ['1A2B-3C4D']])('official client and licensekit agree on %s', async (uuid) => {
    const source = execFileSync('findmnt', ['-n', '-o', 'SOURCE', '--target=/boot'], { encoding: 'utf8' }).trim().replace(/\[.*\]$/, '');
    const majorMinor = readFileSync(`/sys/class/block/${basename(realpathSync(source))}/dev`, 'utf8').trim();
    const run = mkdtempSync(join(tmpdir(), 'licensekit-run-'));
    mkdirSync(join(run, 'udev/data'), { recursive: true });
    writeFileSync(join(run, 'udev/data', `b${majorMinor}`), `E:ID_FS_UUID=${uuid}\nE:ID_FS_UUID_ENC=${uuid}\n`);
    writeFileSync(join(run, 'udev/control'), '');
    const result = await probe<{ official: string; short: string; ours: string; oursShort: string }>(
      `const { Helpers } = require('cryptolens');
       console.log(JSON.stringify({ official: Helpers.GetMachineCode(), short: Helpers.GetMachineCodeShort(),
         ours: await fp.machineCode({ compat: 'cryptolens-node' }), oursShort: await fp.machineCode({ compat: 'cryptolens-node-short' }) }));`,
      { setup: `mount --bind ${run} /run` },
    );
    expect(result.official).toBe(sha256(`${uuid}\n`));
    expect(result.ours).toBe(result.official);
    expect(result.oursShort).toBe(result.short);
    rmSync(run, { recursive: true, force: true });
  });
});
