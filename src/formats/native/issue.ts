/**
 * Issuing native licenses (the vendor side): the claims as a CWT claims set
 * in CBOR (cbor-x, plain CBOR: no records, no tagged typed arrays; map keys in
 * the deterministic order of RFC 8949 §4.2.1), a protected header with `alg`
 * and `kid`, and a COSE_Sign1 signature over `Sig_structure`. Only the issuer
 * entry and the CLI import it: the verification path (and the browser
 * bundles) never carry cbor-x's encoder.
 */
import { Encoder } from 'cbor-x';
import type { PrivateJwk, SignatureBackend } from '../../backends/backend.ts';
import { importPublicKey } from '../../keys/import.ts';
import { keyId as thumbprint } from '../../keys/thumbprint.ts';
import type { SignatureAlgorithm } from '../../lib/algorithms.ts';
import { encodeUtf8, toHex } from '../../lib/bytes.ts';
import { licenseeSecretHash } from '../../license/secret.ts';
import { BackendError, OptionError } from '../../lib/errors.ts';
import type { FeatureNumber } from '../../license/model.ts';
import { armor } from './armor.ts';
import { NATIVE_CLAIMS, type ClaimName } from './claims.ts';
import { COSE_ALGORITHM_IDS, COSE_SIGN1_TAG, cborHead, sigStructure } from './cose.ts';

/** The claims of a native license to issue. */
export interface NativeLicenseClaims {
  /** The product (the CWT audience): digits for a numeric product id, or any text. */
  readonly product: string | number;
  /** The license key (the CWT subject); `issueNativeLicense` draws a random `XXXXX-XXXXX-XXXXX-XXXXX` when omitted. */
  readonly key?: string;
  /** The license id (CWT `cti`), 1–64 bytes; 16 random bytes when omitted. */
  readonly id?: Uint8Array;
  /** The vendor (CWT `iss`). */
  readonly issuer?: string;
  /** When the license was first issued (default: the signing time). */
  readonly issued?: Date;
  readonly notBefore?: Date;
  /** The expiry; `null` for a perpetual license. Required: a license without an end date is a decision, never a default. */
  readonly expires: Date | null;
  readonly features?: readonly FeatureNumber[];
  readonly entitlements?: readonly string[];
  /** Activated machine codes (node-locking). */
  readonly machines?: readonly string[];
  readonly allowedMachines?: readonly string[];
  /** The machine limit; when omitted, the number of machines (at least 1 when any is listed). 0 = not node-locked. */
  readonly maxMachines?: number;
  /** A recorded fingerprint (its serialised text) for tolerant matching. */
  readonly fingerprint?: string;
  readonly floatingLeaseSeconds?: number;
  /** The license must be re-signed within this many seconds of signing (maximum offline age). */
  readonly maxOfflineAgeSeconds?: number;
  readonly customer?: { readonly id?: string; readonly name?: string; readonly email?: string; readonly company?: string };
  /** Free metadata: text keys; values of text, numbers, booleans, null, bytes, arrays and plain objects. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly notes?: string;
  readonly blocked?: boolean;
  /**
   * The licensee-secret policy (NetLicensing's modes): `disabled`, `predefined`
   * (give the vendor's `secret`: only its salted hash is signed) or `client`
   * (the first validation that gives a secret binds it in the local state).
   */
  readonly licenseeSecret?: { readonly mode: 'disabled' | 'predefined' | 'client'; readonly secret?: string };
  /** The first validation binds the HWID; a vendor-signed reset clears the binding. */
  readonly bindHwid?: boolean;
  /** Days after expiry during which the license stays valid with the warning EXPIRED_IN_GRACE. */
  readonly graceDays?: number;
}

/** How to sign a native license. */
export interface NativeIssueOptions {
  /** The vendor's private key (JWK: RSA or Ed25519). */
  readonly privateJwk: PrivateJwk;
  /** EdDSA for Ed25519 keys (the default for them); PS256 (default) or RS256 for RSA keys. */
  readonly algorithm?: 'EdDSA' | 'RS256' | 'PS256';
  /** The key id written in the protected header (printable ASCII); the key's RFC 7638 thumbprint by default, `null` for none. */
  readonly kid?: string | null;
  /** The signing time (CWT `iat`); the clock when omitted. */
  readonly now?: Date;
  /** A backend with `sign` (the issuer entry defaults it to node:crypto). */
  readonly backend: SignatureBackend;
}

