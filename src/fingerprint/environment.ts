/**
 * Virtual machine and container detection from the evidence a collector
 * gathered (CPU hypervisor flag, DMI vendor, /.dockerenv, cgroups), and signs
 * that the kernel's view was rewritten by the user (a user namespace, mounts
 * over the files the collector reads), so a policy can allow or refuse them.
 */
import type { EnvironmentEvidence } from './snapshot.ts';

/** Where the program runs. */
export interface Environment {
  /** True when a hypervisor is detected. */
  readonly virtualMachine: boolean;
  /** The hypervisor's name when known (`KVM`, `VMware`, …), `unknown` when only the CPU flag says so, else null. */
  readonly hypervisor: string | null;
  /** True when a container runtime is detected. */
  readonly container: boolean;
  /** The runtime's name when known (`docker`, `podman`, `kubernetes`, …), else null. */
  readonly containerRuntime: string | null;
  /**
   * True when the process runs in a user namespace (/proc/self/uid_map is not
   * the identity map `0 0 4294967295`): an unprivileged user can then mount
   * anything over the files the fingerprint is read from (`unshare -Urm`).
   */
  readonly userNamespace: boolean;
  /**
   * Mount points that lie over, or unexpectedly above, a path the collector
   * reads (a bind mount over /etc/machine-id, /sys/class/net, /proc/cpuinfo…),
   * sorted. Empty when none, or when mountinfo was not available.
   */
  readonly overlaidPaths: readonly string[];
  /** Human-readable clues that led to the verdict. */
  readonly evidence: readonly string[];
}

/**
 * The paths the Linux collector reads (files, or directories whose contents it
 * reads). A mount point equal to or under one of them, or a mount point above
 * one that is not one of the usual separate file systems, is reported in
 * {@link Environment.overlaidPaths}.
 */
export const COLLECTOR_READ_PATHS: readonly string[] = Object.freeze([
  '/etc/machine-id',
  '/var/lib/dbus/machine-id',
  '/proc/cpuinfo',
  '/proc/self/cgroup',
  '/proc/self/mountinfo',
  '/proc/self/uid_map',
  '/sys/class/dmi/id',
  '/sys/class/net',
  '/sys/class/block',
  '/sys/block',
  '/sys/dev/block',
  '/sys/devices',
  '/sys/firmware/devicetree/base/serial-number',
  '/sys/hypervisor/type',
  '/dev/disk/by-id',
  '/.dockerenv',
  '/run/.containerenv',
]);

/** Mount points that may sit above a read path: `/` and the usual separate file systems (with the type they must have, or any). */
const EXPECTED_ANCESTORS: ReadonlyMap<string, string | null> = new Map([
  ['/', null],
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
  ['/dev', null],
  ['/var', null],
  ['/run', null],
]);

/** Decodes the octal escapes mountinfo uses in paths (`\040` for a space). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** `{ mountPoint, fsType }` of one mountinfo line, or undefined when it is not one. */
export function parseMountinfoLine(line: string): { mountPoint: string; fsType: string } | undefined {
  const fields = line.trim().split(' ');
  const dash = fields.indexOf('-');
  if (fields.length < 5 || dash < 6 || dash + 1 >= fields.length) return undefined;
  return { mountPoint: unescapeMountPath(fields[4]!), fsType: fields[dash + 1]! };
}

const under = (path: string, parent: string) => path === parent || path.startsWith(parent === '/' ? '/' : `${parent}/`);

/** True when a mount point is a proper ancestor of, equal to, or under one of {@link COLLECTOR_READ_PATHS}: the mountinfo lines worth keeping. */
export function isRelevantMountPoint(mountPoint: string): boolean {
  return COLLECTOR_READ_PATHS.some((path) => under(path, mountPoint) || under(mountPoint, path));
}

/** The mount points over, or unexpectedly above, the collector's read paths. */
function overlaid(mountinfo: string): string[] {
  const found = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const mount = parseMountinfoLine(line);
    if (mount === undefined) continue;
    const { mountPoint, fsType } = mount;
    for (const path of COLLECTOR_READ_PATHS) {
      if (under(mountPoint, path)) found.add(mountPoint);
      else if (under(path, mountPoint)) {
        const expected = EXPECTED_ANCESTORS.get(mountPoint);
        if (!EXPECTED_ANCESTORS.has(mountPoint) || (expected !== null && expected !== fsType)) found.add(mountPoint);
      }
    }
  }
  return [...found].sort();
}

