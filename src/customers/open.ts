/**
 * Opening a customer bundle (the program side): verify the vendor's
 * signature over the exact bytes received, and only then read the header,
 * derive the key from the customer's secret and decrypt. The answer is plain
 * data shaped like a verdict: a bundle that is not the vendor's (altered, or
 * signed by another key) is `SIGNATURE_INVALID`; a secret that does not open
 * it is `CUSTOMER_SECRET_MISMATCH`. Neither says which byte or which part
 * failed. Each license it returns is then verified as usual (`verifyLicense`).
 *
 * No `node:*` import: this runs in browsers and bare engines (pure-JavaScript
 * signature backend by default).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import type { SignatureBackend } from '../backends/backend.ts';
import { purejsBackend } from '../backends/purejs/index.ts';
import { verifySignedEnvelope } from '../core/envelope.ts';
import { armor } from '../formats/native/armor.ts';
import { decodeCbor, type CborMap, type CborValue } from '../formats/native/cbor.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { parseCoseSign1, type CoseSign1 } from '../formats/native/cose.ts';
import { decodeUtf8, encodeUtf8 } from '../lib/bytes.ts';
import { LicenseInputError, OptionError, UnsupportedFormatError, isLicenseKitError } from '../lib/errors.ts';
import { keyFitsAlgorithm } from '../keys/public-key.ts';
import { candidateKeys, importKeyRing, type KeyRingEntry, type KeyRingInput } from '../keys/ring.ts';
import { checkOptionsObject, describe, ownValue, resolveNow } from '../rules/options.ts';
import {
  BUNDLE_AAD,
  BUNDLE_AEAD,
  BUNDLE_MESSAGE_TYPE,
  BUNDLE_VERSION,
  DEFAULT_MAX_BUNDLE_BYTES,
  KEY_BYTES,
  MAX_BUNDLE_LICENSES,
  NONCE_BYTES,
  SALT_BYTES,
  SCRYPT,
  dearmorBundle,
} from './bundle-format.ts';
import { parseCustomerSecret } from './secret.ts';

/** Options of {@link openCustomerBundle}. */
export interface OpenCustomerBundleOptions {
  /** The customer secret the vendor sent (GUID or key form; surrounding white space and letter case do not matter). */
  readonly secret: string;
  /** The vendor's public key or key ring, as for `verifyLicense`. */
  readonly key: KeyRingInput;
  /** The program's product: the answer's `license` is the bundle's license for it (the first, when it holds several). */
  readonly productId?: number | string;
  /** The time the answer reports (a Date or epoch ms); the clock when omitted. */
  readonly now?: Date | number;
  /** The backend that verifies the vendor signature (default: pure JavaScript, on every host). */
  readonly backend?: SignatureBackend;
  /** Largest bundle accepted, in bytes (strings: characters). Default 4 MiB. */
  readonly maxInputBytes?: number;
}

/** One license of an opened bundle. */
export interface BundleLicense {
  /** Its product (the license's `aud`): digits for a numeric product. */
  readonly productId: string;
  /** Its license key (`sub`). */
  readonly licenseKey: string;
  /** The native license's COSE bytes, exactly as the vendor signed them. */
  readonly bytes: Uint8Array;
  /** The same license, armoured. */
  readonly text: string;
}

/** Why a bundle did not give the program its license. */
export type BundleReasonCode = 'SIGNATURE_INVALID' | 'CUSTOMER_SECRET_MISMATCH' | 'PRODUCT_MISMATCH';

/**
 * Every reason an opened bundle reports, with what it means. Two share their
 * name and sense with a license verdict's reasons; `CUSTOMER_SECRET_MISMATCH`
 * is the bundle's own.
 */
export const BUNDLE_REASONS: Readonly<Record<BundleReasonCode, string>> = Object.freeze({
  SIGNATURE_INVALID: 'the vendor signature does not verify under the key (the file was altered, or signed by another key): nothing was decrypted',
  CUSTOMER_SECRET_MISMATCH: 'the signature verified but the customer secret does not decrypt the bundle: it was sealed for another secret',
  PRODUCT_MISMATCH: 'the bundle opened but holds no license for the `productId` asked for',
});