/** An issued native license in both forms. */
export interface IssuedNativeLicense {
  /** The COSE_Sign1 bytes (a `.lic` file). */
  readonly bytes: Uint8Array;
  /** The armoured text form. */
  readonly text: string;
  /** The key id in the protected header, or `null`. */
  readonly kid: string | null;
}

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true, useFloat32: 0 });

export function bad(field: string, expected: string): never {
  throw new OptionError(`"${field}" must be ${expected}`);
}

export function seconds(date: unknown, field: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) bad(field, 'a valid Date');
  return Math.floor(ms / 1000);
}

export function texts(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) bad(field, 'an array of non-empty strings');
  return [...(value as string[])];
}

export function uint(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad(field, 'a whole number >= 0');
  return value;
}

/** Metadata as CBOR-ready values: plain objects become Maps; anything CBOR would read back differently is refused. */
function cborValue(value: unknown, field: string, depth = 0): unknown {
  if (depth > 8) bad(field, 'nested at most 8 levels deep');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) bad(field, 'a finite number within ±(2^53 - 1)');
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v, i) => cborValue(v, `${field}[${i}]`, depth + 1));
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    return new Map(Object.keys(value).map((k) => [k, cborValue((value as Record<string, unknown>)[k], `${field}.${k}`, depth + 1)]));
  }
  return bad(field, 'text, a number, a boolean, null, bytes, an array or a plain object');
}

/** The map keys in RFC 8949 §4.2.1 order: by their encoded bytes, shorter first. */
export function deterministic(entries: Array<[number | string, unknown]>): Map<number | string, unknown> {
  const keyed = entries.map((e) => ({ e, k: encoder.encode(e[0]) as Uint8Array }));
  keyed.sort((a, b) => {
    if (a.k.length !== b.k.length) return a.k.length - b.k.length;
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
    return 0;
  });
  return new Map(keyed.map(({ e }) => e));
}

function randomBytes(n: number): Uint8Array {
  const random = globalThis.crypto;
  if (typeof random?.getRandomValues !== 'function') throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'no CSPRNG (crypto.getRandomValues)');
  return random.getRandomValues(new Uint8Array(n));
}


