import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fingerprintCommand } from '../../src/cli/commands/fingerprint.ts';
import { CliExit } from '../../src/cli/io.ts';
import { collectLinuxSnapshot, parseCpuinfo } from '../../src/fingerprint/collect/linux.ts';
import { missingReason } from '../../src/fingerprint/collect/sysfs.ts';
import { componentHash } from '../../src/fingerprint/hash.ts';
import {
  clearFingerprintCache,
  collectSnapshot,
  detectEnvironment,
  fingerprint,
  fingerprintFromSnapshot,
  machineCode,
  normalizeIdentifier,
} from '../../src/fingerprint/index.ts';

const STATUSES = ['ok', 'absent', 'no-permission', 'junk', 'unreadable'];
const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('real collectors on this Linux machine', () => {
  test('every component has a status, and ok components carry hashes', async () => {
    const fp = await fingerprint({ product: 'live-test', refresh: true });
    expect(fp.components.map((c) => c.name)).toEqual(['system-uuid', 'system-serial', 'board-serial', 'disk-serial', 'mac', 'os-install-id', 'cpu']);
    for (const c of fp.components) {
      expect(STATUSES, c.name).toContain(c.status);
      expect(c.hashes.length > 0, c.name).toBe(c.status === 'ok');
      for (const hash of c.hashes) expect(hash).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(fp.machineCode).toMatch(/^[0-9A-F]{64}$/);
  });

  test('the machine-id reads as ok and hashes to the value computed independently', async () => {
    const path = ['/etc/machine-id', '/var/lib/dbus/machine-id'].find((p) => existsSync(p) && readFileSync(p, 'utf8').trim() !== '');
    expect(path, 'this Linux box has a machine-id').toBeDefined();
    const raw = readFileSync(path!, 'utf8');
    const normalized = normalizeIdentifier(raw);
    if (!('value' in normalized)) throw new Error('machine-id is junk');
    const fp = await fingerprint({ product: 'live-test' });
    const os = fp.components.find((c) => c.name === 'os-install-id')!;
    expect(os.status).toBe('ok');
    expect(os.hashes).toEqual([componentHash('live-test', 'os-install-id', normalized.value)]);
    expect(fp.machineCodeBasis).toEqual(['os-install-id']);
  });

  test('two cold collections agree, and the warm call returns the cached result', async () => {
    clearFingerprintCache();
    const first = await fingerprint({ product: 'live-test' });
    const warm = await fingerprint({ product: 'live-test' });
    expect(warm).toBe(first);
    expect(await machineCode({ product: 'live-test' })).toBe(first.machineCode);
    clearFingerprintCache();
    const second = await fingerprint({ product: 'live-test' });
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    const refreshed = await fingerprint({ product: 'live-test', refresh: true });
    expect(refreshed).not.toBe(second);
    expect(refreshed).toEqual(first);
    expect(await collectSnapshot()).toEqual(await collectSnapshot({ collector: 'sysfs' }));
    expect(Object.isFrozen(first) && Object.isFrozen(first.components)).toBe(true);
  });

  test('concurrent cold callers share one collection', async () => {
    clearFingerprintCache();
    const [a, b] = await Promise.all([collectSnapshot(), collectSnapshot()]);
    expect(a).toBe(b);
  });

  test('software interfaces of this machine never count', async () => {
    const snapshot = await collectSnapshot();
    const fp = fingerprintFromSnapshot(snapshot, 'live-test');
    const virtual = snapshot.network.filter((n) => n.physical === false).map((n) => n.name);
    const note = fp.components.find((c) => c.name === 'mac')!.note ?? '';
    for (const name of virtual) expect(note).toContain(`${name} (`);
  });

  test('the environment matches the evidence on disk', async () => {
    const env = await detectEnvironment();
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    if (/\bhypervisor\b/.test(flags)) expect(env.virtualMachine).toBe(true);
    if (existsSync('/.dockerenv')) expect(env).toMatchObject({ container: true, containerRuntime: 'docker' });
    expect(env.virtualMachine).toBe(env.hypervisor !== null);
  });

  test('the systeminformation collector runs here too and finds the same machine-id', async () => {
    const snapshot = await collectSnapshot({ collector: 'systeminformation' });
    const sysfs = await collectSnapshot();
    expect(snapshot.source).toBe('systeminformation');
    const a = fingerprintFromSnapshot(snapshot, 'live-test').components.find((c) => c.name === 'os-install-id');
    const b = fingerprintFromSnapshot(sysfs, 'live-test').components.find((c) => c.name === 'os-install-id');
    expect(a?.hashes).toEqual(b?.hashes);
  });
});

describe('Linux collector on a fake sysfs tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'licensekit-sysfs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const link = (target: string, path: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(join(root, target), join(root, path));
  };

  test('reads DMI, interfaces, the boot disk behind a partition, the machine-id and the CPU', async () => {
    file('sys/class/dmi/id/product_uuid', '4c4c4544-0042-3510-8052-b7c04f4d4432\n');
    file('sys/class/dmi/id/board_serial', 'Default string\n');
    file('sys/class/dmi/id/sys_vendor', 'QEMU\n');
    file('etc/machine-id', '0f9e8d7c6b5a49382716a5b4c3d2e1f0\n');
    file('proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: Xeon\nstepping\t: 7\nflags\t\t: fpu hypervisor\n\nprocessor\t: 1\nvendor_id\t: Other\n');
    file('proc/self/mountinfo', '27 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n');
    file('proc/self/cgroup', '0::/docker/abc\n');
    file('.dockerenv', '');
    for (const [name, mac, assign] of [['eno1', '94:18:82:6a:7b:10', '0'], ['wlan0', 'da:a1:19:00:11:22', '3']] as const) {
      const dev = `sys/devices/pci0000:00/${name}/net/${name}`;
      file(`${dev}/address`, `${mac}\n`);
      file(`${dev}/addr_assign_type`, `${assign}\n`);
      file(`${dev}/type`, '1\n');
      file(`${dev}/operstate`, 'down\n');
      mkdirSync(join(root, `sys/devices/pci0000:00/${name}/device`), { recursive: true });
      link(`sys/devices/pci0000:00/${name}/device`, `${dev}/device`);
      link(dev, `sys/class/net/${name}`);
    }
    file('sys/devices/virtual/net/docker0/address', '02:42:8c:1d:3e:4f\n');
    file('sys/devices/virtual/net/docker0/type', '1\n');
    link('sys/devices/virtual/net/docker0', 'sys/class/net/docker0');
    file('sys/devices/pci0000:00/nvme/block/nvme0n1/device/serial', '  S4EWNX0R123456  \n');
    file('sys/devices/pci0000:00/nvme/block/nvme0n1/nvme0n1p2/partition', '2\n');
    link('sys/devices/pci0000:00/nvme/block/nvme0n1/nvme0n1p2', 'sys/dev/block/259:2');
    link('sys/devices/pci0000:00/nvme/block/nvme0n1', 'sys/block/nvme0n1');

    const snapshot = await collectLinuxSnapshot({ root });
    expect(snapshot.systemUuid).toBe('4c4c4544-0042-3510-8052-b7c04f4d4432');
    expect(snapshot.systemSerial).toEqual({ missing: 'absent' });
    expect(snapshot.diskName).toBe('nvme0n1');
    expect(snapshot.diskSerial).toBe('S4EWNX0R123456');
    expect(snapshot.osInstallId).toBe('0f9e8d7c6b5a49382716a5b4c3d2e1f0');
    expect(snapshot.cpu).toEqual({ vendor: 'GenuineIntel', model: 'Xeon', family: '6', modelNumber: '85', stepping: '7' });
    expect(snapshot.network.map((n) => [n.name, n.physical, n.permanent])).toEqual([
      ['docker0', false, undefined],
      ['eno1', true, true],
      ['wlan0', true, false],
    ]);
    const fp = fingerprintFromSnapshot(snapshot, 'p');
    const status = Object.fromEntries(fp.components.map((c) => [c.name, c.status]));
    expect(status).toEqual({ 'system-uuid': 'ok', 'system-serial': 'absent', 'board-serial': 'junk', 'disk-serial': 'ok', mac: 'ok', 'os-install-id': 'ok', cpu: 'ok' });
    expect(fp.components.find((c) => c.name === 'mac')!.hashes).toHaveLength(1);
    expect(fp.environment).toMatchObject({ virtualMachine: true, hypervisor: 'QEMU', container: true, containerRuntime: 'docker' });
    expect(fp.machineCodeBasis).toEqual(['os-install-id']);
  });

  test('file system errors map to missing reasons', () => {
    expect(missingReason(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('no-permission');
    expect(missingReason(Object.assign(new Error('x'), { code: 'EPERM' }))).toBe('no-permission');
    expect(missingReason(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('absent');
    expect(missingReason(Object.assign(new Error('x'), { code: 'EIO' }))).toBe('unreadable');
  });

  test('parses an Arm /proc/cpuinfo', () => {
    const arm = 'processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n';
    expect(parseCpuinfo(arm)).toEqual({ cpu: { vendor: '0x41', model: '', family: '8', modelNumber: '0xd08', stepping: '0x0/3' }, hypervisorFlag: false });
  });
});

describe('licensekit fingerprint command', () => {
  const run = async (args: string[]) => {
    let out = '';
    const code = await fingerprintCommand(args, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    return { code, out };
  };

  test('--json prints the machine code, components and environment', async () => {
    const { code, out } = await run(['--product', 'cli-test', '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.machineCode).toBe(await machineCode({ product: 'cli-test' }));
    expect(parsed.components).toHaveLength(7);
    for (const c of parsed.components) expect(STATUSES).toContain(c.status);
    expect(typeof parsed.environment.virtualMachine).toBe('boolean');
  });

  test('human output shows the machine code and a row per component; the salt changes the code', async () => {
    const { code, out } = await run(['--product=cli-test']);
    expect(code).toBe(0);
    expect(out).toContain(`machine code  ${await machineCode({ product: 'cli-test' })}`);
    for (const name of ['system-uuid', 'disk-serial', 'mac', 'os-install-id', 'cpu']) expect(out).toMatch(new RegExp(`^${name} +\\w+ +\\d+ +[a-z-]+`, 'm'));
    const other = await run([]);
    expect(other.out.split('\n')[0]).not.toBe(out.split('\n')[0]);
  });

  test('usage errors exit with 2; --help exits with 0', async () => {
    for (const args of [['--bogus'], ['--product'], ['--product', '--json'], ['--product=']]) {
      const error = await run(args).catch((e: unknown) => e);
      expect(error, args.join(' ')).toBeInstanceOf(CliExit);
      expect((error as CliExit).exitCode).toBe(2);
    }
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--product SALT');
  });
});