/** The answer of {@link openCustomerBundle}: plain data. */
export interface OpenedCustomerBundle {
  /** Opened, and (with `productId`) holding a license for that product. */
  readonly valid: boolean;
  /** Every reason it is not valid (empty when valid). */
  readonly reasons: readonly BundleReasonCode[];
  /** The signature verified and the secret decrypted it. */
  readonly opened: boolean;
  /** The customer it was sealed for (null unless opened). */
  readonly customer: { readonly id: string; readonly name: string | null } | null;
  /** Every license it holds, in the vendor's order (empty unless opened). */
  readonly licenses: readonly BundleLicense[];
  /** The license for `productId` (null without one, or unless opened). */
  readonly license: BundleLicense | null;
  /** The id of the key of the ring that verified the vendor signature, or null. */
  readonly keyId: string | null;
  /** When the vendor sealed it (null when the signature did not verify). */
  readonly sealedAt: Date | null;
  readonly now: Date;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['secret', 'key', 'productId', 'now', 'backend', 'maxInputBytes']);
const HEADER_LIMITS = { maxDepth: 3, maxItems: 64 } as const;
const CONTENT_LIMITS = { maxDepth: 4, maxItems: 8 + 4 * MAX_BUNDLE_LICENSES } as const;

function payloadInvalid(message: string): never {
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `customer bundle: ${message}`);
}

/** The bundle's COSE bytes: armoured text, or bytes (binary, or the armoured text's UTF-8). */
function bundleBytes(input: unknown, maxBytes: number): Uint8Array {
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `customer bundle of ${input.length} characters exceeds the limit of ${maxBytes}`);
    return dearmorBundle(input);
  }
  if (!(input instanceof Uint8Array)) throw new TypeError('a customer bundle must be a string or a Uint8Array');
  if (input.length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `customer bundle of ${input.length} bytes exceeds the limit of ${maxBytes}`);
  if (input.length === 0) throw new LicenseInputError('ERR_INPUT_EMPTY', 'the customer bundle is empty');
  if (input[0] === 0xd2) return input.slice(); // our own copy: what is verified cannot change under us
  const text = decodeUtf8(input);
  if (text === null) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'a customer bundle is COSE bytes (tag 18) or its armoured UTF-8 text');
  return dearmorBundle(text);
}

/** The key of the ring whose signature verifies, or null (an id the ring does not hold counts as a signature that does not verify). */
async function signer(cose: CoseSign1, ring: ReturnType<typeof importKeyRing>, backend: SignatureBackend): Promise<KeyRingEntry | null> {
  const fits = (key: Parameters<typeof keyFitsAlgorithm>[0]) => keyFitsAlgorithm(key, cose.algorithm);
  let keys: readonly KeyRingEntry[];
  try {
    keys = candidateKeys(ring, cose.keyId, fits);
  } catch (error) {
    if (isLicenseKitError(error) && error.code === 'ERR_KEY_UNKNOWN_KID') return null;
    throw error;
  }
  const envelope = { format: 'customer-bundle', signedBytes: cose.toBeSigned, signature: cose.signature, algorithm: cose.algorithm, keyId: cose.keyId };
  for (const entry of keys) if (fits(entry.key) && (await verifySignedEnvelope(envelope, entry.key, backend))) return entry;
  return null;
}