/** Builds the claims set (a Map in deterministic key order) from the claims. */
export function buildNativeClaims(claims: NativeLicenseClaims, signedAt: Date): Map<number | string, unknown> {
  if (typeof claims !== 'object' || claims === null) bad('claims', 'an object');
  const entries: Array<[number | string, unknown]> = [];
  const put = (name: ClaimName, value: unknown) => {
    if (value !== undefined) entries.push([NATIVE_CLAIMS[name].key, value]);
  };
  const product = claims.product;
  if (!(typeof product === 'string' ? product.length > 0 : Number.isSafeInteger(product) && product >= 0)) bad('product', 'a non-empty string or a whole number');
  const iat = seconds(signedAt, 'now');
  if (typeof claims.key !== 'string' || claims.key.length === 0) bad('key', 'a non-empty string');
  if (claims.id !== undefined && (!(claims.id instanceof Uint8Array) || claims.id.length === 0 || claims.id.length > 64)) bad('id', '1 to 64 bytes');
  if (!Object.hasOwn(claims, 'expires')) bad('expires', 'a Date, or null for a perpetual license');
  put('iss', claims.issuer === undefined ? undefined : typeof claims.issuer === 'string' && claims.issuer !== '' ? claims.issuer : bad('issuer', 'a non-empty string'));
  put('sub', claims.key);
  put('aud', String(product));
  put('exp', claims.expires === null ? undefined : seconds(claims.expires, 'expires'));
  put('nbf', claims.notBefore === undefined ? undefined : seconds(claims.notBefore, 'notBefore'));
  put('iat', iat);
  const id = claims.id ?? randomBytes(16);
  put('cti', id);
  const features = claims.features ?? [];
  if (!Array.isArray(features) || !features.every((f) => Number.isInteger(f) && f >= 1 && f <= 8)) bad('features', 'an array of feature numbers 1–8');
  const mask = features.reduce((m, f) => m | (1 << (f - 1)), 0);
  put('features', mask === 0 ? undefined : mask);
  put('entitlements', claims.entitlements === undefined ? undefined : texts(claims.entitlements, 'entitlements'));
  const machines = claims.machines === undefined ? undefined : texts(claims.machines, 'machines');
  const allowed = claims.allowedMachines === undefined ? undefined : texts(claims.allowedMachines, 'allowedMachines');
  put('machines', machines);
  put('allowedMachines', allowed);
  // Written explicitly whenever machines are listed, so no reader can take a node-locked license for an unlocked one.
  const listed = (machines?.length ?? 0) + (allowed?.length ?? 0);
  const limit = claims.maxMachines === undefined ? (listed === 0 ? undefined : Math.max(1, machines?.length ?? 0)) : uint(claims.maxMachines, 'maxMachines');
  put('maxMachines', limit);
  put('fingerprint', claims.fingerprint === undefined ? undefined : typeof claims.fingerprint === 'string' && claims.fingerprint !== '' ? claims.fingerprint : bad('fingerprint', 'a serialised recorded fingerprint'));
  put('floatingLease', claims.floatingLeaseSeconds === undefined ? undefined : uint(claims.floatingLeaseSeconds, 'floatingLeaseSeconds'));
  put('maxOfflineAge', claims.maxOfflineAgeSeconds === undefined ? undefined : uint(claims.maxOfflineAgeSeconds, 'maxOfflineAgeSeconds'));
  if (claims.customer !== undefined) {
    const c = claims.customer;
    const fields: Array<[string, unknown]> = [];
    for (const k of ['id', 'name', 'email', 'company'] as const) {
      const v = c[k];
      if (v === undefined) continue;
      if (typeof v !== 'string') bad(`customer.${k}`, 'text');
      fields.push([k, v]);
    }
    put('customer', deterministic(fields));
  }
  if (claims.metadata !== undefined) {
    const m = cborValue(claims.metadata, 'metadata');
    if (!(m instanceof Map)) bad('metadata', 'a plain object');
    put('metadata', deterministic([...m]));
  }
  put('issued', claims.issued === undefined ? undefined : seconds(claims.issued, 'issued'));
  put('notes', claims.notes === undefined ? undefined : typeof claims.notes === 'string' ? claims.notes : bad('notes', 'text'));
  put('blocked', claims.blocked === undefined ? undefined : typeof claims.blocked === 'boolean' ? claims.blocked : bad('blocked', 'true or false'));
  if (claims.licenseeSecret !== undefined) {
    const { mode, secret } = claims.licenseeSecret;
    const code = (['disabled', 'predefined', 'client'] as const).indexOf(mode);
    if (code < 0) bad('licenseeSecret.mode', 'disabled, predefined or client');
    if ((mode === 'predefined') !== (secret !== undefined)) bad('licenseeSecret.secret', 'given in predefined mode, and only then');
    if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0)) bad('licenseeSecret.secret', 'a non-empty string');
    put('licenseeSecretMode', code);
    if (secret !== undefined) put('licenseeSecretHash', licenseeSecretHash(String(product), toHex(id), secret));
  }
  put('bindHwid', claims.bindHwid === undefined ? undefined : typeof claims.bindHwid === 'boolean' ? claims.bindHwid : bad('bindHwid', 'true or false'));
  put('graceDays', claims.graceDays === undefined ? undefined : uint(claims.graceDays, 'graceDays'));
  return deterministic(entries);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The public JWK inside a private one (its `d` and CRT members dropped). */
function publicOf(privateJwk: PrivateJwk): Record<string, string> {
  const get = (k: string): string => (Object.hasOwn(privateJwk, k) ? privateJwk[k]! : '');
  if (get('kty') === 'RSA') return { kty: 'RSA', n: get('n'), e: get('e') };
  if (get('kty') === 'OKP') return { kty: 'OKP', crv: get('crv'), x: get('x') };
  return bad('privateJwk', 'an RSA or Ed25519 private JWK');
}

/**
 * Signs a native license: COSE_Sign1 over a CWT claims set, signed with the
 * vendor's private key on `options.backend`, in binary and armoured form.
 * Programs call `issueNativeLicense` from `licensekit/issuer`.
 */
