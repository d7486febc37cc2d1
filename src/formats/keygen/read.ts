/**
 * Maps a VERIFIED (and decrypted) Keygen document to the neutral `License`.
 *
 * License and machine files hold a JSON:API document: `data` (the license, or
 * the machine), `included` (the license's entitlements, product, policy,
 * owner; a machine file's license), and `meta` (`issued`, `expiry`, `ttl`: when
 * this copy was made and how long it may be used). The mapping:
 *
 * - license `expiry` → `expires` (EXPIRED); `suspended`, or a status of
 *   `SUSPENDED` or `BANNED` → `block` (BLOCKED);
 * - `meta.issued` → `signDate`; `meta.expiry` (else `issued` + `ttl`) → the
 *   license's own maximum signature age (SIGNATURE_EXPIRED once the file's
 *   expiry has passed: Keygen's clients refuse a file past `meta.expiry`);
 * - included entitlements' `code`s → `entitlements` (`requireFeatures: ['CODE']`);
 * - a machine file's machine (its `fingerprint`), or a license file's included
 *   machines → `activatedMachines` (`machineCode: FINGERPRINT`), and the
 *   license's `maxMachines` → `maxNoOfMachines`;
 * - the product's id → `product`; the owner (or first user) → `customer`;
 *   `metadata` → `metadata`; everything else Keygen-only → `claims`
 *   ({@link KeygenClaims}).
 *
 * Only OWN properties are read; a known field of the wrong type is
 * `ERR_PAYLOAD_INVALID`.
 */
import { LicenseInputError } from '../../lib/errors.ts';
import { decodeUtf8 } from '../../lib/bytes.ts';
import { isRealDateTime } from '../../lib/calendar.ts';
import { NO_RECORD, UNBOUND_FIELDS, type ActivatedMachine, type FeatureFlag, type License, type Party } from '../../license/model.ts';
import type { KeygenKind } from './envelope.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Keygen's own view of a license, kept in `license.claims`. */
export interface KeygenClaims {
  /** `license` file, `machine` file, or signed `key`. */
  readonly kind: KeygenKind;
  /** The license's `status` as Keygen computed it when the file was made (`ACTIVE`, `EXPIRED`, `SUSPENDED`, `BANNED`…). */
  readonly status: string | null;
  readonly name: string | null;
  /** The policy's id, and its attributes when the file includes the policy. */
  readonly policy: Readonly<Record<string, unknown>> | null;
  /** The account's id. */
  readonly account: string | null;
  /** A machine file's machine (its attributes and id). */
  readonly machine: Readonly<Record<string, unknown>> | null;
  /** The file's `meta` (`issued`, `expiry`, `ttl`) as written. */
  readonly meta: Readonly<Record<string, unknown>> | null;
  /** The license's other attributes (limits such as `maxProcesses`, `floating`, `scheme`…), verbatim. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** A signed key's dataset, verbatim (its text when it is not JSON). */
  readonly dataset: unknown;
}

function fail(message: string): never {
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `Keygen payload: ${message}`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: JsonObject | null, name: string): Json | undefined {
  return object !== null && Object.hasOwn(object, name) ? object[name] : undefined;
}

function objectAt(object: JsonObject | null, name: string, where: string): JsonObject | null {
  const v = own(object, name);
  if (v === undefined || v === null) return null;
  if (!isObject(v)) fail(`${where}.${name} must be an object`);
  return v;
}

function stringAt(object: JsonObject | null, name: string, where: string): string | null {
  const v = own(object, name);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(`${where}.${name} must be a string`);
  return v;
}

function intAt(object: JsonObject | null, name: string, where: string): number | null {
  const v = own(object, name);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${where}.${name} must be a whole number >= 0`);
  return v;
}

function boolAt(object: JsonObject | null, name: string, where: string): boolean | null {
  const v = own(object, name);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') fail(`${where}.${name} must be true or false`);
  return v;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 date with a zone, as Keygen writes them. */
function dateAt(object: JsonObject | null, name: string, where: string): Date | null {
  const text = stringAt(object, name, where);
  if (text === null) return null;
  const m = ISO.exec(text);
  if (!m) fail(`${where}.${name} is not an ISO-8601 date and time`);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (!isRealDateTime(year, month, day, hour, minute, second)) fail(`${where}.${name} is not a real date`);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? m[7].slice(0, 4) : ''}${m[8]}`);
  if (Number.isNaN(ms)) fail(`${where}.${name} is not a real date`);
  return new Date(ms);
}

/** A null-prototype, frozen deep copy of JSON data: `__proto__` keys stay plain data, nothing is shared with the caller. */
function plain(value: Json | undefined): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return Object.freeze(value.map((v) => plain(v)));
  if (!isObject(value)) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(value)) Object.defineProperty(out, k, { value: plain(value[k]), enumerable: true });
  return Object.freeze(out);
}

