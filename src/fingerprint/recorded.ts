/**
 * The recorded fingerprint: the compact, JSON-serialisable form a vendor stores
 * in a license at activation (for example in a data object or the notes), and a
 * strict parser for it. It holds salted hashes of the components that read `ok`,
 * nothing else.
 *
 * Format, version 2 (keys in display order, single hashes as strings):
 * `{"v":2,"components":{"system-uuid":"<32 hex>","mac":["<32 hex>","<32 hex>"],…}}`
 * Version 2 hashes identifying components with scrypt (see `COMPONENT_KDF` in
 * hash.ts). Version 1 (plain HMAC-SHA-256, brute-forceable for MACs and
 * serials) is refused with `ERR_FINGERPRINT_INVALID` saying so: its hashes can
 * never equal version 2 hashes, so the fingerprint must be recorded again.
 */
import { FingerprintError } from '../lib/errors.ts';
import { COMPONENTS, COMPONENT_NAMES, isComponentName, type ComponentName } from './components.ts';
import type { Fingerprint } from './fingerprint.ts';
import { COMPONENT_HASH_HEX_LENGTH } from './hash.ts';

/** A fingerprint as stored in a license: component name → salted hashes. */
export interface RecordedFingerprint {
  readonly v: 2;
  readonly components: Readonly<Partial<Record<ComponentName, readonly string[]>>>;
}

/** Largest serialised recorded fingerprint {@link parseRecordedFingerprint} accepts, in characters. */
export const MAX_RECORDED_LENGTH = 4096;
/** Most hashes one component may hold (adapters for `mac`). */
export const MAX_HASHES_PER_COMPONENT = 16;

const HASH = new RegExp(`^[0-9a-f]{${COMPONENT_HASH_HEX_LENGTH}}$`);

function invalid(message: string): never {
  throw new FingerprintError('ERR_FINGERPRINT_INVALID', `recorded fingerprint: ${message}`);
}

/**
 * Least identifying weight (component weights, the CPU descriptor excluded) a
 * fingerprint must carry to be recorded, and that {@link matchFingerprint}
 * requires of a recorded one: the system UUID alone (30), or two other
 * identifying components (a machine-id and a disk serial: 35). A machine-id
 * alone (20, copied with every image) or one MAC set (15) binds to nothing.
 */
export const MIN_RECORDED_WEIGHT = 30;

/** Options of {@link recordFingerprint}. */
export interface RecordOptions {
  /** Least identifying weight to record; default {@link MIN_RECORDED_WEIGHT}. Lowering it is the vendor's explicit choice. */
  readonly minimumWeight?: number;
  /** Require at least one hardware component (not only the OS install id). Default true. */
  readonly requireHardware?: boolean;
}

/** The `ok` components of a fingerprint, as stored: name → sorted hashes. No strength check (matching does its own). */
export function recordedComponents(fingerprint: Fingerprint): RecordedFingerprint {
  const components: Partial<Record<ComponentName, readonly string[]>> = {};
  for (const component of fingerprint.components) {
    if (component.status === 'ok' && component.hashes.length > 0) {
      components[component.name] = Object.freeze([...component.hashes].sort().slice(0, MAX_HASHES_PER_COMPONENT));
    }
  }
  return Object.freeze({ v: 2, components: Object.freeze(components) });
}

/** The identifying (non-descriptor) weight a recorded fingerprint carries under `weights`, and whether it holds a hardware component. */
export function recordedStrength(
  recorded: RecordedFingerprint,
  weights: Readonly<Record<ComponentName, number>> = Object.fromEntries(COMPONENT_NAMES.map((n) => [n, COMPONENTS[n].weight])) as Record<ComponentName, number>,
): { readonly weight: number; readonly hardware: boolean } {
  let weight = 0;
  let hardware = false;
  for (const name of COMPONENT_NAMES) {
    if (recorded.components[name] === undefined || COMPONENTS[name].kind === 'descriptor' || weights[name] === 0) continue;
    weight += weights[name];
    if (COMPONENTS[name].kind === 'hardware') hardware = true;
  }
  return { weight, hardware };
}

