/**
 * The cross-platform collector for Windows, macOS and other systems, built on
 * systeminformation. Loaded with a dynamic import, so Linux (which reads sysfs
 * directly) never pays for it. systeminformation spawns processes (wmic,
 * PowerShell, ioreg); each call runs in parallel and a failing one only marks
 * its own components `unreadable`.
 */
import type { CpuReading, MachineSnapshot, NetworkInterfaceReading, Reading } from '../snapshot.ts';

type SystemInformation = typeof import('systeminformation');

async function attempt<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch {
    return undefined;
  }
}

/** A string from a systeminformation field: `unreadable` when the call failed, `absent` when empty. */
function reading(value: string | undefined | null, callFailed: boolean): Reading {
  if (callFailed) return { missing: 'unreadable' };
  const text = (value ?? '').trim();
  return text === '' ? { missing: 'absent' } : text;
}

/**
 * Collects a snapshot with systeminformation. The boot disk is the first fixed,
 * non-USB disk systeminformation lists (disk 0 on Windows).
 *
 * @example
 * const snapshot = await collectWithSysteminformation();
 */
export async function collectWithSysteminformation(platform: string = process.platform): Promise<MachineSnapshot> {
  const module = (await import('systeminformation')) as SystemInformation & { default?: SystemInformation };
  const si = module.default ?? module;
  const [system, board, ids, disks, nics, cpu] = await Promise.all([
    attempt(() => si.system()),
    attempt(() => si.baseboard()),
    attempt(() => si.uuid()),
    attempt(() => si.diskLayout()),
    attempt(() => si.networkInterfaces()),
    attempt(() => si.cpu()),
  ]);
  const disk = disks?.find((d) => !/usb/i.test(d.interfaceType) && !/removable/i.test(d.type) && d.serialNum.trim() !== '') ?? disks?.[0];
  const network: NetworkInterfaceReading[] = (Array.isArray(nics) ? nics : []).map((nic) => ({
    name: nic.ifaceName || nic.iface,
    mac: nic.mac,
    physical: !nic.virtual && !nic.internal && nic.type !== 'virtual',
    usb: /\busb\b/i.test(`${nic.ifaceName} ${nic.iface}`),
    wireless: nic.type === 'wireless',
    up: nic.operstate === 'up',
  }));
  const cpuReading: CpuReading | { missing: 'unreadable' } =
    cpu === undefined
      ? { missing: 'unreadable' }
      : { vendor: cpu.vendor || cpu.manufacturer, model: cpu.brand, family: cpu.family, modelNumber: cpu.model, stepping: cpu.stepping };
  return {
    v: 1,
    platform,
    source: 'systeminformation',
    systemUuid: reading(system?.uuid || ids?.hardware, system === undefined && ids === undefined),
    systemSerial: reading(system?.serial, system === undefined),
    boardSerial: reading(board?.serial, board === undefined),
    diskSerial: reading(disk?.serialNum, disks === undefined),
    ...(disk === undefined ? {} : { diskName: disk.name || disk.device }),
    network,
    osInstallId: reading(ids?.os, ids === undefined),
    cpu: cpuReading,
    evidence: {
      ...(system === undefined ? {} : { dmiVendor: system.manufacturer, dmiProduct: system.model, reportedVirtual: system.virtual }),
    },
  };
}
