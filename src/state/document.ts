/**
 * The state document: what an installed program remembers between runs, as
 * CBOR, versioned, and sealed with a MAC.
 *
 *     sealed = [version, body: bstr, mac: bstr]     (CBOR array)
 *     mac    = HMAC-SHA-256(key, body)
 *     key    = HMAC-SHA-256("licensekit state v1", vendorKeyId ‖ 0 ‖ program ‖ 0 ‖ machineCode)
 *
 * The MAC is checked over the body's exact bytes before anything in it is
 * read, and the body is then read with the strict CBOR reader. What the MAC
 * stops: a hand-edited file, and a state copied from another machine (the key
 * includes this machine's code) or from another program or vendor key. What it
 * cannot stop: someone who reads the program's code learns how the key is
 * derived and can seal a state of their own; the MAC makes tampering work, not
 * impossible.
 */
import { Encoder } from 'cbor-x';
import { encodeUtf8 } from '../lib/bytes.ts';
import { hmacSha256 } from '../lib/hmac.ts';
import { StateError } from '../lib/errors.ts';
import { decodeCbor, type CborMap, type CborValue } from '../formats/native/cbor.ts';
import { sameHash } from '../license/secret.ts';

/** The document version this licensekit writes. */
export const STATE_VERSION = 1;

/** One license the state holds. */
export interface StoredLicense {
  /** The license exactly as it was received (text or bytes), re-verified at every check. */
  readonly license: Uint8Array;
  /** A client-mode licensee secret's salted hash, once bound. */
  readonly secretHash: Uint8Array | null;
  /** The HWID's salted hash, once bound. */
  readonly hwidHash: Uint8Array | null;
  /** The last reset counter imported for this license (0: none). */
  readonly resetCounter: number;
  /** When it was activated (epoch ms, the check's `now`). */
  readonly activatedAtMs: number;
}

/** The stored revocation list. */
export interface StoredRevocations {
  readonly sequence: number;
  readonly issuedAtMs: number;
  readonly revoked: readonly string[];
}

/** This state's device key (offline activation): an Ed25519 key pair generated once. */
export interface DeviceKeyPair {
  /** The 32-byte private seed: never leaves the sealed document. */
  readonly seed: Uint8Array;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
}

/** An activation request this state made and has not seen answered yet. */
export interface PendingRequest {
  /** 16 random bytes; usable once. */
  readonly nonce: Uint8Array;
  /** The license key the request asks for. */
  readonly licenseKey: string;
  /** When it was made (epoch ms). */
  readonly atMs: number;
}

/** A request nonce whose response was activated (kept so a replay is named as such). */
export interface UsedNonce {
  readonly nonce: Uint8Array;
  readonly atMs: number;
}

/** Most pending requests a state keeps (the oldest is dropped first). */
export const MAX_PENDING_REQUESTS = 16;
/** Most used nonces a state remembers (the oldest is dropped first; a replay of a forgotten one is then an unknown nonce, still refused). */
export const MAX_USED_NONCES = 64;

/** Everything the state remembers. */
export interface StateDocument {
  readonly version: number;
  readonly program: string;
  readonly vendorKeyId: string;
  /** The latest trusted time seen (epoch ms; 0 when none yet). Never moves back, except to a newer vendor-signed time. */
  readonly trustedTimeMs: number;
  /** The signing time of the newest vendor-signed message or license imported (epoch ms; 0 when none). */
  readonly vendorSignedMs: number;
  /** Licenses by license key. */
  readonly licenses: ReadonlyMap<string, StoredLicense>;
  readonly revocations: StoredRevocations | null;
  /** The device key, once a request made it (absent: none yet; what is absent is left out, so an unsealed document equals the sealed one). */
  readonly device?: DeviceKeyPair | null;
  /** Requests made and not yet answered, oldest first (at most {@link MAX_PENDING_REQUESTS}). */
  readonly pendingRequests?: readonly PendingRequest[];
  /** Nonces of requests already activated, oldest first (at most {@link MAX_USED_NONCES}). */
  readonly usedNonces?: readonly UsedNonce[];
  /** How many activation requests this state made (absent: none); the next one is numbered one more (see `sequencedNonce`). */
  readonly requestCount?: number;
}

