/**
 * Decoding without judging, for the exchange's files: what an activation
 * request or a deactivation receipt claims, and what a customer bundle's
 * header says, for `licensekit inspect` and support tooling. NOTHING here
 * verifies a signature (a request's device signature, a receipt's under the
 * ledger's recorded key, a bundle's vendor signature) and nothing decrypts a
 * bundle: every result is `verified: false` and must never be used to grant,
 * answer or release anything (`readActivationRequest`, `releaseReceipt` and
 * `openCustomerBundle` do that).
 *
 * Only the armour label (or, for raw COSE bytes, the payload's `messageType`)
 * decides what a file is; anything else is `null`, for the license inspector.
 * No `node:*` import.
 */
import { BUNDLE_ARMOR_BEGIN, BUNDLE_MESSAGE_TYPE, dearmorBundle, looksLikeArmoredBundle } from '../customers/bundle-format.ts';
import { decodeCbor, type CborMap, type CborValue } from '../formats/native/cbor.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { parseCoseSign1, type CoseSign1 } from '../formats/native/cose.ts';
import { decodeUtf8, toHex } from '../lib/bytes.ts';
import { ActivationError, isLicenseKitError, LicenseInputError } from '../lib/errors.ts';
import { dearmorAs, MAX_EXCHANGE_BYTES, RECEIPT_LABEL, REQUEST_LABEL } from './armor.ts';
import { deviceKeyId } from './device.ts';
import { RECEIPT_TYPE, REQUEST_TYPE } from './request.ts';

/** How many characters of a recorded fingerprint are shown (as `ledger list` does). */
export const FINGERPRINT_PREFIX = 16;
/** Largest customer bundle inspected (its header is read; the ciphertext is only measured). */
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

/** What an activation request claims, unverified. */
export interface RequestInspection {
  readonly kind: 'activation-request';
  readonly verified: false;
  readonly licenseKey: string | null;
  readonly productId: string | null;
  /** The device key id in the protected header (`kid`). */
  readonly deviceKeyId: string | null;
  /** Whether that id is the thumbprint of the device key the request carries (null: it carries none that imports). */
  readonly deviceKeyIdMatchesKey: boolean | null;
  readonly nonce: string | null;
  /** When it says it was made (ISO 8601), or null. */
  readonly requestedAt: string | null;
  readonly machineCode: string | null;
  /** The first characters of its recorded fingerprint, or null when it carries none. */
  readonly fingerprintPrefix: string | null;
  readonly fingerprintLength: number;
}

/** What a deactivation receipt claims, unverified. */
export interface ReceiptInspection {
  readonly kind: 'deactivation-receipt';
  readonly verified: false;
  readonly licenseKey: string | null;
  /** The device key id in the protected header (`kid`): the ledger verifies under the key it recorded for it. */
  readonly deviceKeyId: string | null;
  /** The receipt's id (its nonce, hex). */
  readonly nonce: string | null;
  readonly issuedAt: string | null;
}

/** What a customer bundle's header says, unverified; it is never decrypted. */
export interface BundleInspection {
  readonly kind: 'customer-bundle';
  readonly verified: false;
  readonly encrypted: true;
  /** The vendor key id in the protected header. */
  readonly keyId: string | null;
  readonly algorithm: string;
  /** When the vendor says it sealed it (ISO 8601), or null. */
  readonly sealedAt: string | null;
  readonly version: number | null;
  /** The key derivation as the header states it, e.g. `{ name: 'scrypt', logN: 15, r: 8, p: 1 }`. */
  readonly kdf: { readonly name: string; readonly logN: number | null; readonly r: number | null; readonly p: number | null } | null;
  readonly aead: string | null;
  readonly saltBytes: number | null;
  readonly ciphertextBytes: number | null;
}

/** One of the exchange's files, inspected. */
export type ExchangeInspection = RequestInspection | ReceiptInspection | BundleInspection;

type Kind = ExchangeInspection['kind'];

