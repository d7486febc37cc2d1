/**
 * The identity components a fingerprint is made of: their names, what kind of
 * evidence each is, the weight it carries in tolerant matching, and which ones a
 * platform only lets privileged users read. One table, so collectors, matching,
 * the machine code and the CLI agree.
 */

/** Names of the identity components, in display order. */
export const COMPONENT_NAMES = [
  'system-uuid',
  'system-serial',
  'board-serial',
  'disk-serial',
  'mac',
  'os-install-id',
  'cpu',
] as const;

/** One identity component's name. */
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/**
 * What a component identifies: `hardware` (this physical or virtual machine), `os`
 * (this installation; a cloned image shares it) or `descriptor` (a model, shared by
 * every machine of the same kind; never identifying on its own).
 */
export type ComponentKind = 'hardware' | 'os' | 'descriptor';

/** Static facts about one component. */
export interface ComponentSpec {
  readonly name: ComponentName;
  readonly kind: ComponentKind;
  /** Default weight in weighted matching. */
  readonly weight: number;
  /** Human label for tables. */
  readonly label: string;
}

/** The component table. Weights sum to 115; the system UUID weighs most because it breaks clones. */
export const COMPONENTS: Readonly<Record<ComponentName, ComponentSpec>> = Object.freeze({
  'system-uuid': { name: 'system-uuid', kind: 'hardware', weight: 30, label: 'SMBIOS system UUID' },
  'system-serial': { name: 'system-serial', kind: 'hardware', weight: 15, label: 'system serial number' },
  'board-serial': { name: 'board-serial', kind: 'hardware', weight: 15, label: 'baseboard serial number' },
  'disk-serial': { name: 'disk-serial', kind: 'hardware', weight: 15, label: 'boot disk serial number' },
  mac: { name: 'mac', kind: 'hardware', weight: 15, label: 'permanent MACs of physical adapters' },
  'os-install-id': { name: 'os-install-id', kind: 'os', weight: 20, label: 'OS installation id' },
  cpu: { name: 'cpu', kind: 'descriptor', weight: 5, label: 'CPU descriptor' },
});

/**
 * Components that only a privileged user can read on a platform (Linux keeps the
 * DMI serials and UUID root-only). They are left out of the machine code so it
 * is the same whether or not the program runs as root.
 */
export function isPrivilegedComponent(platform: string, name: ComponentName): boolean {
  return platform === 'linux' && (name === 'system-uuid' || name === 'system-serial' || name === 'board-serial');
}

/** True when `value` is one of {@link COMPONENT_NAMES}. */
export function isComponentName(value: string): value is ComponentName {
  return (COMPONENT_NAMES as readonly string[]).includes(value);
}
