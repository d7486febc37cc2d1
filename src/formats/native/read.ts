/**
 * A VERIFIED native payload (a CWT claims set) to the neutral `License`. Each
 * claim licensekit knows must have its documented type (`ERR_PAYLOAD_INVALID`
 * otherwise); claims it does not know are kept in `license.claims`, by key.
 */
import { toHex } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';
import { NO_RECORD, type ActivatedMachine, type FeatureFlag, type License, type Party } from '../../license/model.ts';
import { decodeCbor, type CborMap, type CborValue } from './cbor.ts';
import { NATIVE_CLAIMS, type ClaimName } from './claims.ts';

function fail(message: string): never {
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `native license claims: ${message}`);
}

/** Limits on the claims set: it is small. */
const PAYLOAD_LIMITS = { maxDepth: 12, maxItems: 4096 } as const;
/** Entitlements and machines a license may list. */
const MAX_LIST = 1024;
/** The latest date a claim may hold (the largest a JavaScript Date represents, in seconds). */
const MAX_SECONDS = 8.64e12;

/** Reads the claims set from the verified payload bytes. */
export function decodeClaims(payload: Uint8Array): CborMap {
  const { value } = decodeCbor(payload, PAYLOAD_LIMITS);
  if (!(value instanceof Map)) fail('the payload is not a CBOR map (a CWT claims set)');
  return value;
}

/** The claims licensekit knows, in NATIVE_CLAIMS' order: a claim's index here is its slot in {@link Claims}. */
const CLAIM_NAMES = Object.keys(NATIVE_CLAIMS) as ClaimName[];
/** Each claim's slot by name (a record of constants: `S.sub` is a plain property read). */
const S: Readonly<Record<ClaimName, number>> = Object.freeze(Object.fromEntries(CLAIM_NAMES.map((name, i) => [name, i])) as Record<ClaimName, number>);
/** Each known claim's slot by CBOR key. */
const SLOT_BY_KEY: ReadonlyMap<number | string, number> = new Map(CLAIM_NAMES.map((name, i) => [NATIVE_CLAIMS[name].key, i]));
const NO_SLOTS: readonly (CborValue | undefined)[] = CLAIM_NAMES.map(() => undefined);

/**
 * The claims set in slots, one per known claim (`undefined`: absent), so each claim is an array read instead of a
 * map lookup; the claims licensekit does not know stay in a map of their own.
 */
