/**
 * Sealing a customer bundle (the vendor side): every license of one customer,
 * encrypted under a key derived from the customer's secret and signed with the
 * vendor's key, in one file. See `bundle-format.ts` for the layout.
 *
 * KDF: scrypt (RFC 7914), N = 2^15, r = 8, p = 1 by default, stored in the
 * signed payload. A generated secret carries 122 bits (GUID v4) or ≈ 94 bits
 * (key form): no KDF is needed to resist guessing those. scrypt is there for
 * the secret a vendor imported, which may be weaker (a time-based GUID, a
 * reused one): each guess then costs 32 MiB of memory and tens of
 * milliseconds, which GPUs and ASICs do not shrink the way they shrink a hash.
 *
 * Not on the verification path: imports the CBOR encoder and the signer.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { Encoder } from 'cbor-x';
import type { PrivateJwk, SignatureBackend } from '../backends/backend.ts';
import { parseCoseSign1 } from '../formats/native/cose.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { dearmor, looksArmored } from '../formats/native/armor.ts';
import { decodeClaims } from '../formats/native/read.ts';
import { bad, deterministic, seconds, signClaimsSet } from '../formats/native/issue.ts';
import { importPublicKey } from '../keys/import.ts';
import { decodeUtf8, encodeUtf8 } from '../lib/bytes.ts';
import { LicenseInputError, OptionError } from '../lib/errors.ts';
import { hostRandom, type RandomBytes } from '../lib/random-key.ts';
import {
  BUNDLE_AAD,
  BUNDLE_AEAD,
  BUNDLE_MESSAGE_TYPE,
  BUNDLE_VERSION,
  KEY_BYTES,
  MAX_BUNDLE_LICENSES,
  NONCE_BYTES,
  SALT_BYTES,
  SCRYPT,
  armorBundle,
} from './bundle-format.ts';
import { parseCustomerSecret } from './secret.ts';

/** What to seal. */
export interface SealCustomerBundleOptions {
  /** The customer, with their secret (GUID or key form; read by `parseCustomerSecret`). The secret is never written. */
  readonly customer: { readonly id: string; readonly name?: string | null; readonly secret: string };
  /** The customer's signed native licenses (armoured text or COSE bytes), one or more per product. */
  readonly licenses: readonly (string | Uint8Array)[];
  /** The vendor's private key (JWK, Ed25519 or RSA): it signs the bundle, and must be the key that signed each license. */
  readonly signingKey: PrivateJwk;
  /** When the bundle is sealed (its `iat`). The clock, when omitted. */
  readonly now?: Date;
  /** A backend with `sign` and `verify`. */
  readonly backend: SignatureBackend;
  /** EdDSA for Ed25519 keys; PS256 (default) or RS256 for RSA keys. */
  readonly algorithm?: 'EdDSA' | 'RS256' | 'PS256';
  /** log2 of scrypt's N: 15 (default) to 17. */
  readonly scryptLogN?: number;
  /** The CSPRNG for the salt and nonce (`crypto.getRandomValues` by default). */
  readonly random?: RandomBytes;
}

/** A sealed bundle in both forms. */
export interface SealedCustomerBundle {
  /** The COSE_Sign1 bytes. */
  readonly bytes: Uint8Array;
  /** The armoured text, `-----BEGIN LICENSEKIT CUSTOMER BUNDLE-----`. */
  readonly text: string;
  /** The key id in the protected header. */
  readonly kid: string | null;
  /** How many licenses it holds. */
  readonly licenses: number;
}

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true, useFloat32: 0 });

/** The public half of a private JWK (what the bundle's licenses must verify under). */
function publicJwkOf(jwk: PrivateJwk): Record<string, string> {
  const get = (k: string): string => (Object.hasOwn(jwk, k) && typeof jwk[k] === 'string' ? jwk[k]! : '');
  if (get('kty') === 'RSA') return { kty: 'RSA', n: get('n'), e: get('e') };
  if (get('kty') === 'OKP') return { kty: 'OKP', crv: get('crv'), x: get('x') };
  return bad('signingKey', 'an RSA or Ed25519 private JWK');
}

/** One license's bytes, product and key; refuses anything that is not a native license signed by `publicKey`. */
async function readLicense(input: unknown, index: number, verify: (alg: Parameters<SignatureBackend['verify']>[0], data: Uint8Array, sig: Uint8Array) => Promise<boolean>): Promise<[string, string, Uint8Array]> {
  const field = `licenses[${index}]`;
  let bytes: Uint8Array;
  if (typeof input === 'string') bytes = dearmor(input);
  else if (input instanceof Uint8Array) {
    const text = input[0] === 0xd2 ? null : decodeUtf8(input);
    bytes = text !== null && looksArmored(text) ? dearmor(text) : input.slice();
  } else return bad(field, 'a native license (armoured text or COSE bytes)');
  const cose = parseCoseSign1(bytes);
  if (!(await verify(cose.algorithm, cose.toBeSigned, cose.signature))) throw new OptionError(`"${field}" is not signed by the bundle's signing key`);
  const claims = decodeClaims(cose.payload);
  if (claims.has(NATIVE_CLAIMS.messageType.key)) bad(field, 'a license, not a vendor message');
  const aud = claims.get(NATIVE_CLAIMS.aud.key);
  const sub = claims.get(NATIVE_CLAIMS.sub.key);
  if (typeof aud !== 'string' || aud.length === 0) throw new LicenseInputError('ERR_PAYLOAD_INVALID', `${field}: a license in a bundle names its product ("aud", 3)`);
  if (typeof sub !== 'string' || sub.length === 0) throw new LicenseInputError('ERR_PAYLOAD_INVALID', `${field}: a license in a bundle names its license key ("sub", 2)`);
  return [aud, sub, bytes];
}