/** An empty document for a program and vendor key. */
export function emptyDocument(program: string, vendorKeyId: string): StateDocument {
  return { version: STATE_VERSION, program, vendorKeyId, trustedTimeMs: 0, vendorSignedMs: 0, licenses: new Map(), revocations: null };
}

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });
const LABEL = encodeUtf8('licensekit state v1');

/** The MAC key of a state: bound to the vendor key, the program and this machine. */
export function stateMacKey(vendorKeyId: string, program: string, machineCode: string): Uint8Array {
  return hmacSha256(LABEL, encodeUtf8(`${vendorKeyId}\u0000${program}\u0000${machineCode}`));
}

function encodeBody(doc: StateDocument): Uint8Array {
  const licenses = new Map<string, unknown>();
  for (const [key, l] of [...doc.licenses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const entry = new Map<string, unknown>([
      ['license', l.license],
      ['reset', l.resetCounter],
      ['at', l.activatedAtMs],
    ]);
    if (l.secretHash) entry.set('secret', l.secretHash);
    if (l.hwidHash) entry.set('hwid', l.hwidHash);
    licenses.set(key, entry);
  }
  const body = new Map<string, unknown>([
    ['program', doc.program],
    ['kid', doc.vendorKeyId],
    ['mark', doc.trustedTimeMs],
    ['vendorMark', doc.vendorSignedMs],
    ['licenses', licenses],
  ]);
  if (doc.revocations) body.set('revocations', new Map<string, unknown>([['seq', doc.revocations.sequence], ['at', doc.revocations.issuedAtMs], ['revoked', [...doc.revocations.revoked]]]));
  if (doc.device) body.set('device', new Map<string, unknown>([['seed', doc.device.seed], ['pub', doc.device.publicKey]]));
  if (doc.pendingRequests && doc.pendingRequests.length > 0) {
    body.set('pending', doc.pendingRequests.map((p) => new Map<string, unknown>([['nonce', p.nonce], ['key', p.licenseKey], ['at', p.atMs]])));
  }
  if (doc.requestCount) body.set('requests', doc.requestCount);
  if (doc.usedNonces && doc.usedNonces.length > 0) body.set('used', doc.usedNonces.map((u) => new Map<string, unknown>([['nonce', u.nonce], ['at', u.atMs]])));
  return Uint8Array.from(encoder.encode(body));
}

/** Seals a document: `[version, body, mac]`. */
export function sealDocument(doc: StateDocument, macKey: Uint8Array): Uint8Array {
  const body = encodeBody(doc);
  return Uint8Array.from(encoder.encode([STATE_VERSION, body, hmacSha256(macKey, body)]));
}

/** Why a sealed document was refused. */
export type UnsealProblem = 'malformed' | 'tampered' | 'newer-version' | 'other-program';

/** The document, or why it cannot be trusted. */
export type Unsealed = { readonly ok: true; readonly document: StateDocument } | { readonly ok: false; readonly problem: UnsealProblem; readonly detail: string };

const LIMITS = { maxDepth: 8, maxItems: 1_000_000 } as const;

function corrupt(detail: string): never {
  throw new StateError('ERR_STATE_CORRUPT', `state document: ${detail}`);
}

function field(map: CborMap, name: string): CborValue | undefined {
  return map.get(name);
}
function uint(map: CborMap, name: string): number {
  const v = field(map, name);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) corrupt(`"${name}" must be an unsigned integer`);
  return v;
}
function text(map: CborMap, name: string): string {
  const v = field(map, name);
  if (typeof v !== 'string') corrupt(`"${name}" must be text`);
  return v;
}
function hash(map: CborMap, name: string, length = 32): Uint8Array | null {
  const v = field(map, name);
  if (v === undefined) return null;
  if (!(v instanceof Uint8Array) || v.length !== length) corrupt(`"${name}" must be ${length} bytes`);
  return v.slice();
}
function required(map: CborMap, name: string, length: number): Uint8Array {
  return hash(map, name, length) ?? corrupt(`"${name}" is missing`);
}
/** A list of maps (pending requests, used nonces), at most `max` long. */
function entries(map: CborMap, name: string, max: number): CborMap[] {
  const v = field(map, name);
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max || !v.every((e) => e instanceof Map)) corrupt(`"${name}" must be a list of at most ${max} entries`);
  return v as CborMap[];
}

