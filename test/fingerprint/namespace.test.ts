/**
 * Detection of a rewritten kernel view (issue 7, item 4): a user namespace
 * (/proc/self/uid_map) and mounts over the files the collector reads
 * (/proc/self/mountinfo), reported in `environment` and refusable by policy.
 * Pure evidence, a fake /proc tree, and a real `unshare -Urm` child.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectLinuxSnapshot } from '../../src/fingerprint/collect/linux.ts';
import { environmentFromEvidence, fingerprintFromSnapshot, matchFingerprint, type Environment } from '../../src/fingerprint/index.ts';
import { loadSnapshot } from './fixtures.ts';
import { mayRunNamespaceTests, probe } from './unshare.ts';

const HOST = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '23 27 0:22 / /sys rw,relatime - sysfs sysfs rw',
  '24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw',
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw',
  '40 27 254:2 / /var rw,relatime - ext4 /dev/vda2 rw',
  '41 27 0:30 / /run rw,relatime - tmpfs tmpfs rw',
].join('\n');

describe('environment from uid_map and mountinfo evidence', () => {
  test('the initial namespace and an ordinary host mount table: nothing to report', () => {
    const env = environmentFromEvidence({ uidMap: '         0          0 4294967295\n', mountinfo: HOST });
    expect(env).toMatchObject({ userNamespace: false, overlaidPaths: [] });
    expect(environmentFromEvidence({})).toMatchObject({ userNamespace: false, overlaidPaths: [] });
  });

  test.each([
    ['unshare -Ur as uid 1000', '         0       1000          1\n'],
    ['a rootless container', '0 1000 1\n1 100000 65536\n'],
    ['unshare -Ur as root', '0 0 1\n'],
  ])('a user namespace (%s) is reported', (_, uidMap) => {
    const env = environmentFromEvidence({ uidMap });
    expect(env.userNamespace).toBe(true);
    expect(env.evidence.join(' ')).toContain('user namespace');
  });

  test('bind mounts over, under or above the read paths are reported; usual separate file systems are not', () => {
    const mounts = [
      HOST,
      '600 27 254:0 /home/m/id /etc/machine-id rw - ext4 /dev/vda rw',
      '601 23 254:0 /home/m/net /sys/class/net rw - ext4 /dev/vda rw',
      '602 22 254:0 /home/m/cpu /proc/cpuinfo rw - ext4 /dev/vda rw',
      '603 23 0:40 / /sys/class/dmi/id/product_uuid rw - tmpfs tmpfs rw',
      '604 23 0:41 / /sys/firmware ro - tmpfs tmpfs ro',
      '605 27 254:0 /home/m/etc /etc rw - ext4 /dev/vda rw',
      '606 27 254:0 /home/m/with\\040space /var/lib/dbus rw - ext4 /dev/vda rw',
      '607 24 0:50 / /dev/shm rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(environmentFromEvidence({ mountinfo: mounts }).overlaidPaths).toEqual([
      '/etc',
      '/etc/machine-id',
      '/proc/cpuinfo',
      '/sys/class/dmi/id/product_uuid',
      '/sys/class/net',
      '/sys/firmware',
      '/var/lib/dbus',
    ]);
  });

  test('a /proc or /sys that is not procfs or sysfs is reported', () => {
    const fake = `${HOST}\n700 27 254:0 /home/m/fakeproc /proc rw - ext4 /dev/vda rw\n701 27 0:60 / /sys rw - tmpfs tmpfs rw`;
    expect(environmentFromEvidence({ mountinfo: fake }).overlaidPaths).toEqual(['/proc', '/sys']);
  });

  test('policy allowSpoofableEnvironment: false refuses; the default allows and says what it saw', () => {
    const server = fingerprintFromSnapshot(loadSnapshot('linux-server').snapshot, 'acme-cad');
    const spoofed = fingerprintFromSnapshot(loadSnapshot('linux-server').snapshot, 'acme-cad');
    const environment: Environment = environmentFromEvidence({ uidMap: '0 1000 1', mountinfo: `${HOST}\n600 27 254:0 /x /etc/machine-id rw - ext4 /dev/vda rw` });
    const inNamespace = { ...spoofed, environment };
    expect(matchFingerprint(server, inNamespace)).toMatchObject({ matched: true, reason: 'match' });
    expect(matchFingerprint(server, inNamespace, { allowSpoofableEnvironment: false })).toMatchObject({ matched: false, reason: 'spoofable-environment-refused' });
    expect(matchFingerprint(server, server, { allowSpoofableEnvironment: false })).toMatchObject({ matched: true });
  });
});

describe('the Linux collector reads uid_map and mountinfo from a fake /proc tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'licensekit-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  test('keeps the relevant mount lines and reports the namespace and the mounts', async () => {
    file('etc/machine-id', '0f9e8d7c6b5a49382716a5b4c3d2e1f0\n');
    file('proc/self/uid_map', '         0       1000          1\n');
    file('proc/self/mountinfo', `${HOST}\n600 27 254:0 /home/m/id /etc/machine-id rw - ext4 /dev/vda rw\n610 27 0:70 / /mnt/data rw - ext4 /dev/vdb rw\n`);
    const snapshot = await collectLinuxSnapshot({ root });
    expect(snapshot.evidence.uidMap).toContain('1000');
    expect(snapshot.evidence.mountinfo).toContain('/etc/machine-id');
    expect(snapshot.evidence.mountinfo).not.toContain('/mnt/data');
    const fp = fingerprintFromSnapshot(snapshot, 'p');
    expect(fp.environment).toMatchObject({ userNamespace: true, overlaidPaths: ['/etc/machine-id'] });
  });
});

describe.runIf(process.platform === 'linux' && mayRunNamespaceTests())('a real unshare -Urm child with a bind mount over /etc/machine-id', () => {
  test('outside: no namespace; inside: the spoofed machine-id is read, and the namespace and the mount are reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'licensekit-spoof-'));
    writeFileSync(join(dir, 'machine-id'), '00112233445566778899aabbccddeeff\n');
    const script = `const s = await fp.collectSnapshot(); const e = fp.environmentFromEvidence(s.evidence);
      console.log(JSON.stringify({ machineId: s.osInstallId, userNamespace: e.userNamespace, overlaidPaths: e.overlaidPaths }));`;
    const outside = await probe<{ userNamespace: boolean; overlaidPaths: string[] }>(script, { namespace: false });
    const inside = await probe<{ machineId: unknown; userNamespace: boolean; overlaidPaths: string[] }>(script, {
      setup: `mount --bind ${join(dir, 'machine-id')} /etc/machine-id`,
    });
    expect(outside.userNamespace).toBe(false);
    expect(outside.overlaidPaths).not.toContain('/etc/machine-id');
    expect(inside.machineId).toBe('00112233445566778899aabbccddeeff');
    expect(inside.userNamespace).toBe(true);
    expect(inside.overlaidPaths).toContain('/etc/machine-id');
    rmSync(dir, { recursive: true, force: true });
  });
});
