/**
 * The reference for test/formats/native/read.test.ts: src/formats/native/read.ts as it was before the hot-path
 * work of issue 8 §5 (commit 44e0afb), verbatim but for its imports and its own copy of the old `toHex`. The
 * rewritten reader must give the same License, or the same error code and message, for every claims set.
 */
import { LicenseInputError } from '../../../src/lib/errors.ts';
import { NO_RECORD, type ActivatedMachine, type FeatureFlag, type License, type Party } from '../../../src/license/model.ts';
import { decodeCbor, type CborMap, type CborValue } from '../../../src/formats/native/cbor.ts';
import { CLAIM_BY_KEY, NATIVE_CLAIMS, type ClaimName } from '../../../src/formats/native/claims.ts';

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

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

class Claims {
  constructor(readonly map: CborMap) {}
  raw(name: ClaimName): CborValue | undefined {
    return this.map.get(NATIVE_CLAIMS[name].key);
  }
  text(name: ClaimName): string | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (typeof v !== 'string') fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be text`);
    return v;
  }
  uint(name: ClaimName): number | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be an unsigned integer`);
    return v;
  }
  bool(name: ClaimName): boolean | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (typeof v !== 'boolean') fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be true or false`);
    return v;
  }
  /** A NumericDate: seconds since the epoch, integer or float (RFC 8392 §2). */
  date(name: ClaimName): Date | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_SECONDS) fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be a NumericDate`);
    return new Date(Math.round(v * 1000));
  }
  texts(name: ClaimName): readonly string[] | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (!Array.isArray(v) || v.length > MAX_LIST || !v.every((s) => typeof s === 'string' && s.length > 0)) {
      fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be an array of at most ${MAX_LIST} non-empty text strings`);
    }
    return Object.freeze([...(v as string[])]);
  }
  map_(name: ClaimName): CborMap | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (!(v instanceof Map)) fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be a map`);
    return v;
  }
}

/**
 * Sets `out[String(key)]`, refusing a second key with the same text (a map may
 * hold both the integer 1 and the text "1": distinct in CBOR, one name in a record).
 */
export function defineOnce(out: Record<string, unknown>, key: number | string, value: unknown): void {
  const name = String(key);
  if (Object.hasOwn(out, name)) fail(`a map holds both ${typeof key === 'number' ? `the integer ${name} and the text` : `the text ${JSON.stringify(name)} and the integer`} of the same name`);
  Object.defineProperty(out, name, { value, enumerable: true });
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

function customer(map: CborMap | null): Party | null {
  if (map === null) return null;
  const field = (k: string): string | null => {
    const v = map.get(k);
    if (v === undefined) return null;
    if (typeof v !== 'string') fail(`customer "${k}" must be text`);
    return v;
  };
  const extra = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of map) if (typeof k !== 'string' || !CUSTOMER_FIELDS.has(k)) defineOnce(extra, k, plain(v));
  return Object.freeze({ id: field('id'), name: field('name'), email: field('email'), companyName: field('company'), created: null, extra: Object.freeze(extra) });
}

function features(mask: number | null): Readonly<Record<FeatureFlag, boolean | null>> {
  if (mask !== null && mask > 0xff) fail('"features" is a mask of F1–F8 (0–255)');
  const m = mask ?? 0;
  return Object.freeze({ F1: (m & 1) !== 0, F2: (m & 2) !== 0, F3: (m & 4) !== 0, F4: (m & 8) !== 0, F5: (m & 16) !== 0, F6: (m & 32) !== 0, F7: (m & 64) !== 0, F8: (m & 128) !== 0 });
}

function machine(code: string, time: Date | null): ActivatedMachine {
  return Object.freeze({ mid: code, machineCode: code, floating: false, overdraft: false, ip: null, time, friendlyName: null, floatingExpires: null });
}

/** The claims licensekit does not model, by their CBOR key (text keys as given). */
function unknownClaims(map: CborMap): Readonly<Record<string, unknown>> {
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of map) {
    if (typeof k === 'number' && CLAIM_BY_KEY.has(k)) continue;
    out ??= Object.create(null) as Record<string, unknown>;
    defineOnce(out, k, plain(v));
  }
  return out === null ? NO_RECORD : Object.freeze(out);
}

