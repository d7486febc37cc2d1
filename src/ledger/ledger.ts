/**
 * The vendor ledger: what a vendor keeps on their own machine to answer
 * offline activation requests. Licenses (key, product, machine limit,
 * customer), customers (name, secret), activations (which machine holds a
 * seat of which license) and releases (deactivation receipts accepted once).
 *
 * This is the interface a vendor implements to plug in their own database.
 * The built-in implementations are `MemoryLedger` (tests, embedding) and the
 * file ledger (`openLedger(dir)` from the Node entry): a crash-safe store that
 * two vendor processes can use at once.
 *
 * Every method that decides on what is stored and then writes (taking a seat,
 * adding a customer whose secret must be unique, accepting a receipt once)
 * does so atomically: two processes never both take the last seat, never both
 * add the same secret, never both accept one receipt.
 *
 * All records are plain data (no classes, no Dates: times are epoch ms).
 * This module imports no `node:*` module.
 */

/** A license the vendor sold, as the ledger records it. */
export interface LedgerLicense {
  /** The license key (`sub` of the native licenses issued for it). Unique in the ledger. */
  readonly licenseKey: string;
  /** The product it is for. */
  readonly productId: number | string;
  /** How many machines may hold a seat at once (≥ 0). */
  readonly maxMachines: number;
  /** The customer who owns it, or null. */
  readonly customerId: string | null;
  /** True once the vendor revoked it: no new activation is answered. */
  readonly revoked: boolean;
  /** When it was added (epoch ms). */
  readonly createdMs: number;
}

/** A customer, with the secret that opens their licenses (never leaves the vendor's ledger). */
export interface LedgerCustomer {
  /** A stable id the ledger assigns (or the vendor gives). Unique. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** The customer secret: a GUID or four groups of five capital letters, or one the vendor imported. */
  readonly secret: string;
  /** When it was added (epoch ms). */
  readonly createdMs: number;
}

/** A seat: one machine holding one license. */
export interface LedgerActivation {
  /** Unique id of this activation. */
  readonly id: string;
  /** The license it holds a seat of. */
  readonly licenseKey: string;
  /** RFC 7638 thumbprint of the machine's device key (stable per machine's state). */
  readonly deviceKeyId: string;
  /** The device's public key (JWK `x` of an Ed25519 key, base64url). */
  readonly devicePublicKey: string;
  /** The machine's recorded fingerprint (salted hashes only), as the request carried it; null when the request had none. */
  readonly fingerprint: string | null;
  /** When the seat was taken (epoch ms). */
  readonly activatedMs: number;
  /** When the seat was freed (epoch ms), or null while it is held. */
  readonly releasedMs: number | null;
  /**
   * The id of the held seat this activation took over when it was taken, or
   * null. A machine that asks again with a new device key (its state folder
   * re-created, its OS reinstalled) but a fingerprint that matches its seat's
   * keeps that seat under its new device key: the old activation is freed
   * (`releasedBy: 'moved'`) and this one `replaces` it, in one step. Optional
   * so that a vendor's own `decide` or ledger may leave it out (null).
   */
  readonly replaces?: string | null;
  /**
   * How a freed seat was freed: `'receipt'` (a deactivation receipt the
   * machine signed), `'moved'` (taken over by the same machine's new device
   * key, see `replaces`), `'vendor'` (the vendor's override, `releaseSeat`);
   * null while held. Optional for a vendor's own ledger.
   */
  readonly releasedBy?: 'receipt' | 'moved' | 'vendor' | null;
  /**
   * The machine code the seat's licenses are bound to (the request's, a
   * salted hash). A seat is kept, or moved to a new device key, only for a
   * request carrying this same code: otherwise a stolen device key or a
   * copied fingerprint would get a license for another machine on one seat.
   * Null when the ledger did not record it (then no request keeps the seat).
   * Optional for a vendor's own ledger, which should store it.
   */
  readonly machineCode?: string | null;
  /**
   * The highest request sequence (the first 6 bytes of a request's nonce, as
   * the state counts its requests) answered for this seat. A deactivation
   * receipt frees the seat only if it was made after that request (its own
   * sequence is at least this): a receipt kept in a drawer while the machine
   * asked again and re-activated frees nothing. Null when not recorded.
   */
  readonly answered?: number | null;
}

/** What `findCustomers`-style and listing calls can filter on. */
export interface LicenseFilter {
  readonly customerId?: string;
  readonly productId?: number | string;
}

