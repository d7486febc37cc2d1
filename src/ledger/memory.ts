/**
 * A vendor ledger in memory: for tests, and for embedding where the vendor's
 * own code persists what it holds. Same contract as the file ledger: every
 * method decides and records in one step (nothing else runs in between, as
 * JavaScript runs one task at a time and no method awaits before it writes),
 * records are frozen plain data, bad input is a typed `LedgerError`.
 * Runs anywhere (no `node:*` import).
 *
 * @example
 * const ledger = new MemoryLedger();
 * await ledger.addLicense({ licenseKey: 'ABCDE-FGHIJ-KLMNO-PQRST', productId: 1001, maxMachines: 2, customerId: null }, Date.now());
 */
import type { Ledger, LedgerActivation, LedgerCustomer, LedgerLicense, LicenseFilter } from './ledger.ts';
import { LedgerIndex, type LedgerRecord, type Plan } from './records.ts';

/** A {@link Ledger} held in memory. */
export class MemoryLedger implements Ledger {
  readonly #index = new LedgerIndex();
  readonly #journal: LedgerRecord[] = [];

  #commit<T>(plan: Plan<T>): T {
    if (plan.record !== null) {
      this.#index.apply(plan.record);
      this.#journal.push(plan.record);
    }
    return plan.result;
  }

  /** Every record stored, in order (what the file ledger's journal would hold). */
  records(): readonly LedgerRecord[] {
    return Object.freeze(this.#journal.slice());
  }

  async addLicense(license: Omit<LedgerLicense, 'revoked' | 'createdMs'> & { readonly revoked?: boolean }, nowMs: number): Promise<LedgerLicense> {
    return this.#commit(this.#index.planAddLicense(license, nowMs));
  }

  async getLicense(licenseKey: string): Promise<LedgerLicense | null> {
    return this.#index.getLicense(licenseKey);
  }

  async listLicenses(filter?: LicenseFilter): Promise<readonly LedgerLicense[]> {
    return this.#index.listLicenses(filter);
  }

  async revokeLicense(licenseKey: string): Promise<LedgerLicense> {
    return this.#commit(this.#index.planRevoke(licenseKey));
  }

  async addCustomer(customer: { readonly name: string; readonly secret: string; readonly id?: string }, nowMs: number): Promise<LedgerCustomer> {
    return this.#commit(this.#index.planAddCustomer(customer, nowMs));
  }

  async getCustomer(id: string): Promise<LedgerCustomer | null> {
    return this.#index.getCustomer(id);
  }

  async findCustomerBySecret(secret: string): Promise<LedgerCustomer | null> {
    return this.#index.findCustomerBySecret(secret);
  }

  async listCustomers(): Promise<readonly LedgerCustomer[]> {
    return this.#index.listCustomers();
  }

  async listActivations(licenseKey?: string): Promise<readonly LedgerActivation[]> {
    return this.#index.listActivations(licenseKey);
  }

  async takeSeat(licenseKey: string, decide: (license: LedgerLicense, held: readonly LedgerActivation[]) => LedgerActivation | null): Promise<LedgerActivation | null> {
    return this.#commit(this.#index.planTakeSeat(licenseKey, decide));
  }

  async release(licenseKey: string, deviceKeyId: string, receiptId: string, nowMs: number, madeAfter?: number): Promise<'released' | 'already-used' | 'not-held' | 'answered-later'> {
    return this.#commit(this.#index.planRelease(licenseKey, deviceKeyId, receiptId, nowMs, madeAfter));
  }

  async releaseSeat(licenseKey: string, deviceKeyId: string, nowMs: number): Promise<LedgerActivation | null> {
    return this.#commit(this.#index.planReleaseSeat(licenseKey, deviceKeyId, nowMs));
  }
}