interface Header {
  readonly sealedAt: Date;
  readonly logN: number;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Reads the VERIFIED payload: what it is, and how to open it, within bounds. */
function readHeader(payload: Uint8Array): Header {
  const { value } = decodeCbor(payload, HEADER_LIMITS);
  if (!(value instanceof Map)) payloadInvalid('the payload is not a CBOR map');
  const map = value as CborMap;
  const type = map.get(NATIVE_CLAIMS.messageType.key);
  if (type !== BUNDLE_MESSAGE_TYPE) payloadInvalid(type === undefined ? 'this is a license, not a customer bundle' : `this is a vendor ${JSON.stringify(String(type)).slice(0, 40)} message, not a customer bundle`);
  const version = map.get('v');
  if (version !== BUNDLE_VERSION) throw new UnsupportedFormatError(`customer bundle: layout ${describe(version)} is not one this licensekit reads (${BUNDLE_VERSION})`);
  const aead = map.get('aead');
  if (aead !== BUNDLE_AEAD) throw new UnsupportedFormatError(`customer bundle: cipher ${describe(aead)} is not supported (${BUNDLE_AEAD})`);
  const kdf = map.get('kdf');
  if (!Array.isArray(kdf) || kdf.length !== 4 || kdf[0] !== 'scrypt') payloadInvalid('"kdf" must be ["scrypt", log2 N, r, p]');
  const [, logN, r, p] = kdf as CborValue[];
  // Bounded BEFORE any key is derived: an N, r or p out of range is refused at once, whoever signed it.
  if (typeof logN !== 'number' || !Number.isInteger(logN) || logN < SCRYPT.minLogN || logN > SCRYPT.maxLogN || r !== SCRYPT.r || p !== SCRYPT.p) {
    payloadInvalid(`scrypt parameters out of bounds: log2 N must be ${SCRYPT.minLogN} to ${SCRYPT.maxLogN}, r ${SCRYPT.r}, p ${SCRYPT.p}`);
  }
  const bytes = (name: string, length?: number): Uint8Array => {
    const v = map.get(name);
    if (!(v instanceof Uint8Array) || (length !== undefined ? v.length !== length : v.length <= 16)) payloadInvalid(`"${name}" must be ${length === undefined ? 'more than 16 bytes' : `${length} bytes`}`);
    return v;
  };
  const iat = map.get(NATIVE_CLAIMS.iat.key);
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(iat) > 8.64e12) payloadInvalid('"iat" (6) must be a NumericDate');
  return { sealedAt: new Date(Math.round(iat * 1000)), logN, salt: bytes('salt', SALT_BYTES), nonce: bytes('nonce', NONCE_BYTES), ciphertext: bytes('ct') };
}

/** Reads the decrypted content (the vendor wrote it: anything malformed is `ERR_PAYLOAD_INVALID`). */
function readContent(plaintext: Uint8Array): { customer: { id: string; name: string | null }; licenses: BundleLicense[] } {
  let value: CborValue;
  try {
    value = decodeCbor(plaintext, CONTENT_LIMITS).value;
  } catch (error) {
    payloadInvalid(`the content is not strict CBOR (${(error as Error).message})`);
  }
  if (!(value instanceof Map)) payloadInvalid('the content is not a CBOR map');
  const customer = value.get('customer');
  const list = value.get('licenses');
  if (!Array.isArray(customer) || customer.length !== 2 || typeof customer[0] !== 'string' || customer[0].length === 0 || (customer[1] !== null && typeof customer[1] !== 'string')) {
    payloadInvalid('"customer" must be [id, name or null]');
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BUNDLE_LICENSES) payloadInvalid(`"licenses" must hold 1 to ${MAX_BUNDLE_LICENSES} licenses`);
  const licenses = (list as CborValue[]).map((item, i): BundleLicense => {
    if (!Array.isArray(item) || item.length !== 3) payloadInvalid(`licenses[${i}] must be [product, license key, license bytes]`);
    const [productId, licenseKey, license] = item as CborValue[];
    if (typeof productId !== 'string' || productId.length === 0 || typeof licenseKey !== 'string' || licenseKey.length === 0 || !(license instanceof Uint8Array) || license.length === 0) {
      payloadInvalid(`licenses[${i}] must be [product, license key, license bytes]`);
    }
    const bytes = license.slice();
    return { productId, licenseKey, bytes, text: armor(bytes) };
  });
  return { customer: { id: customer[0] as string, name: customer[1] as string | null }, licenses };
}

