/**
 * `licensekit/ledger` for Node: the vendor ledger that answers offline
 * activation requests. `openLedger(dir)` opens the crash-safe file ledger in
 * one folder (several vendor processes may use it at once; back it up or move
 * it by copying the folder); `MemoryLedger` holds one in memory; a vendor's
 * own database plugs in by implementing the `Ledger` interface. The vendor's
 * side of offline activation lives here too: `respondToActivationRequest`
 * answers a request from the ledger, `releaseReceipt` frees a seat.
 *
 * @example
 * import { openLedger } from 'licensekit/ledger';
 * const ledger = await openLedger('/srv/acme/ledger');
 * await ledger.addLicense({ licenseKey: 'ABCDE-FGHIJ-KLMNO-PQRST', productId: 1001, maxMachines: 2, customerId: null }, Date.now());
 */
export type { Ledger, LedgerActivation, LedgerCustomer, LedgerLicense, LicenseFilter } from './ledger.ts';
export { MemoryLedger } from './memory.ts';
export { FileLedger, JOURNAL_FILE, LOCK_FILE, openLedger, type OpenLedgerOptions } from './file.node.ts';
export { LedgerError, type LedgerErrorCode } from '../lib/errors.ts';
// The vendor's side of offline activation, beside the ledger it works on (also exported from licensekit/state, as before):
// respond with node:crypto signing and tolerant fingerprint matching, and free a seat on a deactivation receipt.
export {
  readActivationRequest,
  releaseReceipt,
  respondToActivationRequest,
  sameMachine,
  MAX_EXCHANGE_BYTES,
  RECEIPT_LABEL,
  REQUEST_LABEL,
  type ActivationRequest,
  type ActivationResponse,
  type ReleasedSeat,
  type ReleaseOptions,
  type RespondOptions,
} from '../activation/index.node.ts';
// Support tooling: what a request or receipt claims and what a customer bundle's header says, unverified (licensekit inspect).
export { inspectExchangeFile, type BundleInspection, type ExchangeInspection, type ReceiptInspection, type RequestInspection } from '../activation/inspect.ts';
export { ActivationError, type ActivationErrorCode } from '../lib/errors.ts';