function textOf(input: string | Uint8Array): string | null {
  if (typeof input === 'string') return input;
  return input.length > MAX_BUNDLE_BYTES ? null : decodeUtf8(input);
}

/** The label of the armour `text` starts with (after white space or a BOM), if it is one of the exchange's. */
function armourKind(text: string): Kind | null {
  const start = text.replace(/^[\ufeff\s]+/, '');
  if (start.startsWith(`-----BEGIN ${REQUEST_LABEL}-----`)) return 'activation-request';
  if (start.startsWith(`-----BEGIN ${RECEIPT_LABEL}-----`)) return 'deactivation-receipt';
  if (looksLikeArmoredBundle(text) || start.startsWith(BUNDLE_ARMOR_BEGIN)) return 'customer-bundle';
  return null;
}

function invalid(kind: Kind, message: string, cause?: unknown): never {
  const options = cause === undefined ? undefined : { cause };
  if (kind === 'activation-request') throw new ActivationError('ERR_ACTIVATION_REQUEST_INVALID', `activation request: ${message}`, options);
  if (kind === 'deactivation-receipt') throw new ActivationError('ERR_RECEIPT_INVALID', `deactivation receipt: ${message}`, options);
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `customer bundle: ${message}`, options);
}

const str = (v: CborValue | undefined, max = 4096): string | null => (typeof v === 'string' && v.length <= max ? v : null);
const int = (v: CborValue | undefined): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const hex16 = (v: CborValue | undefined): string | null => (v instanceof Uint8Array && v.length <= 64 ? toHex(v) : null);
const isoOf = (seconds: CborValue | undefined): string | null =>
  typeof seconds === 'number' && Number.isFinite(seconds) && Math.abs(seconds) <= 8.64e12 ? new Date(Math.floor(seconds) * 1000).toISOString() : null;

function payloadMap(kind: Kind, cose: CoseSign1): CborMap {
  let value: CborValue;
  try {
    value = decodeCbor(cose.payload, { maxDepth: 3, maxItems: 64 }).value;
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return invalid(kind, `the payload is not strict CBOR: ${error.message}`, error);
  }
  if (!(value instanceof Map)) invalid(kind, 'the payload is not a CBOR map');
  return value as CborMap;
}

function describe(kind: Kind, cose: CoseSign1, claims: CborMap): ExchangeInspection {
  const get = (name: keyof typeof NATIVE_CLAIMS): CborValue | undefined => claims.get(NATIVE_CLAIMS[name].key);
  if (kind === 'activation-request') {
    const key = get('devicePublicKey');
    let matches: boolean | null = null;
    if (key instanceof Uint8Array && key.length === 32) {
      try {
        matches = deviceKeyId(key) === cose.keyId;
      } catch {
        matches = null; // not an Ed25519 point: no key to compare with
      }
    }
    const machines = get('machines');
    const fingerprint = str(get('fingerprint'), 1 << 16);
    return Object.freeze({
      kind,
      verified: false,
      licenseKey: str(get('sub')),
      productId: str(get('aud')),
      deviceKeyId: cose.keyId,
      deviceKeyIdMatchesKey: matches,
      nonce: hex16(get('nonce')),
      requestedAt: isoOf(get('iat')),
      machineCode: Array.isArray(machines) && machines.length === 1 ? str(machines[0]) : null,
      fingerprintPrefix: fingerprint === null ? null : fingerprint.slice(0, FINGERPRINT_PREFIX),
      fingerprintLength: fingerprint?.length ?? 0,
    });
  }
  if (kind === 'deactivation-receipt') {
    return Object.freeze({ kind, verified: false, licenseKey: str(get('sub')), deviceKeyId: cose.keyId, nonce: hex16(get('nonce')), issuedAt: isoOf(get('iat')) });
  }
  const kdf = claims.get('kdf');
  const salt = claims.get('salt');
  const ct = claims.get('ct');
  return Object.freeze({
    kind,
    verified: false,
    encrypted: true,
    keyId: cose.keyId,
    algorithm: cose.algorithm,
    sealedAt: isoOf(get('iat')),
    version: int(claims.get('v')),
    kdf: Array.isArray(kdf) && typeof kdf[0] === 'string' ? Object.freeze({ name: kdf[0].slice(0, 64), logN: int(kdf[1]), r: int(kdf[2]), p: int(kdf[3]) }) : null,
    aead: str(claims.get('aead'), 64),
    saltBytes: salt instanceof Uint8Array ? salt.length : null,
    ciphertextBytes: ct instanceof Uint8Array ? ct.length : null,
  });
}

