/**
 * The Linux collector: reads sysfs, procfs and /etc directly, in parallel and
 * asynchronously, without spawning a process. Root-only DMI files come back as
 * `no-permission`; virtio disk serials (which systeminformation misses) are read
 * from /sys/block/<disk>/serial.
 */
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CpuReading, EnvironmentEvidence, MachineSnapshot, MissingReason, NetworkInterfaceReading, Reading } from '../snapshot.ts';
import { isRelevantMountPoint, parseMountinfoLine } from '../environment.ts';
import { exists, linkTarget, listDir, missingReason, readFirstValue, readText, readValue, resolvePath } from './sysfs.ts';

/** Options of {@link collectLinuxSnapshot}. */
export interface LinuxCollectOptions {
  /** Directory standing in for `/`, for tests with a fake sysfs tree. Default `/`. */
  readonly root?: string;
}

/** ARPHRD_ETHER: Ethernet and Wi-Fi; other link types (loopback, tunnels, InfiniBand) never identify a machine. */
const ARPHRD_ETHER = '1';
/** Whole-disk devices that are never a machine's disk. */
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr|fd|nbd|rbd)/;

/** Reads the first `limit` bytes of a file (for /proc/cpuinfo, whose full text is large on big machines). */
async function readHead(path: string, limit: number): Promise<string | { missing: MissingReason }> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.toString('latin1', 0, bytesRead);
  } catch (error) {
    return { missing: missingReason(error) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Parses the first processor block of /proc/cpuinfo (x86 and Arm layouts). */
export function parseCpuinfo(text: string): { cpu: CpuReading | { missing: MissingReason }; hypervisorFlag: boolean } {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' && fields.has('processor') && fields.size > 2) break;
    const colon = line.indexOf(':');
    if (colon > 0) {
      const key = line.slice(0, colon).trim().toLowerCase();
      if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
    }
  }
  const flags = ` ${fields.get('flags') ?? fields.get('features') ?? ''} `;
  const get = (...keys: string[]) => keys.map((k) => fields.get(k)).find((v) => v !== undefined) ?? '';
  const cpu: CpuReading = {
    vendor: get('vendor_id', 'cpu implementer', 'vendor'),
    model: get('model name', 'cpu model') || (/^\d+$/.test(get('processor')) ? '' : get('processor')),
    family: get('cpu family', 'cpu architecture'),
    modelNumber: fields.has('vendor_id') ? get('model') : get('cpu part', 'model'),
    stepping: fields.has('vendor_id') ? get('stepping') : [get('cpu variant'), get('cpu revision')].filter(Boolean).join('/'),
  };
  const empty = Object.values(cpu).every((v) => v === '');
  return { cpu: empty ? { missing: 'absent' } : cpu, hypervisorFlag: flags.includes(' hypervisor ') };
}

async function readInterface(root: string, name: string): Promise<NetworkInterfaceReading | undefined> {
  const base = join(root, 'sys/class/net', name);
  const [type, address, assignType, operstate, real, hasDevice, wireless, phy, bondPermanent] = await Promise.all([
    readValue(join(base, 'type')),
    readValue(join(base, 'address')),
    readValue(join(base, 'addr_assign_type')),
    readValue(join(base, 'operstate')),
    resolvePath(base),
    exists(join(base, 'device')),
    exists(join(base, 'wireless')),
    exists(join(base, 'phy80211')),
    readValue(join(base, 'bonding_slave/perm_hwaddr')),
  ]);
  if (type !== ARPHRD_ETHER || typeof address !== 'string') return undefined;
  const entry: { -readonly [K in keyof NetworkInterfaceReading]: NetworkInterfaceReading[K] } = {
    name,
    mac: typeof bondPermanent === 'string' ? bondPermanent : address,
    physical: hasDevice && !(real ?? '').includes('/virtual/'),
    usb: (real ?? '').includes('/usb'),
    wireless: wireless || phy,
    up: operstate === 'up',
  };
  // addr_assign_type: 0 permanent, 1 random, 2 stolen, 3 set by user space (MAC randomisation).
  if (typeof bondPermanent === 'string') entry.permanent = true;
  else if (typeof assignType === 'string') entry.permanent = assignType === '0';
  return entry;
}

async function readNetwork(root: string): Promise<NetworkInterfaceReading[]> {
  const names = (await listDir(join(root, 'sys/class/net'))).sort();
  const entries = await Promise.all(names.map((name) => readInterface(root, name)));
  return entries.filter((e): e is NetworkInterfaceReading => e !== undefined);
}

/** The whole-disk name holding a block device given by its sysfs path (partitions and dm/md resolved to their first member). */
async function diskOfBlockPath(root: string, sysPath: string, depth = 0): Promise<string | undefined> {
  if (depth > 4) return undefined;
  const diskPath = (await exists(join(sysPath, 'partition'))) ? dirname(sysPath) : sysPath;
  const name = basename(diskPath);
  if (/^(dm-|md)/.test(name)) {
    const [member] = (await listDir(join(diskPath, 'slaves'))).sort();
    const resolved = member === undefined ? undefined : await resolvePath(join(root, 'sys/class/block', member));
    return resolved === undefined ? undefined : diskOfBlockPath(root, resolved, depth + 1);
  }
  return NOT_A_DISK.test(name) ? undefined : name;
}

/** Finds the boot disk: the disk under `/`, else the first fixed, non-virtual disk (containers, btrfs, overlay roots). */
async function findBootDisk(root: string, mountinfo: string): Promise<string | undefined> {
  let rootLine: string | undefined;
  for (const line of mountinfo.split('\n')) if (line.split(' ')[4] === '/') rootLine = line;
  if (rootLine !== undefined) {
    const fields = rootLine.split(' ');
    const majorMinor = fields[2] ?? '';
    const source = fields[fields.indexOf('-') + 2] ?? '';
    const candidates: string[] = [];
    if (!majorMinor.startsWith('0:')) candidates.push(join(root, 'sys/dev/block', majorMinor));
    if (source.startsWith('/dev/')) candidates.push(join(root, 'sys/class/block', basename(source)));
    for (const candidate of candidates) {
      const resolved = await resolvePath(candidate);
      const disk = resolved === undefined ? undefined : await diskOfBlockPath(root, resolved);
      if (disk !== undefined) return disk;
    }
  }
  const disks = (await listDir(join(root, 'sys/block'))).filter((name) => !NOT_A_DISK.test(name)).sort();
  const fixed = await Promise.all(
    disks.map(async (name) => ((await readValue(join(root, 'sys/block', name, 'removable'))) === '1' ? undefined : name)),
  );
  return fixed.find((name) => name !== undefined);
}

/** Reads a disk's serial: virtio, NVMe/SCSI sysfs attribute, /dev/disk/by-id link name, then SCSI VPD page 0x80. */
async function readDiskSerial(root: string, disk: string): Promise<Reading> {
  const direct = await readFirstValue([join(root, 'sys/block', disk, 'serial'), join(root, 'sys/block', disk, 'device/serial')]);
  if (typeof direct === 'string') return direct;
  const byId = join(root, 'dev/disk/by-id');
  const links = (await listDir(byId)).filter((name) => /^(ata|nvme|scsi|mmc)-/.test(name) && !name.includes('-part') && !name.startsWith('nvme-eui.'));
  const targets = await Promise.all(links.map(async (name) => [name, await linkTarget(join(byId, name))] as const));
  const link = targets
    .filter(([, target]) => target !== undefined && basename(target) === disk)
    .map(([name]) => name)
    .sort((a, b) => Number(b.startsWith('ata-') || b.startsWith('nvme-')) - Number(a.startsWith('ata-') || a.startsWith('nvme-')))[0];
  const serial = link?.split('_').at(-1);
  if (serial !== undefined && serial !== '' && link !== undefined && link.includes('_')) return serial;
  const vpd = await readHead(join(root, 'sys/block', disk, 'device/vpd_pg80'), 256);
  if (typeof vpd === 'string' && vpd.length > 4) {
    const length = vpd.charCodeAt(3);
    const text = vpd.slice(4, 4 + length).trim();
    if (text !== '') return text;
  }
  return direct.missing === 'no-permission' || (typeof vpd !== 'string' && vpd.missing === 'no-permission') ? { missing: 'no-permission' } : { missing: 'absent' };
}

/**
 * Collects a snapshot of this Linux machine. Never throws for a missing
 * component: each reading says what was found or why not.
 *
 * @example
 * const snapshot = await collectLinuxSnapshot();
 * snapshot.osInstallId // '3d1219c7…' or { missing: 'absent' }
 */
export async function collectLinuxSnapshot(options: LinuxCollectOptions = {}): Promise<MachineSnapshot> {
  const root = options.root ?? '/';
  const dmi = (file: string) => join(root, 'sys/class/dmi/id', file);
  const mountinfo = await readText(join(root, 'proc/self/mountinfo'));
  const [systemUuid, systemSerial, boardSerial, osInstallId, cpuinfo, network, bootDisk, dmiVendor, dmiProduct, hypervisorType, dockerenv, containerenv, cgroup, uidMap] =
    await Promise.all([
      readValue(dmi('product_uuid')),
      readFirstValue([dmi('product_serial'), join(root, 'sys/firmware/devicetree/base/serial-number')]),
      readValue(dmi('board_serial')),
      readFirstValue([join(root, 'etc/machine-id'), join(root, 'var/lib/dbus/machine-id')]),
      readHead(join(root, 'proc/cpuinfo'), 16384),
      readNetwork(root),
      findBootDisk(root, mountinfo ?? ''),
      readValue(dmi('sys_vendor')),
      readValue(dmi('product_name')),
      readValue(join(root, 'sys/hypervisor/type')),
      exists(join(root, '.dockerenv')),
      exists(join(root, 'run/.containerenv')),
      readText(join(root, 'proc/self/cgroup')),
      readText(join(root, 'proc/self/uid_map')),
    ]);
  const diskSerial: Reading = bootDisk === undefined ? { missing: 'absent' } : await readDiskSerial(root, bootDisk);
  const parsedCpu = typeof cpuinfo === 'string' ? parseCpuinfo(cpuinfo) : { cpu: cpuinfo, hypervisorFlag: false };
  const evidence: { -readonly [K in keyof EnvironmentEvidence]: EnvironmentEvidence[K] } = {
    hypervisorFlag: parsedCpu.hypervisorFlag,
    dockerenv,
    containerenv,
  };
  if (typeof dmiVendor === 'string') evidence.dmiVendor = dmiVendor;
  if (typeof dmiProduct === 'string') evidence.dmiProduct = dmiProduct;
  if (typeof hypervisorType === 'string') evidence.hypervisorType = hypervisorType;
  if (cgroup !== undefined) evidence.cgroup = cgroup.slice(0, 65536);
  if (uidMap !== undefined) evidence.uidMap = uidMap.slice(0, 4096);
  if (mountinfo !== undefined) {
    const relevant = mountinfo.split('\n').filter((line) => {
      const mount = parseMountinfoLine(line);
      return mount !== undefined && isRelevantMountPoint(mount.mountPoint);
    });
    evidence.mountinfo = relevant.join('\n').slice(0, 65536);
  }
  return {
    v: 1,
    platform: 'linux',
    source: 'sysfs',
    systemUuid,
    systemSerial,
    boardSerial,
    diskSerial,
    ...(bootDisk === undefined ? {} : { diskName: bootDisk }),
    network,
    osInstallId,
    cpu: parsedCpu.cpu,
    evidence,
  };
}