/**
 * Keeps the `ok` components of a fingerprint, for storing at activation.
 * Refuses a fingerprint too weak to bind a license to one machine: less than
 * {@link MIN_RECORDED_WEIGHT} of identifying weight, or no hardware component
 * (a container that sees only its copied machine-id and the CPU model).
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_TOO_WEAK` naming what was readable.
 * @throws {RangeError} when an option is invalid.
 * @example
 * const stored = serializeFingerprint(recordFingerprint(await fingerprint({ product: 'acme-cad' })));
 */
export function recordFingerprint(fingerprint: Fingerprint, options: RecordOptions = {}): RecordedFingerprint {
  const minimum = options.minimumWeight ?? MIN_RECORDED_WEIGHT;
  if (typeof minimum !== 'number' || !Number.isFinite(minimum) || minimum <= 0) throw new RangeError(`"minimumWeight" expected a finite number > 0, got ${String(minimum)}`);
  const recorded = recordedComponents(fingerprint);
  const strength = recordedStrength(recorded);
  const needHardware = options.requireHardware ?? true;
  if (strength.weight < minimum || (needHardware && !strength.hardware)) {
    const readable = Object.keys(recorded.components);
    throw new FingerprintError(
      'ERR_FINGERPRINT_TOO_WEAK',
      `fingerprint too weak to record: readable [${readable.join(', ')}] carry identifying weight ${strength.weight} (at least ${minimum} needed)${needHardware && !strength.hardware ? ' and no hardware component' : ''}; another machine could match it`,
    );
  }
  return recorded;
}

/** Serialises a recorded fingerprint to compact JSON (single hashes written as strings). */
export function serializeFingerprint(recorded: RecordedFingerprint): string {
  const components: Record<string, string | string[]> = {};
  for (const name of COMPONENT_NAMES) {
    const hashes = recorded.components[name];
    if (hashes !== undefined && hashes.length > 0) components[name] = hashes.length === 1 ? hashes[0]! : [...hashes];
  }
  return JSON.stringify({ v: 2, components });
}

/**
 * Parses a recorded fingerprint strictly: a JSON string or an already parsed
 * value; version 2; only known component names; each value a 32-hex lower-case
 * hash or a non-empty array of at most 16 distinct ones; at most 4096 characters.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_INVALID` on any deviation, and
 *   for a version 1 fingerprint (unstretched hashes: record it again).
 */
export function parseRecordedFingerprint(input: unknown): RecordedFingerprint {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_RECORDED_LENGTH) invalid(`longer than ${MAX_RECORDED_LENGTH} characters`);
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new FingerprintError('ERR_FINGERPRINT_INVALID', 'recorded fingerprint: not JSON', { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('expected an object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'v' && key !== 'components') invalid(`unknown field "${key}"`);
  if (record.v === 1) invalid('version 1 (unstretched HMAC hashes, written by earlier licensekit versions) is no longer accepted: its hashes never equal version 2 hashes; record the fingerprint again');
  if (record.v !== 2) invalid('expected "v": 2');
  const raw = record.components;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid('"components" expected an object');
  const components: Partial<Record<ComponentName, readonly string[]>> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (!isComponentName(name)) invalid(`unknown component "${name.slice(0, 40)}"`);
    const hashes = typeof entry === 'string' ? [entry] : entry;
    if (!Array.isArray(hashes) || hashes.length === 0 || hashes.length > MAX_HASHES_PER_COMPONENT) {
      invalid(`"${name}" expected a hash or 1 to ${MAX_HASHES_PER_COMPONENT} hashes`);
    }
    for (const hash of hashes) {
      if (typeof hash !== 'string' || !HASH.test(hash)) invalid(`"${name}" expected ${COMPONENT_HASH_HEX_LENGTH} lower-case hex characters`);
    }
    if (new Set(hashes).size !== hashes.length) invalid(`"${name}" repeats a hash`);
    components[name] = Object.freeze([...(hashes as string[])].sort());
  }
  return Object.freeze({ v: 2, components: Object.freeze(components) });
}
