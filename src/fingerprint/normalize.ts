/**
 * Normalisation of raw component values: trimming, case and separators, the
 * placeholder values firmware vendors ship instead of real serials, and the
 * rules that decide which network adapters identify a machine.
 */
import type { CpuReading, NetworkInterfaceReading } from './snapshot.ts';

/** A normalised value, or why the raw value was rejected as junk. */
export type Normalized = { readonly value: string } | { readonly junk: string };

/** Placeholders that firmware and OEM tools put where a serial or UUID belongs, in normalised form. */
export const JUNK_VALUES: ReadonlySet<string> = new Set(
  [
    'To be filled by O.E.M.',
    'To Be Filled By O.E.M.',
    'Default string',
    'Default_String',
    'Not Specified',
    'Not Applicable',
    'Not Available',
    'Not Present',
    'Not Defined',
    'Unspecified',
    'System Serial Number',
    'System Product Name',
    'Chassis Serial Number',
    'Base Board Serial Number',
    'Type2 - Board Serial Number',
    'Serial Number',
    'SerialNumber',
    'SN',
    'None',
    'N/A',
    'NA',
    'Null',
    'Unknown',
    'Invalid',
    'Empty',
    'OEM',
    'O.E.M.',
    'No Asset Tag',
    '123456789',
    '1234567890',
    '0123456789',
    '01234567890',
    '03000200-0400-0500-0006-000700080009',
    '00020003-0004-0005-0006-000700080009',
    'uninitialized',
  ].map(canonical),
);

/** Upper case with whitespace and the usual separators (`- _ : . / { }`) removed. */
export function canonical(raw: string): string {
  return raw.replace(/[\s\-_:./{}\u0000]+/g, '').toUpperCase();
}

/**
 * Normalises a serial number, UUID or install id: trims, removes separators,
 * upper-cases, and rejects placeholders (see {@link JUNK_VALUES}) and values made
 * of one repeated character (`00000000`, `FFFF…`, `XXXXXXX`, `0`).
 *
 * @example
 * normalizeIdentifier(' To be filled by O.E.M. ') // { junk: 'placeholder "To be filled by O.E.M."' }
 * normalizeIdentifier('4c4c4544-0042-3510-8052-b7c04f4d4432') // { value: '4C4C454400423510…' }
 */
export function normalizeIdentifier(raw: string): Normalized {
  const value = canonical(raw);
  const shown = raw.trim().slice(0, 60);
  if (value === '') return { junk: 'empty after trimming' };
  if (JUNK_VALUES.has(value)) return { junk: `placeholder "${shown}"` };
  if (/^(.)\1*$/.test(value)) return { junk: `repeated character "${shown}"` };
  if (value.startsWith('TOBEFILLED')) return { junk: `placeholder "${shown}"` };
  return { value };
}

/** Names of software interfaces that never identify a machine, whatever sysfs or the OS says. */
const VIRTUAL_INTERFACE_NAME =
  /^(lo\d*|docker\d*|veth.*|br-.*|virbr.*|vmnet\d*|vboxnet\d*|vnet\d*|tun\d*|tap.*|utun\d*|awdl\d*|llw\d*|anpi\d*|ap\d+|bridge\d*|gif\d*|stf\d*|wg\d*|zt.*|tailscale\d*|cni\d*|flannel.*|cali.*|kube-.*|podman\d*|lxcbr\d*|lxdbr\d*|ifb\d*|dummy\d*|bond\d*|team\d*|vxlan.*|genev.*|nlmon\d*|ip6tnl\d*|sit\d*|gre\d*|erspan\d*)$/i;
/** Windows and macOS display names of virtual adapters. */
const VIRTUAL_INTERFACE_LABEL = /(vEthernet|Hyper-V|VirtualBox|VMware|Virtual Adapter|Loopback|TAP-Windows|WireGuard|Npcap|Bluetooth|Teredo|isatap|Wi-Fi Direct|Microsoft Kernel Debug)/i;

/** Why an interface does not count, or the normalised MAC when it does. */
export type InterfaceVerdict =
  | { readonly kept: true; readonly mac: string }
  | { readonly kept: false; readonly reason: 'virtual' | 'usb' | 'not-permanent' | 'locally-administered' | 'multicast' | 'junk' };

/**
 * Normalises a MAC address to 12 upper-case hex digits (`0050569A1B2C`), or null
 * when it is not a MAC at all. Accepts `:`, `-`, `.` or no separators.
 */
export function canonicalMac(raw: string): string | null {
  const hex = raw.trim().replace(/[:\-.\s]/g, '').toUpperCase();
  return /^[0-9A-F]{12}$/.test(hex) ? hex : null;
}

/**
 * Decides whether a network interface identifies the machine. Dropped: virtual
 * interfaces (by name, label or a missing backing device), USB adapters (weak:
 * removable), addresses the OS marks as not permanent, locally administered
 * addresses (randomised Wi-Fi, Docker's 02:42:…, many hypervisors), multicast
 * and junk addresses. Link state is ignored: Wi-Fi switched off still counts.
 *
 * @example
 * classifyInterface({ name: 'docker0', mac: '02:42:ac:11:00:02' }) // { kept: false, reason: 'virtual' }
 * classifyInterface({ name: 'eno1', mac: '00:1b:21:3a:4f:10', physical: true }) // { kept: true, mac: '001B213A4F10' }
 */
export function classifyInterface(entry: NetworkInterfaceReading): InterfaceVerdict {
  if (entry.physical === false || VIRTUAL_INTERFACE_NAME.test(entry.name) || VIRTUAL_INTERFACE_LABEL.test(entry.name)) {
    return { kept: false, reason: 'virtual' };
  }
  if (entry.usb === true) return { kept: false, reason: 'usb' };
  const mac = canonicalMac(entry.mac);
  if (mac === null || /^(0{12}|F{12})$/.test(mac)) return { kept: false, reason: 'junk' };
  if (entry.permanent === false) return { kept: false, reason: 'not-permanent' };
  const firstOctet = Number.parseInt(mac.slice(0, 2), 16);
  if ((firstOctet & 0x01) !== 0) return { kept: false, reason: 'multicast' };
  if ((firstOctet & 0x02) !== 0) return { kept: false, reason: 'locally-administered' };
  return { kept: true, mac };
}

/**
 * Builds the CPU descriptor: vendor, family, model, stepping and the model name
 * with whitespace collapsed. Frequency readings and microcode are not part of it,
 * so it does not change with load or firmware updates.
 */
export function cpuDescriptor(cpu: CpuReading): Normalized {
  const parts = [cpu.vendor, cpu.family, cpu.modelNumber, cpu.stepping, cpu.model].map((part) => part.replace(/\s+/g, ' ').trim().toUpperCase());
  if (parts.every((part) => part === '')) return { junk: 'empty CPU description' };
  return { value: parts.join('|') };
}
