/**
 * The ledger's records and the in-memory index both built-in ledgers keep:
 * `MemoryLedger` applies records to it directly, the file ledger replays its
 * journal into it and appends each new record before applying it. One place
 * validates what a caller asks to store (`plan*`, typed `LedgerError`s) and
 * one place checks that a stored record fits what came before (`apply`,
 * `ERR_LEDGER_CORRUPT` for a journal that breaks an invariant).
 *
 * Invariants: license keys, customer ids, activation ids and receipt ids are
 * unique; no two customers share a secret (a journal that breaks this, by
 * hand-merging, is still read, and a look-up by that secret is refused); a
 * license's customer exists; a device holds at most one seat of a license.
 * An activation record with `replaces` frees that held seat as it is stored
 * (a seat moved to the same machine's new device key); a `vendor-release`
 * record frees a seat without a receipt (the vendor's override); an `answer`
 * record raises a held seat's `answered` request sequence.
 *
 * No `node:*` import.
 */
import { LedgerError } from '../lib/errors.ts';
import type { LedgerActivation, LedgerCustomer, LedgerLicense, LicenseFilter } from './ledger.ts';

/** One entry of the journal (plain data, CBOR-encodable, no undefined). */
export type LedgerRecord =
  | ({ readonly t: 'license' } & LedgerLicense)
  | { readonly t: 'revoke'; readonly licenseKey: string }
  | ({ readonly t: 'customer' } & LedgerCustomer)
  | ({ readonly t: 'activation' } & Omit<LedgerActivation, 'releasedMs' | 'releasedBy' | 'replaces' | 'machineCode' | 'answered'> & { readonly replaces?: string; readonly machineCode?: string; readonly answered?: number })
  /** A held seat answered a later request (`answered` rises): receipts made before it no longer free the seat. */
  | { readonly t: 'answer'; readonly activationId: string; readonly answered: number }
  | { readonly t: 'release'; readonly activationId: string; readonly receiptId: string; readonly releasedMs: number }
  /** The vendor freed a seat without a receipt (`releaseSeat`). */
  | { readonly t: 'vendor-release'; readonly activationId: string; readonly releasedMs: number };

/** Longest identifier (license key, ids, receipt id, device key id, product name) in UTF-16 units. */
export const MAX_ID_LENGTH = 256;
/** Longest free text (customer name, secret, device public key). */
export const MAX_TEXT_LENGTH = 1024;
/** Longest recorded fingerprint. */
export const MAX_FINGERPRINT_LENGTH = 16_384;
/** Largest machine limit. */
export const MAX_MACHINES = 1_000_000;

const invalid = (message: string): LedgerError => new LedgerError('ERR_LEDGER_INVALID', message);

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return true;
  }
  return false;
}

/** A non-empty, well-formed string of at most `max` units, or ERR_LEDGER_INVALID naming `name`. */
export function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string') throw invalid(`"${name}" expected a string, got ${value === null ? 'null' : typeof value}`);
  if (value.length === 0) throw invalid(`"${name}" is empty`);
  if (value.length > max) throw invalid(`"${name}" is ${value.length} characters long, more than ${max}`);
  if (hasLoneSurrogate(value)) throw invalid(`"${name}" is not well-formed Unicode (a lone surrogate)`);
  return value;
}

/** A request sequence: a whole number from 0 to 2^48 − 1 (six bytes of a nonce). */
export function sequence(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 2 ** 48 - 1) throw invalid(`"${name}" expected a whole number from 0 to 2^48 - 1, got ${String(value)}`);
  return value;
}

/** Whole non-negative milliseconds since the epoch. */
export function epochMs(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`"${name}" expected whole non-negative epoch milliseconds, got ${String(value)}`);
  return value;
}

function productIdOf(value: unknown): number | string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw invalid(`"productId" expected a non-negative integer or a string, got ${value}`);
    return value;
  }
  return text(value, 'productId', MAX_ID_LENGTH);
}

function objectOf(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`"${name}" expected an object`);
  return value as Record<string, unknown>;
}