const SECRET_MODES = ['disabled', 'predefined', 'client'] as const;
/** Claims of vendor messages only. */
const MESSAGE_ONLY = ['resetCounter', 'revocationSequence', 'revoked', 'devicePublicKey'] as const;

/** Maps a verified claims set to the neutral License. */
export function readNativeLicense(map: CborMap): License {
  const c = new Claims(map);
  const messageType = c.text('messageType');
  if (messageType !== null) fail(`this is a vendor ${JSON.stringify(messageType)} message, not a license (import it into the local state)`);
  for (const name of MESSAGE_ONLY) {
    if (c.raw(name) !== undefined) fail(`"${name}" (${NATIVE_CLAIMS[name].key}) belongs to a message, never to a license`);
  }
  const mode = c.uint('licenseeSecretMode');
  if (mode !== null && mode > 2) fail('"licenseeSecretMode" must be 0 (disabled), 1 (predefined) or 2 (client)');
  const secretHash = c.raw('licenseeSecretHash');
  if (secretHash !== undefined && (!(secretHash instanceof Uint8Array) || secretHash.length !== 32)) fail('"licenseeSecretHash" must be 32 bytes');
  if (mode === 1 && secretHash === undefined) fail('a predefined licensee secret needs "licenseeSecretHash"');
  const cti = c.raw('cti');
  if (cti !== undefined && (!(cti instanceof Uint8Array) || cti.length === 0 || cti.length > 64)) fail('"cti" (7) must be 1 to 64 bytes');
  // An activation response's binding (read by the local state): checked here so a wrong type is never ignored.
  const nonce = c.raw('nonce');
  if (nonce !== undefined && (!(nonce instanceof Uint8Array) || nonce.length !== 16)) fail('"nonce" (-65580) must be 16 bytes');
  c.text('deviceKeyId');
  const aud = c.text('aud');
  const iat = c.date('iat');
  const machines = c.texts('machines');
  const allowed = c.texts('allowedMachines');
  const limit = c.uint('maxMachines');
  const metadata = c.map_('metadata');
  if (metadata !== null) for (const k of metadata.keys()) if (typeof k !== 'string') fail('"metadata" keys must be text');
  const mask = c.uint('features');
  // A license that names machines is node-locked unless it says 0 (as the issuer writes it).
  const listed = (machines?.length ?? 0) + (allowed?.length ?? 0);
  const license: License = {
    format: 'native',
    id: cti instanceof Uint8Array ? toHex(cti) : null,
    key: c.text('sub'),
    productId: aud !== null && /^(0|[1-9]\d{0,14})$/.test(aud) ? Number(aud) : null,
    product: aud,
    issuer: c.text('iss'),
    created: c.date('issued') ?? iat,
    notBefore: c.date('nbf'),
    expires: c.date('exp'),
    signDate: iat,
    maxSignatureAgeSeconds: c.uint('maxOfflineAge'),
    signatureExpires: null,
    features: features(mask),
    entitlements: c.texts('entitlements') ?? NONE,
    block: c.bool('blocked') ?? false,
    activatedMachines: machines ? Object.freeze(machines.map((m) => machine(m, iat))) : null,
    allowedMachines: allowed,
    maxNoOfMachines: limit ?? (listed === 0 ? 0 : Math.max(1, machines?.length ?? 0)),
    fingerprint: c.text('fingerprint'),
    floatingLeaseSeconds: c.uint('floatingLease'),
    licenseeSecret: mode === null ? null : Object.freeze({ mode: SECRET_MODES[mode]!, hash: mode === 1 ? (secretHash as Uint8Array).slice() : null }),
    bindHwid: c.bool('bindHwid') ?? false,
    graceDays: c.uint('graceDays'),
    customer: customer(c.map_('customer')),
    notes: c.text('notes'),
    metadata: metadata === null ? NO_RECORD : (plain(metadata) as Readonly<Record<string, unknown>>),
    claims: unknownClaims(map),
  };
  return license;
}

const NONE: readonly string[] = Object.freeze([]);
