/**
 * The recorded fingerprint: the compact, JSON-serialisable form a vendor stores
 * in a license at activation (for example in a data object or the notes), and a
 * strict parser for it. It holds salted hashes of the components that read `ok`,
 * nothing else.
 *
 * Format, version 1 (keys in display order, single hashes as strings):
 * `{"v":1,"components":{"system-uuid":"<32 hex>","mac":["<32 hex>","<32 hex>"],…}}`
 */
import { FingerprintError } from '../lib/errors.ts';
import { COMPONENT_NAMES, isComponentName, type ComponentName } from './components.ts';
import type { Fingerprint } from './fingerprint.ts';
import { COMPONENT_HASH_HEX_LENGTH } from './hash.ts';

/** A fingerprint as stored in a license: component name → salted hashes. */
export interface RecordedFingerprint {
  readonly v: 1;
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
 * Keeps the `ok` components of a fingerprint, for storing at activation.
 *
 * @example
 * const stored = serializeFingerprint(recordFingerprint(await fingerprint({ product: 'acme-cad' })));
 */
export function recordFingerprint(fingerprint: Fingerprint): RecordedFingerprint {
  const components: Partial<Record<ComponentName, readonly string[]>> = {};
  for (const component of fingerprint.components) {
    if (component.status === 'ok' && component.hashes.length > 0) {
      components[component.name] = Object.freeze([...component.hashes].sort().slice(0, MAX_HASHES_PER_COMPONENT));
    }
  }
  return Object.freeze({ v: 1, components: Object.freeze(components) });
}

/** Serialises a recorded fingerprint to compact JSON (single hashes written as strings). */
export function serializeFingerprint(recorded: RecordedFingerprint): string {
  const components: Record<string, string | string[]> = {};
  for (const name of COMPONENT_NAMES) {
    const hashes = recorded.components[name];
    if (hashes !== undefined && hashes.length > 0) components[name] = hashes.length === 1 ? hashes[0]! : [...hashes];
  }
  return JSON.stringify({ v: 1, components });
}

/**
 * Parses a recorded fingerprint strictly: a JSON string or an already parsed
 * value; version 1; only known component names; each value a 32-hex lower-case
 * hash or a non-empty array of at most 16 distinct ones; at most 4096 characters.
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_INVALID` on any deviation.
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
  if (record.v !== 1) invalid('expected "v": 1');
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
  return Object.freeze({ v: 1, components: Object.freeze(components) });
}
