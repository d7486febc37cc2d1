/**
 * Virtual machine and container detection from the evidence a collector
 * gathered (CPU hypervisor flag, DMI vendor, /.dockerenv, cgroups), so a
 * policy can allow or refuse them.
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
  /** Human-readable clues that led to the verdict. */
  readonly evidence: readonly string[];
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
  return Object.freeze({
    virtualMachine: hypervisor !== null,
    hypervisor,
    container: containerRuntime !== null,
    containerRuntime,
    evidence: Object.freeze(clues),
  });
}
