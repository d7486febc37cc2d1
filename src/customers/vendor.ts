/**
 * Customer secrets on the vendor's side, over any {@link Ledger}: adding a
 * customer with a unique secret, looking one up by secret (Cryptolens' "Get
 * Customer Licenses By Secret"), and sealing a bundle of a customer's ledger
 * licenses. The ledger refuses a taken secret atomically; this module draws a
 * generated one again and lets a vendor-supplied one be refused.
 * No `node:*` import.
 */
import type { PrivateJwk, SignatureBackend } from '../backends/backend.ts';
import { signNativeLicense } from '../formats/native/issue.ts';
import type { Ledger, LedgerCustomer, LedgerLicense } from '../ledger/ledger.ts';
import { LedgerError, OptionError, isLicenseKitError } from '../lib/errors.ts';
import type { RandomBytes } from '../lib/random-key.ts';
import { sealCustomerBundle, type SealedCustomerBundle } from './seal.ts';
import { generateCustomerSecret, parseCustomerSecret, type CustomerSecretFormat } from './secret.ts';

/** The message of `ERR_CUSTOMER_SECRET_TAKEN`, word for word as Cryptolens gives it. */
export const SECRET_TAKEN_MESSAGE = 'A customer with the same secret exists.';

/** How many generated secrets are tried before giving up (a collision of 94- or 122-bit secrets twice in a row means a broken CSPRNG). */
const MAX_DRAWS = 8;

/** What {@link addCustomerWithSecret} needs. */
export interface AddCustomerOptions {
  readonly name: string;
  /** A vendor-supplied secret (imported from Cryptolens, say); refused when another customer has it. Generated when omitted. */
  readonly secret?: string;
  /** The form of a generated secret: `guid` (default) or `key`. */
  readonly secretFormat?: CustomerSecretFormat;
  /** The customer's id (the ledger assigns one when omitted). */
  readonly id?: string;
  /** The CSPRNG for a generated secret (tests). */
  readonly random?: RandomBytes;
}

function taken(error: unknown): boolean {
  return isLicenseKitError(error) && error.code === 'ERR_CUSTOMER_SECRET_TAKEN';
}

/**
 * Adds a customer with a secret no other customer has. A generated secret
 * that collides is drawn again; a supplied one that collides is refused with
 * `LedgerError` `ERR_CUSTOMER_SECRET_TAKEN`, "A customer with the same secret
 * exists.". A supplied secret is stored in its canonical form (a GUID in
 * lowercase, a key-form secret in capitals).
 * @example
 * const { id, secret } = await addCustomerWithSecret(ledger, { name: 'Acme', secretFormat: 'key' }, Date.now());
 */
export async function addCustomerWithSecret(ledger: Ledger, options: AddCustomerOptions, nowMs: number): Promise<LedgerCustomer> {
  if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object with "name"');
  const { name, id } = options;
  if (typeof name !== 'string' || name.trim() === '') throw new OptionError('"name" must be a non-empty string');
  const base = id === undefined ? { name } : { name, id };
  if (options.secret !== undefined) {
    if (options.secretFormat !== undefined) throw new OptionError('give "secret" or "secretFormat", not both');
    return ledger.addCustomer({ ...base, secret: parseCustomerSecret(options.secret).secret }, nowMs);
  }
  for (let draw = 1; ; draw++) {
    try {
      return await ledger.addCustomer({ ...base, secret: generateCustomerSecret(options.secretFormat ?? 'guid', options.random) }, nowMs);
    } catch (error) {
      if (!taken(error) || draw >= MAX_DRAWS) throw error;
    }
  }
}

/**
 * The customer a secret belongs to, or null. The secret is read as
 * `parseCustomerSecret` reads it (white space, letter case). When two records
 * share it (a vendor's own database, imported data), rejects with
 * `ERR_CUSTOMER_SECRET_TAKEN`, "A customer with the same secret exists.",
 * as Cryptolens does, rather than answer with one of them.
 */
export async function findCustomerBySecret(ledger: Ledger, secret: string): Promise<LedgerCustomer | null> {
  return ledger.findCustomerBySecret(parseCustomerSecret(secret).secret);
}

/** A customer and their licenses, found by secret. */
export interface CustomerLicenses {
  readonly customer: LedgerCustomer;
  readonly licenses: readonly LedgerLicense[];
}

/** Cryptolens' "Get Customer Licenses By Secret" over a ledger: the customer and every license they own, or null. */
export async function customerLicensesBySecret(ledger: Ledger, secret: string): Promise<CustomerLicenses | null> {
  const customer = await findCustomerBySecret(ledger, secret);
  if (customer === null) return null;
  return { customer, licenses: await ledger.listLicenses({ customerId: customer.id }) };
}

/** What {@link bundleCustomerLicenses} needs. */
export interface BundleCustomerOptions {
  readonly customerId: string;
  /** The vendor's private JWK: signs each license and the bundle. */
  readonly signingKey: PrivateJwk;
  /** A backend with `sign` and `verify`. */
  readonly backend: SignatureBackend;
  /** The signing time of the licenses and the bundle. */
  readonly now: Date;
  /** The licenses' expiry; `null` for perpetual licenses. */
  readonly expires: Date | null;
  readonly algorithm?: 'EdDSA' | 'RS256' | 'PS256';
  /** The vendor (`iss`) written into each license. */
  readonly issuer?: string;
  readonly scryptLogN?: number;
}

/**
 * Issues a native license for each of the customer's ledger licenses (revoked
 * ones left out: product, license key, the customer's id and name) and seals
 * them into one bundle under the customer's secret.
 * @throws {LedgerError} `ERR_LEDGER_NOT_FOUND` for an unknown customer, or one with no license that is not revoked.
 */
export async function bundleCustomerLicenses(ledger: Ledger, options: BundleCustomerOptions): Promise<SealedCustomerBundle & { readonly customer: LedgerCustomer; readonly licenseKeys: readonly string[] }> {
  const customer = await ledger.getCustomer(options.customerId);
  if (customer === null) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `no customer ${JSON.stringify(String(options.customerId)).slice(0, 80)} in the ledger`);
  const owned = (await ledger.listLicenses({ customerId: customer.id })).filter((l) => !l.revoked);
  if (owned.length === 0) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `customer ${customer.id} has no license in the ledger that is not revoked`);
  const sign = { privateJwk: options.signingKey, backend: options.backend, now: options.now, ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }) };
  const licenses: Uint8Array[] = [];
  for (const l of owned) {
    const issued = await signNativeLicense(
      { product: l.productId, key: l.licenseKey, expires: options.expires, customer: { id: customer.id, name: customer.name }, ...(options.issuer === undefined ? {} : { issuer: options.issuer }) },
      sign,
    );
    licenses.push(issued.bytes);
  }
  const sealed = await sealCustomerBundle({
    customer: { id: customer.id, name: customer.name, secret: customer.secret },
    licenses,
    signingKey: options.signingKey,
    backend: options.backend,
    now: options.now,
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    ...(options.scryptLogN === undefined ? {} : { scryptLogN: options.scryptLogN }),
  });
  return { ...sealed, customer, licenseKeys: owned.map((l) => l.licenseKey) };
}
