/**
 * Maps a VERIFIED NetLicensing validation document to the neutral `License`:
 *
 * - the root's `ttl` (required) → `signatureExpires`: past it the file is
 *   SIGNATURE_EXPIRED (NetLicensing's own clients refuse it too);
 * - each `item` of type `ProductModuleValidation` is a product module, read
 *   from its `property` elements: `productModuleNumber` (required, unique),
 *   `valid` (`true`/`false`, required), `expires` (optional ISO-8601 UTC),
 *   `licensingModel`, `productModuleName`;
 * - the valid modules' numbers are the `entitlements` (`requireFeatures:
 *   ['Msb-DEMO']`); `block` is true when no module is valid (NetLicensing's
 *   own verdict: BLOCKED); `expires` is the earliest expiry of a valid module;
 *   `product` is the module number when the file holds exactly one module.
 * - Every item, its properties and nested `list`s, and the `infos`, are kept
 *   in `claims` ({@link NetLicensingClaims}). Two properties of one name in an
 *   item, two modules with one number, or an element outside this shape are
 *   `ERR_PAYLOAD_INVALID`.
 */
import { LicenseInputError } from '../../lib/errors.ts';
import { UNBOUND_FIELDS, type License } from '../../license/model.ts';
import { NETLICENSING_NS, type NetLicensingEnvelope } from './envelope.ts';
import { attribute, elementChildren, textOnly, type XmlElement } from './xml.ts';

/** One `item` (or nested `list`): its properties by name, and its lists. */
export interface NetLicensingItem {
  readonly type: string | null;
  readonly name: string | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly lists: readonly NetLicensingItem[];
}

/** One product module validation, as NetLicensing reports it. */
export interface NetLicensingModule {
  readonly productModuleNumber: string;
  readonly productModuleName: string | null;
  readonly licensingModel: string | null;
  readonly valid: boolean;
  readonly expires: Date | null;
}

/** What a NetLicensing license carries beyond the neutral model, in `license.claims`. */
export interface NetLicensingClaims {
  /** The file's offline validity bound. */
  readonly ttl: Date;
  readonly productModules: readonly NetLicensingModule[];
  /** Every item as written (product module validations included). */
  readonly items: readonly NetLicensingItem[];
  /** The `infos` messages: `{ id, type, text }`. */
  readonly infos: readonly Readonly<Record<string, string | null>>[];
}

function fail(message: string): never {
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `NetLicensing validation: ${message}`);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

function date(text: string, what: string): Date {
  const ms = ISO_UTC.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text.slice(0, 19)) fail(`${what} "${text}" is not an ISO-8601 UTC date`);
  return new Date(ms);
}

function only(element: XmlElement, names: readonly string[], what: string): void {
  for (const a of element.attributes) if (!names.includes(a.name)) fail(`${what} has the unexpected attribute "${a.name}"`);
  if (element.namespace !== NETLICENSING_NS) fail(`${element.qname} is not in the NetLicensing namespace`);
}

function item(element: XmlElement, depth: number): NetLicensingItem {
  const isList = element.localName === 'list';
  only(element, isList ? ['name'] : ['type'], element.qname);
  if (element.children.some((c) => c.type === 'text')) fail(`${element.qname} holds text`);
  const properties = Object.create(null) as Record<string, string>;
  const lists: NetLicensingItem[] = [];
  for (const child of elementChildren(element)) {
    if (child.localName === 'property') {
      only(child, ['name'], 'property');
      const name = attribute(child, 'name');
      if (name === undefined) fail('a property without a name');
      if (Object.hasOwn(properties, name)) fail(`two "${name}" properties in one ${element.localName}`);
      Object.defineProperty(properties, name, { value: textOnly(child, `property "${name}"`), enumerable: true });
    } else if (child.localName === 'list' && depth < 4) lists.push(item(child, depth + 1));
    else fail(`unexpected ${child.qname} in ${element.qname}`);
  }
  return Object.freeze({ type: isList ? null : attribute(element, 'type') ?? null, name: isList ? attribute(element, 'name') ?? null : null, properties: Object.freeze(properties), lists: Object.freeze(lists) });
}

function module(it: NetLicensingItem): NetLicensingModule {
  const p = it.properties;
  const number = p.productModuleNumber;
  if (number === undefined || number === '') fail('a ProductModuleValidation without productModuleNumber');
  const valid = p.valid;
  if (valid !== 'true' && valid !== 'false') fail(`module ${number}: "valid" must be true or false`);
  return Object.freeze({
    productModuleNumber: number,
    productModuleName: p.productModuleName ?? null,
    licensingModel: p.licensingModel ?? null,
    valid: valid === 'true',
    expires: p.expires === undefined ? null : date(p.expires, `module ${number}: expires`),
  });
}

/** The neutral license from a verified NetLicensing envelope. */
export function readNetLicensing(envelope: NetLicensingEnvelope): License {
  const { root } = envelope.document;
  const ttlText = attribute(root, 'ttl');
  if (ttlText === undefined) fail('the root has no "ttl" (its offline validity)');
  if (root.attributes.length !== 1) fail('the root may carry only "ttl"');
  const ttl = date(ttlText, 'ttl');
  const items: NetLicensingItem[] = [];
  const infos: Readonly<Record<string, string | null>>[] = [];
  for (const part of elementChildren(root)) {
    if (part.localName === 'items') {
      only(part, [], 'items');
      for (const it of elementChildren(part)) {
        if (it.localName !== 'item') fail(`unexpected ${it.qname} in items`);
        items.push(item(it, 0));
      }
    } else if (part.localName === 'infos') {
      only(part, [], 'infos');
      for (const info of elementChildren(part)) {
        if (info.localName !== 'info') fail(`unexpected ${info.qname} in infos`);
        only(info, ['id', 'type'], 'info');
        infos.push(Object.freeze({ id: attribute(info, 'id') ?? null, type: attribute(info, 'type') ?? null, text: textOnly(info, 'info') }));
      }
    }
  }
  const modules = items.filter((i) => i.type === 'ProductModuleValidation').map(module);
  const numbers = new Set<string>();
  for (const m of modules) {
    if (numbers.has(m.productModuleNumber)) fail(`two validations of module ${m.productModuleNumber}`);
    numbers.add(m.productModuleNumber);
  }
  const valid = modules.filter((m) => m.valid);
  let expires: Date | null = null;
  for (const m of valid) if (m.expires !== null && (expires === null || m.expires < expires)) expires = m.expires;
  const claims: NetLicensingClaims = Object.freeze({ ttl, productModules: Object.freeze(modules), items: Object.freeze(items), infos: Object.freeze(infos) });
  return {
    format: 'netlicensing',
    id: null,
    key: null,
    productId: null,
    product: modules.length === 1 ? modules[0]!.productModuleNumber : null,
    issuer: null,
    created: null,
    notBefore: null,
    expires,
    signDate: null,
    maxSignatureAgeSeconds: null,
    signatureExpires: ttl,
    features: Object.freeze({ F1: null, F2: null, F3: null, F4: null, F5: null, F6: null, F7: null, F8: null }),
    entitlements: Object.freeze(valid.map((m) => m.productModuleNumber)),
    block: modules.length === 0 ? null : valid.length === 0,
    ...UNBOUND_FIELDS,
    claims: claims as unknown as Readonly<Record<string, unknown>>,
  };
}

export { netlicensingClaims } from './claims.ts';