/** True when a /proc/self/uid_map text is not the initial namespace's identity map. */
function inUserNamespace(uidMap: string | undefined): boolean {
  if (uidMap === undefined) return false;
  return uidMap.trim().split(/\s+/).join(' ') !== '0 0 4294967295';
}

/** DMI vendor/product patterns of hypervisors, first match wins. */
const HYPERVISORS: ReadonlyArray<readonly [RegExp, string]> = [
  [/VMware/i, 'VMware'],
  [/VirtualBox|innotek/i, 'VirtualBox'],
  [/QEMU|Bochs/i, 'QEMU'],
  [/\bKVM\b/i, 'KVM'],
  [/Xen/i, 'Xen'],
  [/Parallels/i, 'Parallels'],
  [/Amazon EC2/i, 'Amazon EC2'],
  [/Google Compute Engine/i, 'Google Compute Engine'],
  [/OpenStack/i, 'OpenStack'],
  [/DigitalOcean/i, 'DigitalOcean'],
  [/Apple Virtualization|VirtualApple/i, 'Apple Virtualization'],
  [/Virtual Machine/i, 'Hyper-V'],
];

/** cgroup path fragments of container runtimes. */
const CONTAINER_CGROUPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/kubepods/, 'kubernetes'],
  [/libpod/, 'podman'],
  [/docker/, 'docker'],
  [/containerd/, 'containerd'],
  [/\/lxc[./]/, 'lxc'],
];

/**
 * Derives the environment from collected evidence. Pure: the same evidence gives
 * the same verdict, so fixtures can assert it.
 *
 * @example
 * environmentFromEvidence({ hypervisorFlag: true, dmiVendor: 'QEMU', dockerenv: true })
 * // { virtualMachine: true, hypervisor: 'QEMU', container: true, containerRuntime: 'docker', … }
 */
export function environmentFromEvidence(evidence: EnvironmentEvidence): Environment {
  const clues: string[] = [];
  let hypervisor: string | null = null;
  const dmi = `${evidence.dmiVendor ?? ''} ${evidence.dmiProduct ?? ''}`.trim();
  for (const [pattern, name] of HYPERVISORS) {
    if (dmi !== '' && pattern.test(dmi)) {
      hypervisor = name;
      clues.push(`DMI "${dmi}"`);
      break;
    }
  }
  if (hypervisor === null && evidence.hypervisorType !== undefined && evidence.hypervisorType.trim() !== '') {
    hypervisor = evidence.hypervisorType.trim();
    clues.push(`/sys/hypervisor/type "${hypervisor}"`);
  }
  if (evidence.hypervisorFlag === true) {
    clues.push('CPU hypervisor flag');
    hypervisor ??= 'unknown';
  }
  if (evidence.reportedVirtual === true) {
    clues.push('collector reports a virtual system');
    hypervisor ??= 'unknown';
  }

  let containerRuntime: string | null = null;
  if (evidence.dockerenv === true) {
    containerRuntime = 'docker';
    clues.push('/.dockerenv');
  }
  if (evidence.containerenv === true) {
    containerRuntime ??= 'podman';
    clues.push('/run/.containerenv');
  }
  if (evidence.cgroup !== undefined) {
    for (const [pattern, name] of CONTAINER_CGROUPS) {
      if (pattern.test(evidence.cgroup)) {
        containerRuntime = containerRuntime === null || name === 'kubernetes' ? name : containerRuntime;
        clues.push(`cgroup mentions ${name}`);
        break;
      }
    }
  }
  const userNamespace = inUserNamespace(evidence.uidMap);
  if (userNamespace) clues.push('user namespace (/proc/self/uid_map is not the identity map)');
  const overlaidPaths = evidence.mountinfo === undefined ? [] : overlaid(evidence.mountinfo);
  if (overlaidPaths.length > 0) clues.push(`mounts over read paths: ${overlaidPaths.join(', ')}`);
  return Object.freeze({
    virtualMachine: hypervisor !== null,
    hypervisor,
    container: containerRuntime !== null,
    containerRuntime,
    userNamespace,
    overlaidPaths: Object.freeze(overlaidPaths),
    evidence: Object.freeze(clues),
  });
}
