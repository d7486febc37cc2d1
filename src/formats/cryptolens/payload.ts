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
import { asciiLowerCase, lowerKeyIndex } from './field-names.ts';
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

/** @internal The fields licensekit reads from one kind of Cryptolens object, each at a fixed slot. */
export class Shape {
  readonly slots: ReadonlyMap<string, number>;
  readonly lower: readonly string[];
  readonly lowerSet: ReadonlySet<string>;
  readonly empty: readonly undefined[];
  /**
   * The last exact key order seen and where each key goes. Files from one
   * issuer spell their objects the same way, so the next object is usually
   * checked by comparing its keys with these (interned strings: one
   * comparison each) and read with one `Object.values`.
   */
  lastKeys: readonly string[] = [];
  lastSlots: readonly number[] = [];
  /** True when `lastKeys` are exactly `names`, in order: `Object.values` is then the slots as they are. */
  lastInOrder = false;
  constructor(readonly names: readonly string[]) {
    this.slots = new Map(names.map((n, i) => [n, i]));
    this.lower = names.map((n) => n.toLowerCase()); // the names are ASCII literals
    this.lowerSet = new Set(this.lower);
    this.empty = names.map(() => undefined);
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One JSON object's fields, read once into slots, case-insensitively. The fast
 * path (every own key spelt exactly as Cryptolens writes it) is one pass over
 * the own keys with one Map lookup each; any other key builds the lower-case
 * index, which also refuses two keys that differ only in case. Only OWN
 * properties are read (an inherited value, e.g. from a polluted
 * `Object.prototype`, is never a claim).
 */
class Fields {
  private readonly values: (Json | undefined)[];
  private readonly exact: boolean;
  /** `where` names the object in messages; with `index` ≥ 0 it is an array's, `where[index]` (built only for a message). */
  constructor(readonly object: JsonObject, private readonly where: string, private readonly index: number, private readonly shape: Shape) {
    if (object instanceof SlottedObject) {
      // Read into this shape's slots already (exact-payload.ts), every key spelt exactly.
      this.values = object.values as (Json | undefined)[];
      this.exact = true;
      return;
    }
    const keys = Object.keys(object);
    let values: (Json | undefined)[] | null = null;
    if (sameKeys(keys, shape.lastKeys)) {
      const own = Object.values(object) as Json[];
      if (own.length === keys.length) {
        if (shape.lastInOrder) values = own;
        else {
          values = shape.empty.slice() as (Json | undefined)[];
          const slots = shape.lastSlots;
          for (let i = 0; i < own.length; i++) values[slots[i]!] = own[i];
        }
      }
    }
    let exact = true;
    if (values === null) {
      values = shape.empty.slice() as (Json | undefined)[];
      const slots: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const slot = shape.slots.get(k);
        if (slot === undefined) {
          exact = false;
          break;
        }
        slots.push(slot);
        values[slot] = object[k];
      }
      if (exact) {
        shape.lastKeys = keys;
        shape.lastSlots = slots;
        shape.lastInOrder = sameKeys(keys, shape.names);
      } else {
        const index = lowerKeyIndex(object, this.label(), fail);
        for (let i = 0; i < shape.lower.length; i++) {
          const actual = index.get(shape.lower[i]!);
          values[i] = actual === undefined ? undefined : object[actual];
        }
      }
    }
    this.values = values;
    this.exact = exact;
  }
  private label(): string {
    return this.index < 0 ? this.where : `${this.where}[${this.index}]`;
  }
  private name(slot: number): string {
    return `${this.label()}.${this.shape.names[slot]!}`;
  }
  int(slot: number): number | null {
    const v = this.values[slot];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${this.name(slot)} must be an integer`);
    return v;
  }
  str(slot: number): string | null {
    const v = this.values[slot];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') fail(`${this.name(slot)} must be a string`);
    return v;
  }
  bool(slot: number): boolean | null {
    const v = this.values[slot];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'boolean') fail(`${this.name(slot)} must be true or false`);
    return v;
  }
  /** True when the field is the number 0. */
  isZero(slot: number): boolean {
    return this.values[slot] === 0;
  }
  date(slot: number): Date | null {
    const v = this.values[slot];
    if (v === null || v === undefined) return null;
    // Unix seconds, the usual form, without building the field's name for a message.
    if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_SECONDS) return new Date(v * 1000);
    return parseCryptolensDate(v, this.name(slot));
  }
  array(slot: number): Json[] | null {
    const v = this.values[slot];
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) fail(`${this.name(slot)} must be an array`);
    return v;
  }
  object_(slot: number): JsonObject | null {
    const v = this.values[slot];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v)) fail(`${this.name(slot)} must be an object`);
    return v;
  }
  /** Fields that are none of the shape's (kept verbatim, never fatal). */
  rest(): Record<string, unknown> {
    if (this.exact) return NO_EXTRA;
    const lowerSet = this.shape.lowerSet;
    return plainRecord(Object.keys(this.object).filter((k) => !lowerSet.has(asciiLowerCase(k))).map((k) => [k, this.object[k]]));
  }
}

/**
 * @internal A JSON object of a known shape already read into its slots (by exact-payload.ts, for Node's entry), in
 * place of the object `JSON.parse` would give: `Fields` then takes the slots as they are. Only keys spelt exactly as
 * the shape's names, each at most once, are read so; the object's fields are then the same either way.
 */
export class SlottedObject {
  constructor(readonly values: (Json | SlottedObject | SlottedObject[] | undefined)[]) {}
}

const NO_EXTRA: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);
/** @internal The shape of a Cryptolens license payload. */
export const LICENSE = new Shape(['ProductId', 'ID', 'Key', 'Created', 'Expires', 'Period', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'Notes', 'Block', 'GlobalId', 'Customer', 'ActivatedMachines', 'TrialActivation', 'MaxNoOfMachines', 'AllowedMachines', 'DataObjects', 'Reseller', 'SignDate']);
const [L_PRODUCT_ID, L_ID, L_KEY, L_CREATED, L_EXPIRES, L_PERIOD, L_F1, L_F2, L_F3, L_F4, L_F5, L_F6, L_F7, L_F8, L_NOTES, L_BLOCK, L_GLOBAL_ID, L_CUSTOMER, L_MACHINES, L_TRIAL, L_MAX_MACHINES, L_ALLOWED, L_DATA, L_RESELLER, L_SIGN_DATE] = LICENSE.names.map((_, i) => i) as number[];
/** @internal The shapes of a payload's customer and reseller, activated machines and data objects. */
export const PARTY = new Shape(['Id', 'Name', 'Email', 'CompanyName', 'Created']);
export const MACHINE = new Shape(['Mid', 'IP', 'Time', 'FriendlyName', 'FloatingExpires']);
export const DATA_OBJECT = new Shape(['Id', 'Name', 'StringValue', 'IntValue']);

function asObject(value: Json, where: string, index: number): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where}[${index}] must be an object`);
  return value;
}

function party(value: JsonObject | null, where: string): Party | null {
  if (!value) return null;
  const f = new Fields(value, where, -1, PARTY);
  return Object.freeze({ id: f.int(0), name: f.str(1), email: f.str(2), companyName: f.str(3), created: f.date(4), extra: f.rest() });
}

function machine(value: Json, where: string, index: number): ActivatedMachine {
  const f = new Fields(asObject(value, where, index), where, index, MACHINE);
  const mid = f.str(0) ?? '';
  const overdraft = mid.startsWith('floating:overdraft:');
  const floating = overdraft || mid.startsWith('floating:');
  // Cryptolens writes 0 for "no floating expiry": no Date is made for it.
  const floatingExpires = f.isZero(4) ? null : f.date(4);
  const ip = f.str(1);
  const time = f.date(2);
  const friendlyName = f.str(3);
  return Object.freeze({
    mid,
    machineCode: overdraft ? mid.slice(19) : floating ? mid.slice(9) : mid,
    floating,
    overdraft,
    ip,
    time,
    friendlyName,
    // The same "no floating expiry" written as a date (1970-01-01T00:00:00).
    floatingExpires: floatingExpires && floatingExpires.getTime() !== 0 ? floatingExpires : null,
  });
}

function dataObject(value: Json, where: string, index: number): CryptolensDataObject {
  const f = new Fields(asObject(value, where, index), where, index, DATA_OBJECT);
  return Object.freeze({ id: f.int(0), name: f.str(1), stringValue: f.str(2), intValue: f.int(3) });
}

function mapArray<T>(items: Json[] | null, where: string, read: (value: Json, where: string, index: number) => T): readonly T[] | null {
  if (items === null) return null;
  const out = new Array<T>(items.length); // exactly as long (a push would reserve 17 places)
  // Own elements only: a hole reads as `undefined` (refused by `read`), never as an inherited index.
  for (let i = 0; i < items.length; i++) out[i] = read(Object.hasOwn(items, i) ? items[i]! : (undefined as unknown as Json), where, i);
  return Object.freeze(out);
}

/** Splits Cryptolens' newline-separated AllowedMachines field. */
export function splitAllowedMachines(text: string | null): string[] | null {
  if (text === null) return null;
  return text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

const NO_MACHINES: readonly string[] = Object.freeze([]);

/** Maps a parsed, verified payload object to a `License`. */
export function mapCryptolensPayload(payload: unknown): License {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) fail('must be a JSON object');
  const f = new Fields(payload as JsonObject, 'LicenseKey', -1, LICENSE);
  // A fixed-shape literal (fast properties), not a null-prototype dictionary: it is read on every check.
  const features: Record<FeatureFlag, boolean | null> = Object.freeze({
    F1: f.bool(L_F1!),
    F2: f.bool(L_F2!),
    F3: f.bool(L_F3!),
    F4: f.bool(L_F4!),
    F5: f.bool(L_F5!),
    F6: f.bool(L_F6!),
    F7: f.bool(L_F7!),
    F8: f.bool(L_F8!),
  });
  const machines = f.array(L_MACHINES!);
  const data = f.array(L_DATA!);
  const productId = f.int(L_PRODUCT_ID!);
  const dataObjects = mapArray(data, 'DataObjects', dataObject);
  // Every Cryptolens field is claimed by the neutral model or by `claims`; read in this order so the first bad field is the one reported.
  const id = f.int(L_ID!);
  const key = f.str(L_KEY!);
  const created = f.date(L_CREATED!);
  const expires = f.date(L_EXPIRES!);
  const notes = f.str(L_NOTES!);
  const block = f.bool(L_BLOCK!);
  const customer = party(f.object_(L_CUSTOMER!), 'Customer');
  const activatedMachines = mapArray(machines, 'ActivatedMachines', machine);
  const maxNoOfMachines = f.int(L_MAX_MACHINES!);
  const allowedText = f.str(L_ALLOWED!);
  const allowed = allowedText === '' ? NO_MACHINES : splitAllowedMachines(allowedText);
  const signDate = f.date(L_SIGN_DATE!);
  const claims: CryptolensClaims = Object.freeze({
    period: f.int(L_PERIOD!),
    globalId: f.int(L_GLOBAL_ID!),
    trialActivation: f.bool(L_TRIAL!),
    dataObjects,
    reseller: party(f.object_(L_RESELLER!), 'Reseller'),
    extra: f.rest(),
  });
  return {
    format: 'cryptolens',
    id,
    key,
    productId,
    product: productId === null ? null : String(productId),
    issuer: null,
    created,
    notBefore: null,
    expires,
    signDate,
    maxSignatureAgeSeconds: null,
    signatureExpires: null,
    features,
    entitlements: templateEntitlements(dataObjects),
    block,
    activatedMachines,
    // An empty list is shared: frozen, so no license can change another's.
    allowedMachines: allowed === null || allowed === NO_MACHINES ? allowed : allowed.length === 0 ? NO_MACHINES : Object.freeze(allowed),
    maxNoOfMachines,
    fingerprint: null,
    floatingLeaseSeconds: null,
    licenseeSecret: null,
    bindHwid: false,
    graceDays: null,
    customer,
    notes,
    metadata: NO_RECORD,
    claims: claims as unknown as Readonly<Record<string, unknown>>,
  };
}