/** Reads an own property only (prototype pollution elsewhere never reaches a record). */
const own = (object: Record<string, unknown>, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

/** The decision a planned mutation came to: the record to store, or a result that writes nothing. */
export type Plan<T> = { readonly record: LedgerRecord; readonly result: T } | { readonly record: null; readonly result: T };

/** The ledger's content, indexed. Records are frozen and shared with callers. */
export class LedgerIndex {
  readonly #licenses = new Map<string, LedgerLicense>();
  readonly #customers = new Map<string, LedgerCustomer>();
  /** secret → ids of the customers with it (more than one only in a hand-merged journal). */
  readonly #secrets = new Map<string, string[]>();
  readonly #activations: LedgerActivation[] = [];
  readonly #activationAt = new Map<string, number>();
  readonly #receipts = new Set<string>();
  /** How many records were applied. */
  count = 0;

  getLicense(licenseKey: string): LedgerLicense | null {
    return this.#licenses.get(licenseKey) ?? null;
  }

  listLicenses(filter: LicenseFilter | undefined): readonly LedgerLicense[] {
    let customerId: string | undefined;
    let productId: number | string | undefined;
    if (filter !== undefined) {
      const f = objectOf(filter, 'filter');
      const c = own(f, 'customerId');
      const p = own(f, 'productId');
      if (c !== undefined) customerId = text(c, 'filter.customerId', MAX_ID_LENGTH);
      if (p !== undefined) productId = productIdOf(p);
    }
    return Object.freeze(
      [...this.#licenses.values()].filter((l) => (customerId === undefined || l.customerId === customerId) && (productId === undefined || l.productId === productId)),
    );
  }

  getCustomer(id: string): LedgerCustomer | null {
    return this.#customers.get(id) ?? null;
  }

  findCustomerBySecret(secret: string): LedgerCustomer | null {
    const ids = this.#secrets.get(secret);
    if (ids === undefined) return null;
    if (ids.length > 1) throw new LedgerError('ERR_CUSTOMER_SECRET_TAKEN', 'A customer with the same secret exists.');
    return this.#customers.get(ids[0]!)!;
  }

  listCustomers(): readonly LedgerCustomer[] {
    return Object.freeze([...this.#customers.values()]);
  }

  listActivations(licenseKey: string | undefined): readonly LedgerActivation[] {
    return Object.freeze(licenseKey === undefined ? this.#activations.slice() : this.#activations.filter((a) => a.licenseKey === licenseKey));
  }

  /** The seats of `licenseKey` held now, in the order taken. */
  held(licenseKey: string): readonly LedgerActivation[] {
    return Object.freeze(this.#activations.filter((a) => a.licenseKey === licenseKey && a.releasedMs === null));
  }

  planAddLicense(input: unknown, nowMs: number): Plan<LedgerLicense> {
    const o = objectOf(input, 'license');
    const licenseKey = text(own(o, 'licenseKey'), 'licenseKey', MAX_ID_LENGTH);
    const productId = productIdOf(own(o, 'productId'));
    const maxMachines = own(o, 'maxMachines');
    if (typeof maxMachines !== 'number' || !Number.isSafeInteger(maxMachines) || maxMachines < 0 || maxMachines > MAX_MACHINES) {
      throw invalid(`"maxMachines" expected an integer from 0 to ${MAX_MACHINES}, got ${String(maxMachines)}`);
    }
    const rawCustomer = own(o, 'customerId');
    const customerId = rawCustomer === null || rawCustomer === undefined ? null : text(rawCustomer, 'customerId', MAX_ID_LENGTH);
    const rawRevoked = own(o, 'revoked');
    if (rawRevoked !== undefined && typeof rawRevoked !== 'boolean') throw invalid('"revoked" expected a boolean');
    const createdMs = epochMs(nowMs, 'nowMs');
    if (this.#licenses.has(licenseKey)) throw new LedgerError('ERR_LEDGER_DUPLICATE', `the ledger already has a license with the key ${licenseKey}`);
    if (customerId !== null && !this.#customers.has(customerId)) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `the ledger has no customer with the id ${customerId}`);
    const license: LedgerLicense = { licenseKey, productId, maxMachines, customerId, revoked: rawRevoked ?? false, createdMs };
    return { record: { t: 'license', ...license }, result: Object.freeze(license) };
  }

  planRevoke(licenseKey: unknown): Plan<LedgerLicense> {
    const key = text(licenseKey, 'licenseKey', MAX_ID_LENGTH);
    const license = this.#licenses.get(key);
    if (license === undefined) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `the ledger has no license with the key ${key}`);
    if (license.revoked) return { record: null, result: license };
    return { record: { t: 'revoke', licenseKey: key }, result: Object.freeze({ ...license, revoked: true }) };
  }

  planAddCustomer(input: unknown, nowMs: number): Plan<LedgerCustomer> {
    const o = objectOf(input, 'customer');
    const name = text(own(o, 'name'), 'name', MAX_TEXT_LENGTH);
    const secret = text(own(o, 'secret'), 'secret', MAX_TEXT_LENGTH);
    const rawId = own(o, 'id');
    const createdMs = epochMs(nowMs, 'nowMs');
    let id: string;
    if (rawId === undefined) {
      let n = this.#customers.size + 1;
      while (this.#customers.has(`cus_${n}`)) n++;
      id = `cus_${n}`;
    } else {
      id = text(rawId, 'id', MAX_ID_LENGTH);
      if (this.#customers.has(id)) throw new LedgerError('ERR_LEDGER_DUPLICATE', `the ledger already has a customer with the id ${id}`);
    }
    if (this.#secrets.has(secret)) throw new LedgerError('ERR_CUSTOMER_SECRET_TAKEN', 'A customer with the same secret exists.');
    const customer: LedgerCustomer = { id, name, secret, createdMs };
    return { record: { t: 'customer', ...customer }, result: Object.freeze(customer) };
  }

  planTakeSeat(
    licenseKey: unknown,
    decide: (license: LedgerLicense, held: readonly LedgerActivation[]) => LedgerActivation | null,
  ): Plan<LedgerActivation | null> {
    const key = text(licenseKey, 'licenseKey', MAX_ID_LENGTH);
    if (typeof decide !== 'function') throw invalid('"decide" expected a function');
    const license = this.#licenses.get(key);
    if (license === undefined) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `the ledger has no license with the key ${key}`);
    const held = this.held(key);
    const chosen: unknown = decide(license, held);
    if (chosen === null) return { record: null, result: null };
    const o = objectOf(chosen, 'activation');
    const id = text(own(o, 'id'), 'activation.id', MAX_ID_LENGTH);
    const kept = held.find((a) => a.id === id);
    if (kept !== undefined) {
      const rawAnswered = own(o, 'answered');
      const answered = rawAnswered === null || rawAnswered === undefined ? null : sequence(rawAnswered, 'activation.answered');
      if (answered === null || answered <= (kept.answered ?? -1)) return { record: null, result: kept };
      return { record: { t: 'answer', activationId: id, answered }, result: Object.freeze({ ...kept, answered }) };
    }
    if (own(o, 'licenseKey') !== key) throw invalid(`"activation.licenseKey" must be the license's key ${key}`);
    const deviceKeyId = text(own(o, 'deviceKeyId'), 'activation.deviceKeyId', MAX_ID_LENGTH);
    const devicePublicKey = text(own(o, 'devicePublicKey'), 'activation.devicePublicKey', MAX_TEXT_LENGTH);
    const rawFingerprint = own(o, 'fingerprint');
    const fingerprint = rawFingerprint === null || rawFingerprint === undefined ? null : text(rawFingerprint, 'activation.fingerprint', MAX_FINGERPRINT_LENGTH);
    const activatedMs = epochMs(own(o, 'activatedMs'), 'activation.activatedMs');
    const releasedMs = own(o, 'releasedMs');
    if (releasedMs !== null && releasedMs !== undefined) throw invalid('"activation.releasedMs" must be null for a seat being taken');
    const rawReplaces = own(o, 'replaces');
    const replaces = rawReplaces === null || rawReplaces === undefined ? null : text(rawReplaces, 'activation.replaces', MAX_ID_LENGTH);
    if (replaces !== null && !held.some((a) => a.id === replaces)) throw invalid(`"activation.replaces" must be the id of a seat of ${key} held now, not ${replaces}`);
    const rawMachineCode = own(o, 'machineCode');
    const machineCode = rawMachineCode === null || rawMachineCode === undefined ? null : text(rawMachineCode, 'activation.machineCode', MAX_ID_LENGTH);
    const rawAnswered = own(o, 'answered');
    const answered = rawAnswered === null || rawAnswered === undefined ? null : sequence(rawAnswered, 'activation.answered');
    const rawReleasedBy = own(o, 'releasedBy');
    if (rawReleasedBy !== null && rawReleasedBy !== undefined) throw invalid('"activation.releasedBy" must be null for a seat being taken');
    if (this.#activationAt.has(id)) throw new LedgerError('ERR_LEDGER_DUPLICATE', `the ledger already has an activation with the id ${id}`);
    if (held.some((a) => a.deviceKeyId === deviceKeyId && a.id !== replaces)) {
      throw new LedgerError('ERR_LEDGER_DUPLICATE', `the device ${deviceKeyId} already holds a seat of ${key}; return that seat to keep it`);
    }
    const activation: LedgerActivation = { id, licenseKey: key, deviceKeyId, devicePublicKey, fingerprint, activatedMs, releasedMs: null, replaces, releasedBy: null, machineCode, answered };
    const { releasedMs: _, releasedBy: __, replaces: ___, machineCode: ____, answered: _____, ...stored } = activation;
    // `replaces`, `machineCode` and `answered` are written only when set: a record without them reads as before.
    const optional = { ...(replaces === null ? {} : { replaces }), ...(machineCode === null ? {} : { machineCode }), ...(answered === null ? {} : { answered }) };
    return { record: { t: 'activation', ...stored, ...optional }, result: Object.freeze(activation) };
  }

  planRelease(licenseKey: unknown, deviceKeyId: unknown, receiptId: unknown, nowMs: unknown, madeAfter?: unknown): Plan<'released' | 'already-used' | 'not-held' | 'answered-later'> {
    const key = text(licenseKey, 'licenseKey', MAX_ID_LENGTH);
    const device = text(deviceKeyId, 'deviceKeyId', MAX_ID_LENGTH);
    const receipt = text(receiptId, 'receiptId', MAX_ID_LENGTH);
    const releasedMs = epochMs(nowMs, 'nowMs');
    if (this.#receipts.has(receipt)) return { record: null, result: 'already-used' };
    const seat = this.#activations.find((a) => a.licenseKey === key && a.deviceKeyId === device && a.releasedMs === null);
    if (seat === undefined) return { record: null, result: 'not-held' };
    // A receipt made before a request this seat answered (the machine asked again, and may hold that answer) frees nothing.
    if (madeAfter !== undefined && seat.answered != null && seat.answered > sequence(madeAfter, 'madeAfter')) return { record: null, result: 'answered-later' };
    return { record: { t: 'release', activationId: seat.id, receiptId: receipt, releasedMs }, result: 'released' };
  }

  planReleaseSeat(licenseKey: unknown, deviceKeyId: unknown, nowMs: unknown): Plan<LedgerActivation | null> {
    const key = text(licenseKey, 'licenseKey', MAX_ID_LENGTH);
    const device = text(deviceKeyId, 'deviceKeyId', MAX_ID_LENGTH);
    const releasedMs = epochMs(nowMs, 'nowMs');
    if (!this.#licenses.has(key)) throw new LedgerError('ERR_LEDGER_NOT_FOUND', `the ledger has no license with the key ${key}`);
    const seat = this.#activations.find((a) => a.licenseKey === key && a.deviceKeyId === device && a.releasedMs === null);
    if (seat === undefined) return { record: null, result: null };
    return { record: { t: 'vendor-release', activationId: seat.id, releasedMs }, result: Object.freeze({ ...seat, releasedMs, releasedBy: 'vendor' as const }) };
  }

  /** Frees a held seat (a `release`, `vendor-release` or replacing `activation` record), or says why it cannot. */
  #free(activationId: string, releasedMs: number, releasedBy: 'receipt' | 'moved' | 'vendor', corrupt: (why: string) => LedgerError): void {
    const at = this.#activationAt.get(activationId);
    const seat = at === undefined ? undefined : this.#activations[at];
    if (seat === undefined || seat.releasedMs !== null) throw corrupt(`frees ${activationId}, which is not a held seat`);
    this.#activations[at!] = Object.freeze({ ...seat, releasedMs, releasedBy });
  }

  /**
   * Applies a stored record. `plan*` records always fit; a journal record
   * that does not (a duplicate, a dangling reference, a wrong shape) is
   * ERR_LEDGER_CORRUPT: `where` says which record.
   */
  apply(record: LedgerRecord, where = 'a record'): void {
    const corrupt = (why: string): LedgerError => new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal ${why}`);
    try {
      switch (record.t) {
        case 'license': {
          const plan = this.planAddLicense(record, record.createdMs);
          this.#licenses.set(record.licenseKey, plan.result);
          break;
        }
        case 'revoke': {
          const plan = this.planRevoke(record.licenseKey);
          this.#licenses.set(record.licenseKey, plan.result);
          break;
        }
        case 'customer': {
          const o = objectOf(record, 'customer');
          const secret = text(own(o, 'secret'), 'secret', MAX_TEXT_LENGTH);
          const id = text(own(o, 'id'), 'id', MAX_ID_LENGTH);
          if (this.#customers.has(id)) throw corrupt(`repeats the customer id ${id}`);
          // A journal may hold two customers with one secret (merged by hand): kept, and a look-up by it is refused.
          const customer = Object.freeze({ id, name: text(own(o, 'name'), 'name', MAX_TEXT_LENGTH), secret, createdMs: epochMs(own(o, 'createdMs'), 'createdMs') });
          this.#customers.set(id, customer);
          const ids = this.#secrets.get(secret);
          if (ids === undefined) this.#secrets.set(secret, [id]);
          else ids.push(id);
          break;
        }
        case 'activation': {
          const plan = this.planTakeSeat(record.licenseKey, () => ({ ...record, releasedMs: null }));
          if (plan.record === null || plan.record.t !== 'activation' || plan.result === null) throw corrupt(`repeats the activation ${record.id}`);
          // The seat it takes over is freed in the same step (planTakeSeat checked that it is held).
          if (plan.result.replaces != null) this.#free(plan.result.replaces, plan.result.activatedMs, 'moved', corrupt);
          this.#activationAt.set(plan.result.id, this.#activations.length);
          this.#activations.push(plan.result);
          break;
        }
        case 'release': {
          const o = objectOf(record, 'release');
          const activationId = text(own(o, 'activationId'), 'activationId', MAX_ID_LENGTH);
          const receiptId = text(own(o, 'receiptId'), 'receiptId', MAX_ID_LENGTH);
          const releasedMs = epochMs(own(o, 'releasedMs'), 'releasedMs');
          if (this.#receipts.has(receiptId)) throw corrupt(`repeats the receipt ${receiptId}`);
          this.#free(activationId, releasedMs, 'receipt', corrupt);
          this.#receipts.add(receiptId);
          break;
        }
        case 'answer': {
          const o = objectOf(record, 'answer');
          const activationId = text(own(o, 'activationId'), 'activationId', MAX_ID_LENGTH);
          const answered = sequence(own(o, 'answered'), 'answered');
          const at = this.#activationAt.get(activationId);
          const seat = at === undefined ? undefined : this.#activations[at];
          if (seat === undefined || seat.releasedMs !== null || answered <= (seat.answered ?? -1)) throw corrupt(`raises ${activationId}, which is not a held seat answered before`);
          this.#activations[at!] = Object.freeze({ ...seat, answered });
          break;
        }
        case 'vendor-release': {
          const o = objectOf(record, 'vendor-release');
          this.#free(text(own(o, 'activationId'), 'activationId', MAX_ID_LENGTH), epochMs(own(o, 'releasedMs'), 'releasedMs'), 'vendor', corrupt);
          break;
        }
        default:
          throw corrupt(`has an unknown type ${JSON.stringify(String((record as { t?: unknown }).t)).slice(0, 40)}`);
      }
    } catch (error) {
      if (error instanceof LedgerError && error.code !== 'ERR_LEDGER_CORRUPT') throw corrupt(`does not fit what came before: ${error.message}`);
      throw error;
    }
    this.count++;
  }
}

/**
 * Checks that a decoded journal entry has the shape of a {@link LedgerRecord}
 * (own `t` of a known type, plain object); the field values are checked by
 * {@link LedgerIndex.apply}.
 */
export function asRecord(value: unknown, where: string): LedgerRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, 't')) {
    throw new LedgerError('ERR_LEDGER_CORRUPT', `${where} of the ledger journal is not a record`);
  }
  return value as LedgerRecord;
}