const TYPE_KIND: ReadonlyMap<unknown, Kind> = new Map<unknown, Kind>([
  [REQUEST_TYPE, 'activation-request'],
  [RECEIPT_TYPE, 'deactivation-receipt'],
  [BUNDLE_MESSAGE_TYPE, 'customer-bundle'],
]);

/**
 * What an activation request or deactivation receipt claims, or what a
 * customer bundle's header says, WITHOUT verifying any signature and without
 * decrypting; `null` when the input is none of these (a license, say).
 *
 * @throws {ActivationError} `ERR_ACTIVATION_REQUEST_INVALID` /
 *   `ERR_RECEIPT_INVALID` for an armoured request / receipt that does not
 *   decode; {@link LicenseInputError} for a bundle that does not
 *   (`ERR_ENVELOPE_INVALID`, `ERR_PAYLOAD_INVALID`, `ERR_INPUT_TOO_LARGE`).
 * @example
 * const seen = inspectExchangeFile(text); // { kind: 'activation-request', verified: false, licenseKey, nonce, … }
 */
export function inspectExchangeFile(input: string | Uint8Array): ExchangeInspection | null {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return null;
  if (input instanceof Uint8Array && input[0] === 0xd2) {
    // Raw COSE: one of ours only when its payload says so; anything that does not decode is left to the license inspector.
    if (input.length > MAX_BUNDLE_BYTES) return null;
    let cose: CoseSign1;
    let kind: Kind | undefined;
    try {
      cose = parseCoseSign1(input);
      const type = payloadMap('customer-bundle', cose).get(NATIVE_CLAIMS.messageType.key);
      kind = TYPE_KIND.get(type);
    } catch (error) {
      if (isLicenseKitError(error)) return null;
      throw error;
    }
    if (kind === undefined) return null;
    if (kind !== 'customer-bundle' && input.length > MAX_EXCHANGE_BYTES) invalid(kind, `larger than ${MAX_EXCHANGE_BYTES} bytes`);
    return describe(kind, cose, payloadMap(kind, cose));
  }
  const text = textOf(input);
  if (text === null) return null;
  const kind = armourKind(text);
  if (kind === null) return null;
  let bytes: Uint8Array;
  if (kind === 'customer-bundle') {
    if (text.length > MAX_BUNDLE_BYTES) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `customer bundle of ${text.length} characters exceeds the limit of ${MAX_BUNDLE_BYTES}`);
    bytes = dearmorBundle(text);
  } else {
    const got = dearmorAs(kind === 'activation-request' ? REQUEST_LABEL : RECEIPT_LABEL, text);
    if (typeof got === 'string') invalid(kind, got);
    bytes = got;
  }
  let cose: CoseSign1;
  try {
    cose = parseCoseSign1(bytes);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return invalid(kind, error.message, error);
  }
  const claims = payloadMap(kind, cose);
  const type = claims.get(NATIVE_CLAIMS.messageType.key);
  const expected = kind === 'activation-request' ? REQUEST_TYPE : kind === 'deactivation-receipt' ? RECEIPT_TYPE : BUNDLE_MESSAGE_TYPE;
  if (type !== expected) invalid(kind, `its armour says ${kind} but its messageType is ${JSON.stringify(typeof type === 'string' ? type.slice(0, 40) : (type ?? null))}`);
  return describe(kind, cose, claims);
}
