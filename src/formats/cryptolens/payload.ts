/**
 * Maps a VERIFIED Cryptolens SignMethod=1 payload (the JSON inside the base64
 * `licenseKey`) to the neutral `License`; Cryptolens-only fields go to
 * `claims` ({@link CryptolensClaims}). Dates are Unix seconds in
 * current files and zone-less ISO strings (UTC) in 2017-era files. Field names
 * are matched case-insensitively; known fields with the wrong type are refused
 * (`ERR_PAYLOAD_INVALID`), unknown ones are kept in `extra`. Only OWN
 * properties are read: prototype pollution elsewhere in the host never
 * supplies a missing claim.
 */
import { isRealDateTime } from '../../lib/calendar.ts';
import { LicenseInputError } from '../../lib/errors.ts';
import { lowerKeyIndex } from './field-names.ts';
import { NO_RECORD, type ActivatedMachine, type FeatureFlag, type License, type Party } from '../../license/model.ts';
import type { CryptolensClaims, CryptolensDataObject } from './claims.ts';
import { templateEntitlements } from './template.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function fail(message: string): never {
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `license payload: ${message}`);
}

/** A null-prototype copy of an object's entries, so `__proto__` keys stay plain data. */
function plainRecord(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: false, configurable: false });
  return Object.freeze(out);
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$/;
const MAX_SECONDS = 8.64e12;

/** Parses a Cryptolens date: Unix seconds, or an ISO string (zone-less means UTC). */
export function parseCryptolensDate(value: Json | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > MAX_SECONDS) fail(`${field} is not a valid Unix time`);
    return new Date(value * 1000);
  }
  if (typeof value === 'string') {
    const m = ISO_LOCAL.exec(value);
    if (!m) fail(`${field} is neither Unix seconds nor an ISO-8601 date`);
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
    if (!isRealDateTime(year, month, day, hour, minute, second)) fail(`${field} is not a real date`);
    const fraction = m[7] ? m[7].slice(0, 4).padEnd(4, '0') : '.000';
    const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}${m[8] ?? 'Z'}`);
    if (Number.isNaN(ms)) fail(`${field} is not a real date`);
    return new Date(ms);
  }
  fail(`${field} must be a number or a string`);
}

/**
 * Reads one JSON object's fields by name, case-insensitively. The fast path
 * (every key spelt exactly as Cryptolens writes it) costs one Set lookup a key;
 * any other key builds the lower-case index, which also refuses two keys that
 * differ only in case.
 */
class Fields {
  private index: Map<string, string> | null = null;
  private readonly used: Set<string> | null;
  constructor(readonly object: JsonObject, readonly where: string, known: ReadonlySet<string>) {
    let exact = true;
    // `for…in` also walks inherited enumerable names: an inherited one is not a key of this object.
    for (const k in object) {
      if (!known.has(k) && Object.hasOwn(object, k)) {
        exact = false;
        break;
      }
    }
    if (!exact) this.index = lowerKeyIndex(object, where, fail);
    this.used = exact ? null : new Set();
  }
  /** The OWN field `name` (an inherited value, e.g. from a polluted `Object.prototype`, is never a claim). */
  get(name: string): Json | undefined {
    if (this.index === null) return Object.hasOwn(this.object, name) ? this.object[name] : undefined;
    const actual = this.index.get(name.toLowerCase()); // names are ASCII literals
    if (actual === undefined) return undefined;
    this.used!.add(actual);
    return this.object[actual];
  }
  int(name: string): number | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${this.where}.${name} must be an integer`);
    return v;
  }
  str(name: string): string | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') fail(`${this.where}.${name} must be a string`);
    return v;
  }
  bool(name: string): boolean | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (typeof v !== 'boolean') fail(`${this.where}.${name} must be true or false`);
    return v;
  }
  date(name: string): Date | null {
    return parseCryptolensDate(this.get(name), `${this.where}.${name}`);
  }
  array(name: string): Json[] | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) fail(`${this.where}.${name} must be an array`);
    return v;
  }
  object_(name: string): JsonObject | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v)) fail(`${this.where}.${name} must be an object`);
    return v;
  }
  /** Fields not read by name (kept verbatim, never fatal). */
  rest(): Record<string, unknown> {
    if (this.used === null) return NO_EXTRA;
    return plainRecord(Object.keys(this.object).filter((k) => !this.used!.has(k)).map((k) => [k, this.object[k]]));
  }
}

const NO_EXTRA: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);
const LICENSE_KEYS = new Set(['ProductId', 'ID', 'Key', 'Created', 'Expires', 'Period', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'Notes', 'Block', 'GlobalId', 'Customer', 'ActivatedMachines', 'TrialActivation', 'MaxNoOfMachines', 'AllowedMachines', 'DataObjects', 'Reseller', 'SignDate']);
const PARTY_KEYS = new Set(['Id', 'Name', 'Email', 'CompanyName', 'Created']);
const MACHINE_KEYS = new Set(['Mid', 'IP', 'Time', 'FriendlyName', 'FloatingExpires']);
const DATA_OBJECT_KEYS = new Set(['Id', 'Name', 'StringValue', 'IntValue']);