function record(entries: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(entries)) Object.defineProperty(out, k, { value: entries[k], enumerable: true });
  return Object.freeze(out);
}

/** The id a to-one relationship names (`relationships.<name>.data.id`), or `null`. */
function relatedId(resource: JsonObject | null, name: string, where: string): string | null {
  const relationships = objectAt(resource, 'relationships', where);
  const rel = objectAt(relationships, name, `${where}.relationships`);
  const data = objectAt(rel, 'data', `${where}.relationships.${name}`);
  return stringAt(data, 'id', `${where}.relationships.${name}.data`);
}

/** The included resources of one type (each an object with `attributes`). */
function includedOf(included: readonly JsonObject[], type: string): JsonObject[] {
  return included.filter((r) => own(r, 'type') === type);
}

const NO_FEATURES: Readonly<Record<FeatureFlag, boolean | null>> = Object.freeze({ F1: false, F2: false, F3: false, F4: false, F5: false, F6: false, F7: false, F8: false });
const LICENSE_MAPPED = new Set(['key', 'expiry', 'status', 'suspended', 'name', 'maxMachines', 'metadata', 'created']);

function machineOf(machine: JsonObject, where: string): ActivatedMachine {
  const attributes = objectAt(machine, 'attributes', where);
  const fingerprint = stringAt(attributes, 'fingerprint', `${where}.attributes`);
  if (fingerprint === null) fail(`${where}.attributes.fingerprint is missing`);
  return Object.freeze({
    mid: fingerprint,
    machineCode: fingerprint,
    floating: false,
    overdraft: false,
    ip: stringAt(attributes, 'ip', `${where}.attributes`),
    time: dateAt(attributes, 'created', `${where}.attributes`),
    friendlyName: stringAt(attributes, 'name', `${where}.attributes`),
    floatingExpires: null,
  });
}

function customerOf(user: JsonObject | null): Party | null {
  if (user === null) return null;
  const a = objectAt(user, 'attributes', 'user');
  const first = stringAt(a, 'firstName', 'user.attributes');
  const last = stringAt(a, 'lastName', 'user.attributes');
  const full = stringAt(a, 'fullName', 'user.attributes') ?? ([first, last].filter((s) => s !== null).join(' ') || null);
  return Object.freeze({
    id: stringAt(user, 'id', 'user'),
    name: full,
    email: stringAt(a, 'email', 'user.attributes'),
    companyName: null,
    created: dateAt(a, 'created', 'user.attributes'),
    extra: plain(a ?? undefined) as Readonly<Record<string, unknown>>,
  });
}

/** The file's own maximum signature age, in seconds: up to `meta.expiry`, else `ttl`; `null` when it never expires. */
function fileAge(issued: Date | null, expiry: Date | null, ttl: number | null): number | null {
  if (expiry !== null) {
    if (issued === null) fail('meta.expiry is given without meta.issued');
    return Math.max(0, (expiry.getTime() - issued.getTime()) / 1000);
  }
  return ttl;
}

/** Parses verified JSON payload bytes. */
export function parseKeygenJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  if (text === null) fail('not UTF-8 text');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LicenseInputError('ERR_PAYLOAD_INVALID', `Keygen payload is not JSON (${(cause as Error).message})`, { cause });
  }
}