export async function signNativeLicense(claims: NativeLicenseClaims, options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  return signClaimsSet((now) => buildNativeClaims(claims, now), options);
}

/**
 * Signs a claims set (built at the signing time) as a COSE_Sign1 message with
 * the vendor's key: licenses and vendor messages (resets, revocation lists).
 */
export async function signClaimsSet(build: (now: Date) => Map<number | string, unknown>, options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  if (typeof options !== 'object' || options === null) bad('options', 'an object with "privateJwk"');
  const privateJwk = options.privateJwk;
  if (typeof privateJwk !== 'object' || privateJwk === null || !Object.hasOwn(privateJwk, 'd')) bad('privateJwk', 'a private JWK (with "d")');
  const publicKey = importPublicKey(publicOf(privateJwk));
  const algorithm: SignatureAlgorithm = options.algorithm ?? (publicKey.type === 'ed25519' ? 'EdDSA' : 'PS256');
  if (!['EdDSA', 'RS256', 'PS256'].includes(algorithm)) bad('algorithm', 'EdDSA, RS256 or PS256');
  if ((algorithm === 'EdDSA') !== (publicKey.type === 'ed25519')) bad('algorithm', `an algorithm of the key's type (${publicKey.type === 'ed25519' ? 'EdDSA' : 'RS256 or PS256'})`);
  const kid = options.kid === undefined ? thumbprint(publicKey) : options.kid;
  // Printable ASCII only: it is read back as text (cose.ts), so any other kid could never match a key of a ring.
  if (kid !== null && (typeof kid !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(kid))) bad('kid', '1 to 256 printable ASCII characters (no spaces), or null');
  const now = options.now ?? new Date();
  const backend = options.backend;
  const sign = backend?.sign;
  if (!sign) throw new BackendError('ERR_BACKEND_UNAVAILABLE', `backend "${String(backend?.name)}" cannot sign`);

  const header: Array<[number, unknown]> = [[1, COSE_ALGORITHM_IDS[algorithm as 'EdDSA']]];
  if (kid !== null) header.push([4, encodeUtf8(kid)]);
  const protectedBytes = Uint8Array.from(encoder.encode(new Map(header)));
  const payload = Uint8Array.from(encoder.encode(build(now)));
  const signature = await sign(algorithm, privateJwk, sigStructure(protectedBytes, payload));
  const bytes = concat([
    cborHead(6, COSE_SIGN1_TAG),
    Uint8Array.of(0x84),
    cborHead(2, protectedBytes.length),
    protectedBytes,
    Uint8Array.of(0xa0),
    cborHead(2, payload.length),
    payload,
    cborHead(2, signature.length),
    signature,
  ]);
  return { bytes, text: armor(bytes), kid };
}

/**
 * Signs a reset of one license's HWID binding. `counter` must exceed the last
 * reset the program imported for that license (start at 1).
 */
export async function signResetMessage(licenseKey: string, counter: number, options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  if (typeof licenseKey !== 'string' || licenseKey.length === 0) bad('licenseKey', 'a non-empty string');
  const n = uint(counter, 'counter');
  return signClaimsSet(
    (now) => deterministic([[NATIVE_CLAIMS.messageType.key, 'reset'], [NATIVE_CLAIMS.sub.key, licenseKey], [NATIVE_CLAIMS.resetCounter.key, n], [NATIVE_CLAIMS.iat.key, seconds(now, 'now')]]),
    options,
  );
}

/** Signs a revocation list: its `sequence` must exceed the last list programs imported. */
export async function signRevocationList(sequence: number, revoked: readonly string[], options: NativeIssueOptions): Promise<IssuedNativeLicense> {
  const n = uint(sequence, 'sequence');
  const list = revoked.length === 0 ? [] : texts(revoked, 'revoked');
  return signClaimsSet(
    (now) => deterministic([[NATIVE_CLAIMS.messageType.key, 'revocations'], [NATIVE_CLAIMS.revocationSequence.key, n], [NATIVE_CLAIMS.revoked.key, list], [NATIVE_CLAIMS.iat.key, seconds(now, 'now')]]),
    options,
  );
}
