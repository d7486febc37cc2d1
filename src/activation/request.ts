/**
 * The activation request: what an offline machine hands the vendor. A
 * COSE_Sign1 message signed by the state's device key, whose claims set holds
 *
 *     messageType (-65570) "activation-request"   sub (2) the license key
 *     aud (3) the product (optional)              iat (6) when it was made
 *     machines (-65539) [this machine's code]     fingerprint (-65542) its recorded fingerprint (optional)
 *     nonce (-65580) 16 random bytes              devicePublicKey (-65581) the device's Ed25519 key
 *
 * armoured as `-----BEGIN LICENSEKIT ACTIVATION REQUEST-----`. It carries no
 * secret and no raw hardware value: the machine code and the fingerprint are
 * salted hashes. It is self-signed: the signature proves that whoever holds
 * the device key made it and that no byte changed; it does not prove who the
 * customer is (the license key does that, and the vendor's ledger decides).
 */
import { deterministic, seconds } from '../formats/native/issue.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { parseCoseSign1, type CoseSign1 } from '../formats/native/cose.ts';
import { decodeClaims } from '../formats/native/read.ts';
import type { CborMap } from '../formats/native/cbor.ts';
import { toHex } from '../lib/bytes.ts';
import { ActivationError, isLicenseKitError } from '../lib/errors.ts';
import { armorAs, dearmorAs, REQUEST_LABEL } from './armor.ts';
import { deviceKeyId, devicePublicJwk, importDeviceKey, verifiedBy } from './device.ts';

/** The `messageType` of a request. */
export const REQUEST_TYPE = 'activation-request';
/** The `messageType` of a deactivation receipt. */
export const RECEIPT_TYPE = 'deactivation-receipt';
/** Longest license key, product or machine code a request may carry. */
export const MAX_FIELD_LENGTH = 256;
/** Longest recorded fingerprint a request may carry (as `parseRecordedFingerprint` accepts). */
export const MAX_FINGERPRINT_LENGTH = 4096;

/**
 * How many leading bytes of a request's nonce (and of a receipt's id) carry
 * the state's request sequence, big-endian; the other 10 are random. A
 * request's is its own number (the state counts its requests from 1), a
 * receipt's the number of the last request the state made before it: the
 * ledger frees a seat on a receipt only if no later request of that device was
 * answered for it.
 */
export const SEQUENCE_BYTES = 6;

/** A 16-byte nonce: `sequence` (0 to 2^48 − 1) big-endian, then 10 random bytes. */
export function sequencedNonce(sequence: number, random: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence > 2 ** 48 - 1 || random.length !== 16 - SEQUENCE_BYTES) throw new RangeError('a request sequence from 0 to 2^48 - 1 and 10 random bytes');
  const nonce = new Uint8Array(16);
  for (let i = SEQUENCE_BYTES - 1, v = sequence; i >= 0; i--, v = Math.floor(v / 256)) nonce[i] = v % 256;
  nonce.set(random, SEQUENCE_BYTES);
  return nonce;
}

/** The request sequence a 16-byte nonce carries. */
export function nonceSequence(nonce: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < SEQUENCE_BYTES; i++) v = v * 256 + nonce[i]!;
  return v;
}

/** What a verified activation request says. */
export interface ActivationRequest {
  readonly licenseKey: string;
  /** The product the program asked for, as text (digits for a numeric id), or null. */
  readonly productId: string | null;
  /** This machine's code (64 hex: a salted hash). */
  readonly machineCode: string;
  /** The machine's recorded fingerprint (salted hashes, serialised), or null. */
  readonly fingerprint: string | null;
  /** The request's nonce, 16 bytes, as lower-case hex. */
  readonly nonce: string;
  readonly requestedAt: Date;
  /** The device's Ed25519 public key (JWK `x`, base64url). */
  readonly devicePublicKey: string;
  /** The device key's RFC 7638 thumbprint. */
  readonly deviceKeyId: string;
}

/** What goes into a request (the state adds its nonce, machine code and device key). */
export interface RequestContent {
  readonly licenseKey: string;
  readonly productId: string | null;
  readonly machineCode: string;
  readonly fingerprint: string | null;
  readonly nonce: Uint8Array;
  readonly devicePublicKey: Uint8Array;
}

function bad(message: string, cause?: unknown): never {
  throw new ActivationError('ERR_ACTIVATION_REQUEST_INVALID', `activation request: ${message}`, cause === undefined ? undefined : { cause });
}