function asObject(value: Json, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} must be an object`);
  return value;
}

function party(value: JsonObject | null, where: string): Party | null {
  if (!value) return null;
  const f = new Fields(value, where, PARTY_KEYS);
  return Object.freeze({
    id: f.int('Id'),
    name: f.str('Name'),
    email: f.str('Email'),
    companyName: f.str('CompanyName'),
    created: f.date('Created'),
    extra: f.rest(),
  });
}

function machine(value: Json, where: string): ActivatedMachine {
  const f = new Fields(asObject(value, where), where, MACHINE_KEYS);
  const mid = f.str('Mid') ?? '';
  const overdraft = mid.startsWith('floating:overdraft:');
  const floating = mid.startsWith('floating:');
  const floatingExpires = f.date('FloatingExpires');
  return Object.freeze({
    mid,
    machineCode: overdraft ? mid.slice(19) : floating ? mid.slice(9) : mid,
    floating,
    overdraft,
    ip: f.str('IP'),
    time: f.date('Time'),
    friendlyName: f.str('FriendlyName'),
    // Cryptolens writes 0 for "no floating expiry".
    floatingExpires: floatingExpires && floatingExpires.getTime() !== 0 ? floatingExpires : null,
  });
}

function dataObject(value: Json, where: string): CryptolensDataObject {
  const f = new Fields(asObject(value, where), where, DATA_OBJECT_KEYS);
  return Object.freeze({ id: f.int('Id'), name: f.str('Name'), stringValue: f.str('StringValue'), intValue: f.int('IntValue') });
}

/** Splits Cryptolens' newline-separated AllowedMachines field. */
export function splitAllowedMachines(text: string | null): string[] | null {
  if (text === null) return null;
  return text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Maps a parsed, verified payload object to a `License`. */
export function mapCryptolensPayload(payload: unknown): License {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) fail('must be a JSON object');
  const f = new Fields(payload as JsonObject, 'LicenseKey', LICENSE_KEYS);
  // A fixed-shape literal (fast properties), not a null-prototype dictionary: it is read on every check.
  const features: Record<FeatureFlag, boolean | null> = {
    F1: f.bool('F1'),
    F2: f.bool('F2'),
    F3: f.bool('F3'),
    F4: f.bool('F4'),
    F5: f.bool('F5'),
    F6: f.bool('F6'),
    F7: f.bool('F7'),
    F8: f.bool('F8'),
  };
  const machines = f.array('ActivatedMachines');
  const data = f.array('DataObjects');
  const productId = f.int('ProductId');
  const dataObjects = data ? Object.freeze(data.map((d, i) => dataObject(d, `DataObjects[${i}]`))) : null;
  // Read before rest(): every Cryptolens field is claimed by the neutral model or by `claims`.
  const neutral = {
    id: f.int('ID'),
    key: f.str('Key'),
    created: f.date('Created'),
    expires: f.date('Expires'),
    notes: f.str('Notes'),
    block: f.bool('Block'),
    customer: party(f.object_('Customer'), 'Customer'),
    activatedMachines: machines ? Object.freeze(machines.map((m, i) => machine(m, `ActivatedMachines[${i}]`))) : null,
    maxNoOfMachines: f.int('MaxNoOfMachines'),
    allowedMachines: ((v) => (v ? Object.freeze(v) : null))(splitAllowedMachines(f.str('AllowedMachines'))),
    signDate: f.date('SignDate'),
  };
  const claims: CryptolensClaims = Object.freeze({
    period: f.int('Period'),
    globalId: f.int('GlobalId'),
    trialActivation: f.bool('TrialActivation'),
    dataObjects,
    reseller: party(f.object_('Reseller'), 'Reseller'),
    extra: f.rest(),
  });
  const license: License = {
    format: 'cryptolens',
    id: neutral.id,
    key: neutral.key,
    productId,
    product: productId === null ? null : String(productId),
    issuer: null,
    created: neutral.created,
    notBefore: null,
    expires: neutral.expires,
    signDate: neutral.signDate,
    maxSignatureAgeSeconds: null,
    features: Object.freeze(features),
    entitlements: templateEntitlements(dataObjects),
    block: neutral.block,
    activatedMachines: neutral.activatedMachines,
    allowedMachines: neutral.allowedMachines,
    maxNoOfMachines: neutral.maxNoOfMachines,
    fingerprint: null,
    floatingLeaseSeconds: null,
    customer: neutral.customer,
    notes: neutral.notes,
    metadata: NO_RECORD,
    claims: claims as unknown as Readonly<Record<string, unknown>>,
  };
  return license;
}