class Claims {
  constructor(
    readonly slots: (CborValue | undefined)[],
    readonly unknown: CborMap,
  ) {}
  raw(slot: number): CborValue | undefined {
    return this.slots[slot];
  }
  /** The claim's name and key, for a message. */
  private named(slot: number): string {
    const name = CLAIM_NAMES[slot]!;
    return `"${name}" (${NATIVE_CLAIMS[name].key})`;
  }
  text(slot: number): string | null {
    const v = this.slots[slot];
    if (v === undefined) return null;
    if (typeof v !== 'string') fail(`${this.named(slot)} must be text`);
    return v;
  }
  uint(slot: number): number | null {
    const v = this.slots[slot];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${this.named(slot)} must be an unsigned integer`);
    return v;
  }
  bool(slot: number): boolean | null {
    const v = this.slots[slot];
    if (v === undefined) return null;
    if (typeof v !== 'boolean') fail(`${this.named(slot)} must be true or false`);
    return v;
  }
  /** A NumericDate: seconds since the epoch, integer or float (RFC 8392 §2). */
  date(slot: number): Date | null {
    const v = this.slots[slot];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_SECONDS) fail(`${this.named(slot)} must be a NumericDate`);
    return new Date(Math.round(v * 1000));
  }
  texts(slot: number): readonly string[] | null {
    const v = this.slots[slot];
    if (v === undefined) return null;
    if (!Array.isArray(v) || v.length > MAX_LIST) fail(`${this.named(slot)} must be an array of at most ${MAX_LIST} non-empty text strings`);
    const list = v as readonly CborValue[];
    const out: string[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (typeof s !== 'string' || s.length === 0) fail(`${this.named(slot)} must be an array of at most ${MAX_LIST} non-empty text strings`);
      out[i] = s;
    }
    return Object.freeze(out);
  }
  map_(slot: number): CborMap | null {
    const v = this.slots[slot];
    if (v === undefined) return null;
    if (!(v instanceof Map)) fail(`${this.named(slot)} must be a map`);
    return v;
  }
}

/**
 * Sets `out[String(key)]`, refusing a second key with the same text (a map may
 * hold both the integer 1 and the text "1": distinct in CBOR, one name in a record).
 */
export function defineOnce(out: Record<string, unknown>, key: number | string, value: unknown): void {
  const name = typeof key === 'string' ? key : String(key);
  if (Object.hasOwn(out, name)) fail(`a map holds both ${typeof key === 'number' ? `the integer ${name} and the text` : `the text ${JSON.stringify(name)} and the integer`} of the same name`);
  // `out` has no prototype, so even "__proto__" is a plain own data property; the caller freezes `out`, which makes
  // every property what `defineProperty(out, name, { value, enumerable: true })` made it (read-only, not configurable).
  out[name] = value;
}

/** A CBOR value as plain data for `metadata` and `claims`: maps become null-prototype records, byte strings stay bytes. */
export function plain(value: CborValue): unknown {
  if (value instanceof Map) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of value) defineOnce(out, k, plain(v));
    return Object.freeze(out);
  }
  if (Array.isArray(value)) return Object.freeze(value.map(plain));
  if (value instanceof Uint8Array) return value.slice();
  return value;
}

/** The customer fields the License models (an integer key never is one: `String(1)` is no field name). */
const CUSTOMER_FIELDS: ReadonlySet<string> = new Set(['id', 'name', 'email', 'company']);

function customerField(map: CborMap, k: string): string | null {
  const v = map.get(k);
  if (v === undefined) return null;
  if (typeof v !== 'string') fail(`customer "${k}" must be text`);
  return v;
}

function customer(map: CborMap | null): Party | null {
  if (map === null) return null;
  // The fields the model does not name, first (a bad one is reported before a mistyped field); none: the shared empty record.
  let extra: Record<string, unknown> | null = null;
  map.forEach((v, k) => {
    if (typeof k === 'string' && CUSTOMER_FIELDS.has(k)) return;
    extra ??= Object.create(null) as Record<string, unknown>;
    defineOnce(extra, k, plain(v));
  });
  return Object.freeze({
    id: customerField(map, 'id'),
    name: customerField(map, 'name'),
    email: customerField(map, 'email'),
    companyName: customerField(map, 'company'),
    created: null,
    extra: extra === null ? NO_RECORD : Object.freeze(extra),
  });
}

/** The frozen flag record of each mask, made on first use and shared (plain data that cannot change). */
const FEATURES_BY_MASK: (Readonly<Record<FeatureFlag, boolean | null>> | undefined)[] = [];

function features(mask: number | null): Readonly<Record<FeatureFlag, boolean | null>> {
  if (mask !== null && mask > 0xff) fail('"features" is a mask of F1–F8 (0–255)');
  const m = mask ?? 0;
  return (FEATURES_BY_MASK[m] ??= Object.freeze({ F1: (m & 1) !== 0, F2: (m & 2) !== 0, F3: (m & 4) !== 0, F4: (m & 8) !== 0, F5: (m & 16) !== 0, F6: (m & 32) !== 0, F7: (m & 64) !== 0, F8: (m & 128) !== 0 }));
}

function machine(code: string, time: Date | null): ActivatedMachine {
  return Object.freeze({ mid: code, machineCode: code, floating: false, overdraft: false, ip: null, time, friendlyName: null, floatingExpires: null });
}

function machineList(codes: readonly string[], time: Date | null): readonly ActivatedMachine[] {
  const out: ActivatedMachine[] = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = machine(codes[i]!, time);
  return Object.freeze(out);
}

const SECRET_MODES = ['disabled', 'predefined', 'client'] as const;
/** Claims of vendor messages only. */
const MESSAGE_ONLY = ['resetCounter', 'revocationSequence', 'revoked', 'devicePublicKey'] as const;

/** Maps a verified claims set to the neutral License. */
export function readNativeLicense(map: CborMap): License {
  const slots = NO_SLOTS.slice();
  const unknown = new Map<number | string, CborValue>();
  map.forEach((value, key) => {
    const slot = SLOT_BY_KEY.get(key);
    if (slot === undefined) unknown.set(key, value);
    else slots[slot] = value;
  });
  return licenseOf(new Claims(slots, unknown));
}

/**
 * What {@link readNativeLicense} gives for `decodeClaims(payload)`, without the map in between: the decoder puts
 * each known claim straight into its slot (the same checks, errors and order; a repeated key is refused as ever).
 */
export function readNativeLicensePayload(payload: Uint8Array): License {
  const slots = NO_SLOTS.slice();
  const { value } = decodeCbor(payload, PAYLOAD_LIMITS, { slotOf: SLOT_BY_KEY, slots });
  if (!(value instanceof Map)) fail('the payload is not a CBOR map (a CWT claims set)');
  return licenseOf(new Claims(slots, value));
}

function licenseOf(c: Claims): License {
  const messageType = c.text(S.messageType);
  if (messageType !== null) fail(`this is a vendor ${JSON.stringify(messageType)} message, not a license (import it into the local state)`);
  for (const name of MESSAGE_ONLY) {
    if (c.raw(S[name]) !== undefined) fail(`"${name}" (${NATIVE_CLAIMS[name].key}) belongs to a message, never to a license`);
  }
  const mode = c.uint(S.licenseeSecretMode);
  if (mode !== null && mode > 2) fail('"licenseeSecretMode" must be 0 (disabled), 1 (predefined) or 2 (client)');
  const secretHash = c.raw(S.licenseeSecretHash);
  if (secretHash !== undefined && (!(secretHash instanceof Uint8Array) || secretHash.length !== 32)) fail('"licenseeSecretHash" must be 32 bytes');
  if (mode === 1 && secretHash === undefined) fail('a predefined licensee secret needs "licenseeSecretHash"');
  const cti = c.raw(S.cti);
  if (cti !== undefined && (!(cti instanceof Uint8Array) || cti.length === 0 || cti.length > 64)) fail('"cti" (7) must be 1 to 64 bytes');
  // An activation response's binding (read by the local state): checked here so a wrong type is never ignored.
  const nonce = c.raw(S.nonce);
  if (nonce !== undefined && (!(nonce instanceof Uint8Array) || nonce.length !== 16)) fail('"nonce" (-65580) must be 16 bytes');
  c.text(S.deviceKeyId);
  const aud = c.text(S.aud);
  // The product id: `aud` when it is the canonical decimal of an integer of at most 15 digits (/^(0|[1-9]\d{0,14})$/).
  const audNumber = Number(aud);
  const iat = c.date(S.iat);
  const machines = c.texts(S.machines);
  const allowed = c.texts(S.allowedMachines);
  const limit = c.uint(S.maxMachines);
  const metadata = c.map_(S.metadata);
  if (metadata !== null) for (const k of metadata.keys()) if (typeof k !== 'string') fail('"metadata" keys must be text');
  const mask = c.uint(S.features);
  // A license that names machines is node-locked unless it says 0 (as the issuer writes it).
  const listed = (machines?.length ?? 0) + (allowed?.length ?? 0);
  const license: License = {
    format: 'native',
    id: cti instanceof Uint8Array ? toHex(cti) : null,
    key: c.text(S.sub),
    productId: audNumber % 1 === 0 && audNumber >= 0 && audNumber < 1e15 && String(audNumber) === aud ? audNumber : null,
    product: aud,
    issuer: c.text(S.iss),
    created: c.date(S.issued) ?? iat,
    notBefore: c.date(S.nbf),
    expires: c.date(S.exp),
    signDate: iat,
    maxSignatureAgeSeconds: c.uint(S.maxOfflineAge),
    signatureExpires: null,
    features: features(mask),
    entitlements: c.texts(S.entitlements) ?? NONE,
    block: c.bool(S.blocked) ?? false,
    activatedMachines: machines ? machineList(machines, iat) : null,
    allowedMachines: allowed,
    maxNoOfMachines: limit ?? (listed === 0 ? 0 : Math.max(1, machines?.length ?? 0)),
    fingerprint: c.text(S.fingerprint),
    floatingLeaseSeconds: c.uint(S.floatingLease),
    licenseeSecret: mode === null ? null : Object.freeze({ mode: SECRET_MODES[mode]!, hash: mode === 1 ? (secretHash as Uint8Array).slice() : null }),
    bindHwid: c.bool(S.bindHwid) ?? false,
    graceDays: c.uint(S.graceDays),
    customer: customer(c.map_(S.customer)),
    notes: c.text(S.notes),
    metadata: metadata === null ? NO_RECORD : (plain(metadata) as Readonly<Record<string, unknown>>),
    claims: c.unknown.size > 0 ? (plain(c.unknown) as Readonly<Record<string, unknown>>) : NO_RECORD, // the claims licensekit does not model, by key
  };
  return license;
}

const NONE: readonly string[] = Object.freeze([]);