/** Reads a verified body (its MAC matched). */
function decodeBody(body: Uint8Array): StateDocument {
  const { value } = decodeCbor(body, LIMITS);
  if (!(value instanceof Map)) corrupt('the body is not a map');
  const licensesMap = field(value, 'licenses');
  if (!(licensesMap instanceof Map)) corrupt('"licenses" must be a map');
  const licenses = new Map<string, StoredLicense>();
  for (const [key, entry] of licensesMap) {
    if (typeof key !== 'string' || !(entry instanceof Map)) corrupt('a license entry is malformed');
    const license = field(entry, 'license');
    if (!(license instanceof Uint8Array)) corrupt('a stored license must be bytes');
    licenses.set(key, { license: license.slice(), secretHash: hash(entry, 'secret'), hwidHash: hash(entry, 'hwid'), resetCounter: uint(entry, 'reset'), activatedAtMs: uint(entry, 'at') });
  }
  const rev = field(value, 'revocations');
  let revocations: StoredRevocations | null = null;
  if (rev !== undefined) {
    if (!(rev instanceof Map)) corrupt('"revocations" must be a map');
    const revoked = field(rev, 'revoked');
    if (!Array.isArray(revoked) || !revoked.every((r) => typeof r === 'string')) corrupt('"revoked" must be text');
    revocations = { sequence: uint(rev, 'seq'), issuedAtMs: uint(rev, 'at'), revoked: revoked as string[] };
  }
  const dev = field(value, 'device');
  if (dev !== undefined && !(dev instanceof Map)) corrupt('"device" must be a map');
  const device = dev === undefined ? null : { seed: required(dev, 'seed', 32), publicKey: required(dev, 'pub', 32) };
  const pendingRequests = entries(value, 'pending', MAX_PENDING_REQUESTS).map((p) => ({ nonce: required(p, 'nonce', 16), licenseKey: text(p, 'key'), atMs: uint(p, 'at') }));
  const usedNonces = entries(value, 'used', MAX_USED_NONCES).map((u) => ({ nonce: required(u, 'nonce', 16), atMs: uint(u, 'at') }));
  const requestCount = field(value, 'requests') === undefined ? 0 : uint(value, 'requests');
  return { version: STATE_VERSION, program: text(value, 'program'), vendorKeyId: text(value, 'kid'), trustedTimeMs: uint(value, 'mark'), vendorSignedMs: uint(value, 'vendorMark'), licenses, revocations, ...(device ? { device } : {}), ...(pendingRequests.length > 0 ? { pendingRequests } : {}), ...(usedNonces.length > 0 ? { usedNonces } : {}), ...(requestCount > 0 ? { requestCount } : {}) };
}

/**
 * Opens a sealed document: checks the MAC over the body's exact bytes first,
 * then reads it strictly. A document of a later version is refused (a later
 * licensekit wrote it); older versions would be migrated here.
 */
export function unsealDocument(sealed: Uint8Array, macKey: Uint8Array, expect: { program: string; vendorKeyId: string }): Unsealed {
  let outer: CborValue;
  try {
    outer = decodeCbor(sealed, { maxDepth: 2, maxItems: 8 }).value;
  } catch (error) {
    return { ok: false, problem: 'malformed', detail: (error as Error).message };
  }
  if (!Array.isArray(outer) || outer.length !== 3 || typeof outer[0] !== 'number' || !(outer[1] instanceof Uint8Array) || !(outer[2] instanceof Uint8Array)) {
    return { ok: false, problem: 'malformed', detail: 'not a sealed state [version, body, mac]' };
  }
  const [version, body, mac] = outer as [number, Uint8Array, Uint8Array];
  if (version > STATE_VERSION) return { ok: false, problem: 'newer-version', detail: `state version ${version} was written by a newer licensekit` };
  if (version !== STATE_VERSION) return { ok: false, problem: 'malformed', detail: `unknown state version ${version}` };
  if (!sameHash(mac, hmacSha256(macKey, body))) {
    return { ok: false, problem: 'tampered', detail: 'the state MAC does not match: the file was edited, or copied from another machine, program or vendor key' };
  }
  let document: StateDocument;
  try {
    document = decodeBody(body);
  } catch (error) {
    return { ok: false, problem: 'malformed', detail: (error as Error).message };
  }
  if (document.program !== expect.program || document.vendorKeyId !== expect.vendorKeyId) {
    return { ok: false, problem: 'other-program', detail: `the state belongs to program ${JSON.stringify(document.program)} and key ${document.vendorKeyId}` };
  }
  return { ok: true, document };
}