/**
 * Seals a customer's licenses into one bundle: encrypted (XChaCha20-Poly1305)
 * under `scrypt(secret, salt)`, then signed (COSE_Sign1) with the vendor key
 * over the ciphertext, salt, nonce and KDF parameters. Programs open it with
 * `openCustomerBundle`. The issuer entry (`licensekit/issuer`) defaults the
 * backend to node:crypto.
 * @throws {OptionError} for a bad customer, secret, key or license list.
 * @example
 * const { text } = await sealCustomerBundle({ customer: { id: 'c1', name: 'Acme', secret }, licenses: [lic1.bytes, lic2.text], signingKey: privateJwk, backend });
 */
export async function sealCustomerBundle(options: SealCustomerBundleOptions): Promise<SealedCustomerBundle> {
  if (typeof options !== 'object' || options === null) bad('options', 'an object');
  const { customer, licenses, signingKey, backend } = options;
  if (typeof customer !== 'object' || customer === null) bad('customer', 'an object with "id" and "secret"');
  if (typeof customer.id !== 'string' || customer.id.length === 0) bad('customer.id', 'a non-empty string');
  const name = customer.name ?? null;
  if (name !== null && typeof name !== 'string') bad('customer.name', 'text or null');
  const { secret } = parseCustomerSecret(customer.secret, 'customer.secret');
  if (!Array.isArray(licenses) || licenses.length === 0 || licenses.length > MAX_BUNDLE_LICENSES) bad('licenses', `an array of 1 to ${MAX_BUNDLE_LICENSES} native licenses`);
  if (typeof signingKey !== 'object' || signingKey === null || !Object.hasOwn(signingKey, 'd')) bad('signingKey', 'a private JWK (with "d")');
  const logN = options.scryptLogN ?? SCRYPT.defaultLogN;
  if (!Number.isInteger(logN) || logN < SCRYPT.minLogN || logN > SCRYPT.maxLogN) bad('scryptLogN', `a whole number from ${SCRYPT.minLogN} to ${SCRYPT.maxLogN}`);
  const now = options.now ?? new Date();
  seconds(now, 'now');
  if (typeof backend?.verify !== 'function' || typeof backend.sign !== 'function') bad('backend', 'a backend that signs and verifies');

  const publicKey = importPublicKey(publicJwkOf(signingKey));
  const verify = (alg: Parameters<SignatureBackend['verify']>[0], data: Uint8Array, sig: Uint8Array) => backend.verify(alg, publicKey, data, sig).catch(() => false);
  const entries: [string, string, Uint8Array][] = [];
  for (let i = 0; i < licenses.length; i++) entries.push(await readLicense(Object.hasOwn(licenses, i) ? licenses[i] : undefined, i, verify));

  const random = options.random ?? hostRandom('seal a customer bundle');
  const salt = random(new Uint8Array(SALT_BYTES));
  const nonce = random(new Uint8Array(NONCE_BYTES));
  const key = scrypt(encodeUtf8(secret), salt, { N: 2 ** logN, r: SCRYPT.r, p: SCRYPT.p, dkLen: KEY_BYTES, maxmem: SCRYPT.maxmem });
  const plaintext = Uint8Array.from(encoder.encode(deterministic([['customer', [customer.id, name]], ['licenses', entries]])));
  const ciphertext = xchacha20poly1305(key, nonce, encodeUtf8(BUNDLE_AAD)).encrypt(plaintext);
  key.fill(0);
  plaintext.fill(0);

  const signed = await signClaimsSet(
    (at) =>
      deterministic([
        [NATIVE_CLAIMS.iat.key, seconds(at, 'now')],
        [NATIVE_CLAIMS.messageType.key, BUNDLE_MESSAGE_TYPE],
        ['v', BUNDLE_VERSION],
        ['kdf', ['scrypt', logN, SCRYPT.r, SCRYPT.p]],
        ['aead', BUNDLE_AEAD],
        ['salt', salt],
        ['nonce', nonce],
        ['ct', ciphertext],
      ]),
    { privateJwk: signingKey, backend, now, ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }) },
  );
  return Object.freeze({ bytes: signed.bytes, text: armorBundle(signed.bytes), kid: signed.kid, licenses: entries.length });
}
