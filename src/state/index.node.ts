/**
 * `licensekit/state` for Node: the local memory of an installed program
 * (activated licenses, first-use bindings, the latest trusted time, the
 * revocation list), in the user's data folder by the OS's conventions.
 *
 * @example
 * const state = await openState({ program: 'acme-cad', key: VENDOR_PUBLIC_KEY });
 * await state.activate(readFileSync('license.lic'));
 * const result = await state.validate('ABCDE-FGHIJ-KLMNO-PQRST'); // { outcome: 'valid', status: 201, … }
 */
import { nodeBackend } from '../backends/node.ts';
import { machineCode as thisMachineCode } from '../fingerprint/index.ts';
import { verifyLicense } from '../index.node.ts';
import { importKeyRing, type KeyRingInput } from '../keys/ring.ts';
import { OptionError } from '../lib/errors.ts';
import { readClockEvidence } from './clock-evidence.ts';
import { openLicenseState, type LicenseState } from './state.ts';
import { FileStore } from './store/file.ts';
import type { StateStore } from './store/store.ts';

export * from './store/index.ts';
export { FileStore, type FileStoreOptions } from './store/file.ts';
export { LicenseState, type ClockEvidence, type ImportResult, type LicenseStateOptions, type StateCheckOptions, type StateStatus, type StateVerdict, type ValidationOutcome, type ValidationResult } from './state.ts';
export { evidencePaths, readClockEvidence } from './clock-evidence.ts';
// Offline activation: the program's side (request, activate a response with state.activate, deactivate) and the vendor's (respond, release).
export {
  createActivationRequest,
  deactivateLicense,
  readActivationRequest,
  releaseReceipt,
  respondToActivationRequest,
  sameMachine,
  MAX_EXCHANGE_BYTES,
  RECEIPT_LABEL,
  REQUEST_LABEL,
  type ActivationRequest,
  type ActivationResponse,
  type DeviceKeyInfo,
  type ReleasedSeat,
  type ReleaseOptions,
  type RequestActivationOptions,
  type RespondOptions,
  type SignedExchangeFile,
} from '../activation/index.node.ts';
export { ActivationError, type ActivationErrorCode } from '../lib/errors.ts';

/** Options of {@link openState}. */
export interface OpenStateOptions {
  /** The program's name: names the state folder and is part of its MAC. */
  readonly program: string;
  /** The vendor's public key or key ring (its first key's id names the state folder). */
  readonly key: KeyRingInput;
  /** A folder for the state instead of the OS's per-user data folder. */
  readonly directory?: string;
  /** Another store (a `MemoryStore` in tests). */
  readonly store?: StateStore;
  /** This machine's code, to which the state's MAC is bound (default: `machineCode({ product: program })`). */
  readonly machineCode?: string;
  /** A tampered state: refuse (default, `ERR_STATE_TAMPERED`) or start over and say so. */
  readonly onTampered?: 'refuse' | 'start-over';
  /** Read the machine's evidence of the time on a first run (default true). */
  readonly clockEvidence?: boolean;
}

/** Opens a program's license state on this machine. */
export async function openState(options: OpenStateOptions): Promise<LicenseState> {
  if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object with "program" and "key"');
  const ring = importKeyRing(options.key);
  const store = options.store ?? (options.directory !== undefined ? new FileStore({ directory: options.directory }) : new FileStore({ program: options.program, vendorKeyId: ring.entries[0]!.kid }));
  return openLicenseState({
    program: options.program,
    key: options.key,
    store,
    machineCode: options.machineCode ?? (await thisMachineCode({ product: options.program })),
    ...(options.onTampered === undefined ? {} : { onTampered: options.onTampered }),
    verifyLicense,
    backend: nodeBackend,
    ...(options.clockEvidence === false ? {} : { clockEvidence: () => readClockEvidence() }),
  });
}