/** The ledger interface. Methods reject with typed errors (`LedgerError`). */
export interface Ledger {
  /** Adds a license; `ERR_LEDGER_DUPLICATE` when its key exists, `ERR_LEDGER_NOT_FOUND` when its customer does not. */
  addLicense(license: Omit<LedgerLicense, 'revoked' | 'createdMs'> & { readonly revoked?: boolean }, nowMs: number): Promise<LedgerLicense>;
  /** The license with this key, or null. */
  getLicense(licenseKey: string): Promise<LedgerLicense | null>;
  /** Every license (optionally of one customer or product), in the order added. */
  listLicenses(filter?: LicenseFilter): Promise<readonly LedgerLicense[]>;
  /** Marks a license revoked (idempotent); `ERR_LEDGER_NOT_FOUND` when unknown. */
  revokeLicense(licenseKey: string): Promise<LedgerLicense>;

  /**
   * Adds a customer. Refuses, atomically, a secret another customer already
   * has: `LedgerError` `ERR_CUSTOMER_SECRET_TAKEN` whose message is exactly
   * "A customer with the same secret exists." (the caller that generated the
   * secret draws another; a vendor-supplied one is refused).
   */
  addCustomer(customer: { readonly name: string; readonly secret: string; readonly id?: string }, nowMs: number): Promise<LedgerCustomer>;
  /** The customer with this id, or null. */
  getCustomer(id: string): Promise<LedgerCustomer | null>;
  /**
   * The customer whose secret this is, or null. When two records share the
   * secret (a vendor's own database, imported data), rejects with
   * `ERR_CUSTOMER_SECRET_TAKEN` and the same message, as Cryptolens does.
   */
  findCustomerBySecret(secret: string): Promise<LedgerCustomer | null>;
  /** Every customer, in the order added. */
  listCustomers(): Promise<readonly LedgerCustomer[]>;

  /** Every activation of a license (held and released), in the order taken. */
  listActivations(licenseKey?: string): Promise<readonly LedgerActivation[]>;
  /**
   * Atomically decides and records a seat: runs `decide` with the license's
   * current record and its held activations while no other writer can change
   * them, and stores the activation it returns. Returning one of `held`
   * (same id) keeps that seat and writes nothing; returning null refuses
   * (the caller's closure knows why) and writes nothing. A new activation
   * whose `replaces` is the id of one of `held` takes that seat over: the
   * held one is freed (`releasedBy: 'moved'`, `releasedMs` the new one's
   * `activatedMs`) and the new one stored, as one record (a device id may
   * then hold only the new seat; `replaces` naming anything but a held seat
   * is `ERR_LEDGER_INVALID`). Resolves with what `decide` returned.
   * `ERR_LEDGER_NOT_FOUND` for an unknown license.
   *
   * A vendor's own ledger written before `replaces` existed would store the
   * new activation beside the old one (that machine then holding two seats,
   * one over the limit, until one is released): implement it as above.
   */
  takeSeat(licenseKey: string, decide: (license: LedgerLicense, held: readonly LedgerActivation[]) => LedgerActivation | null): Promise<LedgerActivation | null>;
  /**
   * Atomically frees the seat that the device `deviceKeyId` holds of
   * `licenseKey`, on a receipt seen for the first time: records `receiptId`
   * and sets `releasedMs`. Resolves `'released'`, or `'already-used'` when
   * this receipt id was accepted before (nothing changes), or `'not-held'`
   * when that device holds no seat of that license, or `'answered-later'`
   * (nothing changes) when `madeAfter` is given and the seat's `answered` is
   * higher: a request made after the receipt was answered for that seat.
   */
  release(licenseKey: string, deviceKeyId: string, receiptId: string, nowMs: number, madeAfter?: number): Promise<'released' | 'already-used' | 'not-held' | 'answered-later'>;
  /**
   * The vendor's override: atomically frees the seat that the device
   * `deviceKeyId` holds of `licenseKey` without a receipt (a dead machine that
   * can never produce one), recorded as such (`releasedBy: 'vendor'`).
   * Resolves with the freed activation, or null when that device holds no
   * seat of that license. `ERR_LEDGER_NOT_FOUND` for an unknown license.
   * Optional: a vendor's own ledger may not offer it.
   */
  releaseSeat?(licenseKey: string, deviceKeyId: string, nowMs: number): Promise<LedgerActivation | null>;
}