/** A text field of 1..max characters, or the reason it is not. */
export function fieldText(value: unknown, name: string, max = MAX_FIELD_LENGTH): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) bad(`"${name}" must be text of 1 to ${max} characters`);
  return value;
}

/** The request's claims set, built at `now`. */
export function requestClaims(content: RequestContent): (now: Date) => Map<number | string, unknown> {
  return (now) => {
    const entries: Array<[number, unknown]> = [
      [NATIVE_CLAIMS.messageType.key, REQUEST_TYPE],
      [NATIVE_CLAIMS.sub.key, content.licenseKey],
      [NATIVE_CLAIMS.iat.key, seconds(now, 'now')],
      [NATIVE_CLAIMS.machines.key, [content.machineCode]],
      [NATIVE_CLAIMS.nonce.key, content.nonce],
      [NATIVE_CLAIMS.devicePublicKey.key, content.devicePublicKey],
    ];
    if (content.productId !== null) entries.push([NATIVE_CLAIMS.aud.key, content.productId]);
    if (content.fingerprint !== null) entries.push([NATIVE_CLAIMS.fingerprint.key, content.fingerprint]);
    return deterministic(entries);
  };
}

/** An armoured request from its COSE bytes. */
export function armorRequest(bytes: Uint8Array): string {
  return armorAs(REQUEST_LABEL, bytes);
}

/**
 * Takes a device-signed message apart and verifies it under the device key it
 * carries: the only claim read before the signature is checked is that key
 * (32 bytes, from the strictly decoded payload), and the protected `kid` must
 * be its thumbprint. Returns the claims set, read only after the signature
 * verified over the exact bytes received.
 */
function openSelfSigned(cose: CoseSign1): { claims: CborMap; publicKey: Uint8Array; kid: string } {
  let claims: CborMap;
  try {
    claims = decodeClaims(cose.payload);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return bad(`the payload is not a claims set: ${error.message}`, error);
  }
  const publicKey = claims.get(NATIVE_CLAIMS.devicePublicKey.key);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) bad('it carries no 32-byte device public key');
  let key;
  try {
    key = importDeviceKey(publicKey);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return bad('its device public key is not an Ed25519 key', error);
  }
  if (!verifiedBy(cose, key)) bad('the device signature does not verify: the request was altered');
  const kid = deviceKeyId(publicKey);
  if (cose.keyId !== kid) bad('the key id in its protected header is not its device key\'s');
  return { claims, publicKey, kid };
}

/**
 * Verifies and reads an activation request (armoured text, or its bytes).
 *
 * @throws {ActivationError} `ERR_ACTIVATION_REQUEST_INVALID` for anything that
 *   is not a request, or whose device signature does not verify.
 * @example
 * const request = readActivationRequest(text); // { licenseKey, machineCode, nonce, deviceKeyId, … }
 */
export function readActivationRequest(input: string | Uint8Array): ActivationRequest {
  const bytes = dearmorAs(REQUEST_LABEL, input);
  if (typeof bytes === 'string') bad(bytes);
  let cose: CoseSign1;
  try {
    cose = parseCoseSign1(bytes);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return bad(error.message, error);
  }
  const { claims, publicKey, kid } = openSelfSigned(cose);
  const get = (name: keyof typeof NATIVE_CLAIMS) => claims.get(NATIVE_CLAIMS[name].key);
  if (get('messageType') !== REQUEST_TYPE) bad(`it is not an activation request (messageType ${JSON.stringify(get('messageType') ?? null)})`);
  const machines = get('machines');
  if (!Array.isArray(machines) || machines.length !== 1) bad('"machines" must name this machine\'s code');
  const nonce = get('nonce');
  if (!(nonce instanceof Uint8Array) || nonce.length !== 16) bad('"nonce" must be 16 bytes');
  const iat = get('iat');
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0 || iat > 8.64e12) bad('"iat" must be a NumericDate');
  const aud = get('aud');
  const fingerprint = get('fingerprint');
  return Object.freeze({
    licenseKey: fieldText(get('sub'), 'sub'),
    productId: aud === undefined ? null : fieldText(aud, 'aud'),
    machineCode: fieldText(machines[0], 'machines[0]'),
    fingerprint: fingerprint === undefined ? null : fieldText(fingerprint, 'fingerprint', MAX_FINGERPRINT_LENGTH),
    nonce: toHex(nonce),
    requestedAt: new Date(iat * 1000),
    devicePublicKey: devicePublicJwk(publicKey).x,
    deviceKeyId: kid,
  });
}