/**
 * Opens a customer bundle with the customer's secret: verifies the vendor's
 * signature over the exact bytes received (armoured text or COSE bytes), then
 * derives the key (scrypt, with parameters bounded before any work) and
 * decrypts. Resolves plain data: `{ valid, reasons, opened, customer,
 * licenses, license, … }`; verify each license as usual before trusting what
 * it grants. Rejects only for unreadable input, a key problem or misuse.
 * @example
 * const opened = await openCustomerBundle(readFileSync('acme.bundle'), { secret, key: VENDOR_PUBLIC_KEY, productId: 1001 });
 * if (opened.license) verdict = await verifyLicense(opened.license.bytes, { key: VENDOR_PUBLIC_KEY, productId: 1001 });
 * else console.error(opened.reasons); // e.g. [ 'CUSTOMER_SECRET_MISMATCH' ]
 */
export async function openCustomerBundle(input: string | Uint8Array, options: OpenCustomerBundleOptions): Promise<OpenedCustomerBundle> {
  checkOptionsObject(options, 'options', OPTION_NAMES);
  const { secret } = parseCustomerSecret(ownValue(options, 'secret'));
  const key = ownValue(options, 'key');
  if (key === undefined || key === null) throw new OptionError('"key" is required (the vendor public key, or a key ring)');
  const ring = importKeyRing(key as KeyRingInput);
  const productId = ownValue(options, 'productId');
  if (productId !== undefined && !(typeof productId === 'string' ? productId.length > 0 : Number.isSafeInteger(productId) && (productId as number) >= 0)) {
    throw new OptionError(`"productId" must be a whole number or non-empty text, got ${describe(productId)}`);
  }
  const backend = (ownValue(options, 'backend') ?? purejsBackend) as SignatureBackend;
  if (typeof backend !== 'object' || backend === null || typeof backend.verify !== 'function') throw new OptionError('"backend" must be a signature backend object');
  const maxBytes = ownValue(options, 'maxInputBytes') ?? DEFAULT_MAX_BUNDLE_BYTES;
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new OptionError(`"maxInputBytes" must be a positive integer, got ${describe(maxBytes)}`);
  const now = new Date(resolveNow(ownValue(options, 'now'), Date.now));

  const cose = parseCoseSign1(bundleBytes(input, maxBytes));
  const closed = (reason: BundleReasonCode, keyId: string | null, sealedAt: Date | null): OpenedCustomerBundle =>
    ({ valid: false, reasons: [reason], opened: false, customer: null, licenses: [], license: null, keyId, sealedAt, now });
  const entry = await signer(cose, ring, backend);
  if (entry === null) return closed('SIGNATURE_INVALID', null, null);

  const header = readHeader(cose.payload);
  const derived = await scryptAsync(encodeUtf8(secret), header.salt, { N: 2 ** header.logN, r: SCRYPT.r, p: SCRYPT.p, dkLen: KEY_BYTES, maxmem: SCRYPT.maxmem });
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(derived, header.nonce, encodeUtf8(BUNDLE_AAD)).decrypt(header.ciphertext);
  } catch {
    // The ciphertext is the vendor's (its signature verified): only the key, so the secret, can be wrong.
    return closed('CUSTOMER_SECRET_MISMATCH', entry.kid, header.sealedAt);
  } finally {
    derived.fill(0);
  }
  const { customer, licenses } = readContent(plaintext);
  plaintext.fill(0);
  const license = productId === undefined ? null : (licenses.find((l) => l.productId === String(productId)) ?? null);
  const reasons: BundleReasonCode[] = productId !== undefined && license === null ? ['PRODUCT_MISMATCH'] : [];
  return { valid: reasons.length === 0, reasons, opened: true, customer, licenses, license, keyId: entry.kid, sealedAt: header.sealedAt, now };
}