/** Maps a verified license or machine file document. */
export function mapKeygenDocument(doc: unknown, kind: 'license' | 'machine'): License {
  if (!isObject(doc)) fail('must be a JSON object');
  const data = objectAt(doc, 'data', 'document');
  if (data === null) fail('document.data is missing');
  const list = own(doc, 'included');
  if (list !== undefined && list !== null && !Array.isArray(list)) fail('document.included must be an array');
  const included: JsonObject[] = [];
  for (let i = 0; i < (list ?? []).length; i++) {
    const item = Object.hasOwn(list!, i) ? list![i] : undefined;
    if (!isObject(item)) fail(`document.included[${i}] must be an object`);
    included.push(item);
  }
  const expectedType = kind === 'machine' ? 'machines' : 'licenses';
  if (own(data, 'type') !== expectedType) fail(`a ${kind} file's data must be of type "${expectedType}"`);

  let license: JsonObject | null;
  let machines: ActivatedMachine[] | null;
  let machine: JsonObject | null = null;
  if (kind === 'machine') {
    machine = data;
    const licenseId = relatedId(data, 'license', 'data');
    license = includedOf(included, 'licenses').find((l) => licenseId === null || own(l, 'id') === licenseId) ?? null;
    machines = [machineOf(data, 'data')];
  } else {
    license = data;
    const listed = includedOf(included, 'machines');
    machines = listed.length === 0 ? null : listed.map((m, i) => machineOf(m, `included machines[${i}]`));
  }
  const attributes = objectAt(license, 'attributes', 'license');
  const where = 'license.attributes';
  const meta = objectAt(doc, 'meta', 'document');
  const issued = dateAt(meta, 'issued', 'meta');
  const fileExpiry = dateAt(meta, 'expiry', 'meta');
  const ttl = intAt(meta, 'ttl', 'meta');

  const entitlements: string[] = [];
  for (const e of includedOf(included, 'entitlements')) {
    const code = stringAt(objectAt(e, 'attributes', 'entitlement'), 'code', 'entitlement.attributes');
    if (code !== null && !entitlements.includes(code)) entitlements.push(code);
  }
  const status = stringAt(attributes, 'status', where);
  const suspended = boolAt(attributes, 'suspended', where);
  const ownerId = relatedId(license, 'owner', 'license') ?? relatedId(license, 'user', 'license');
  const users = includedOf(included, 'users');
  const owner = users.find((u) => own(u, 'id') === ownerId) ?? users[0] ?? null;
  const policyId = relatedId(license, 'policy', 'license');
  const policy = includedOf(included, 'policies').find((p) => own(p, 'id') === policyId) ?? null;
  const metadata = objectAt(attributes, 'metadata', where);
  // Null prototype: a signed attribute named `__proto__` is data to keep, not a prototype to set (and lose).
  const rest = Object.create(null) as Record<string, unknown>;
  if (attributes !== null) for (const k of Object.keys(attributes)) if (!LICENSE_MAPPED.has(k)) rest[k] = plain(attributes[k]);
  const productId = relatedId(license, 'product', 'license');

  const claims: KeygenClaims = Object.freeze({
    kind,
    status,
    name: stringAt(attributes, 'name', where),
    policy: policyId === null ? null : record({ id: policyId, ...(policy === null ? {} : { attributes: plain(own(policy, 'attributes')) }) }),
    account: relatedId(license ?? data, 'account', 'license'),
    machine: machine === null ? null : record({ id: plain(own(machine, 'id')), attributes: plain(own(machine, 'attributes')) }),
    meta: meta === null ? null : (plain(meta) as Readonly<Record<string, unknown>>),
    attributes: record(rest),
    dataset: null,
  });
  return {
    format: 'keygen',
    id: license === null ? relatedId(data, 'license', 'data') : stringAt(license, 'id', 'license'),
    key: stringAt(attributes, 'key', where),
    productId: null,
    product: productId,
    issuer: null,
    created: dateAt(attributes, 'created', where),
    notBefore: null,
    expires: dateAt(attributes, 'expiry', where),
    signDate: issued,
    maxSignatureAgeSeconds: fileAge(issued, fileExpiry, ttl),
    features: NO_FEATURES,
    entitlements: Object.freeze(entitlements),
    block: suspended === true || status === 'SUSPENDED' || status === 'BANNED',
    activatedMachines: machines === null ? null : Object.freeze(machines),
    allowedMachines: null,
    maxNoOfMachines: intAt(attributes, 'maxMachines', where),
    fingerprint: null,
    floatingLeaseSeconds: null,
    licenseeSecret: null,
    bindHwid: false,
    graceDays: null,
    customer: customerOf(owner),
    notes: null,
    metadata: metadata === null ? NO_RECORD : (plain(metadata) as Readonly<Record<string, unknown>>),
    claims: claims as unknown as Readonly<Record<string, unknown>>,
  };
}

/**
 * Maps a verified signed key's dataset. Keygen's examples embed JSON
 * `{account, product, policy, user, license: {id, created, expiry}}`; any other
 * dataset is kept verbatim in `claims.dataset`, and the license is the key.
 */
export function mapKeygenSignedKey(key: string, dataset: string): License {
  let doc: unknown = null;
  try {
    doc = JSON.parse(dataset);
  } catch {
    doc = null;
  }
  const json = isObject(doc) ? doc : null;
  const license = objectAt(json, 'license', 'dataset');
  const product = objectAt(json, 'product', 'dataset');
  const policy = objectAt(json, 'policy', 'dataset');
  const account = objectAt(json, 'account', 'dataset');
  const claims: KeygenClaims = Object.freeze({
    kind: 'key',
    status: null,
    name: null,
    policy: policy === null ? null : (plain(policy) as Readonly<Record<string, unknown>>),
    account: stringAt(account, 'id', 'dataset.account'),
    machine: null,
    meta: null,
    attributes: NO_RECORD,
    dataset: json === null ? dataset : plain(json),
  });
  return {
    format: 'keygen',
    id: stringAt(license, 'id', 'dataset.license'),
    key,
    productId: null,
    product: stringAt(product, 'id', 'dataset.product'),
    issuer: null,
    created: dateAt(license, 'created', 'dataset.license'),
    notBefore: null,
    expires: dateAt(license, 'expiry', 'dataset.license'),
    signDate: null,
    maxSignatureAgeSeconds: null,
    features: NO_FEATURES,
    entitlements: Object.freeze([]),
    block: false,
    ...UNBOUND_FIELDS,
    claims: claims as unknown as Readonly<Record<string, unknown>>,
  };
}
