/**
 * The vendor's answer to an activation request: verify the request's device
 * signature over the bytes received, look the license up in the ledger,
 * take (or keep) a seat atomically, and sign a native license bound to the
 * requesting machine (its machine code and recorded fingerprint) and device
 * key, carrying the request's nonce so only the state that made the request
 * can activate it, once.
 */
import type { PrivateJwk, SignatureBackend } from '../backends/backend.ts';
import { purejsBackend } from '../backends/purejs/index.ts';
import { randomBytes } from '../backends/purejs/random.ts';
import { buildNativeClaims, deterministic, signClaimsSet } from '../formats/native/issue.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { fromHex, toHex } from '../lib/bytes.ts';
import { ActivationError, isLicenseKitError, OptionError } from '../lib/errors.ts';
import type { Ledger, LedgerActivation, LedgerLicense } from '../ledger/ledger.ts';
import { nonceSequence, readActivationRequest, type ActivationRequest } from './request.ts';

/** Options of {@link respondToActivationRequest}. */
export interface RespondOptions {
  /** The vendor's private key (JWK: Ed25519 or RSA), as for issuing licenses. */
  readonly privateJwk: PrivateJwk;
  /** The vendor's ledger: licenses, machine limits, activations. */
  readonly ledger: Ledger;
  /** The license expires this many days after `now`; perpetual when omitted. */
  readonly days?: number;
  /** The signing time (a Date or epoch ms); the clock when omitted. */
  readonly now?: Date | number;
  /** EdDSA for Ed25519 keys; PS256 (default) or RS256 for RSA keys. */
  readonly algorithm?: 'EdDSA' | 'RS256' | 'PS256';
  /** The license's issuer (`iss`). */
  readonly issuer?: string;
  /** A backend with `sign` (default: pure JavaScript; the Node entry passes node:crypto). */
  readonly backend?: SignatureBackend;
  /**
   * Whether a seat's recorded fingerprint and the request's are the same
   * machine (tolerant matching after a disk swap). The Node entry passes
   * `matchFingerprint`; without it only the same device key keeps a seat.
   * A seat kept this way under another device key moves to the request's
   * (see {@link ActivationResponse.movedFrom}).
   */
  readonly sameMachine?: (recorded: string, offered: string) => boolean;
}

/** What the vendor answers. */
export interface ActivationResponse {
  /** The native license, armoured (`-----BEGIN LICENSEKIT LICENSE-----`). */
  readonly text: string;
  /** Its COSE bytes. */
  readonly bytes: Uint8Array;
  readonly request: ActivationRequest;
  /** The seat it holds. */
  readonly activation: LedgerActivation;
  /** True when the machine already held a seat (same device key, or a matching fingerprint) and kept it. */
  readonly kept: boolean;
  /**
   * The seat as it was held before it moved, when the machine's fingerprint
   * matched a seat held under another device key (a re-created state or a
   * reinstalled OS on the same hardware): the seat is now this device key's
   * (`activation.replaces` is its id), and the old key's receipts no longer
   * free it. Null otherwise.
   */
  readonly movedFrom: LedgerActivation | null;
  readonly expires: Date | null;
}

function nowOf(now: unknown): Date {
  const ms = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new OptionError('"now" must be a valid Date or epoch milliseconds, not before 1970');
  return new Date(Math.floor(ms));
}

function own<T>(options: object, name: string): T | undefined {
  return Object.hasOwn(options, name) ? ((options as Record<string, unknown>)[name] as T) : undefined;
}

/** The machines holding seats, for a refusal: device key id, when, and which fingerprint. */
function describeSeats(held: readonly LedgerActivation[]): string {
  return held.map((a) => `${a.deviceKeyId} (since ${new Date(a.activatedMs).toISOString()})`).join(', ');
}

/**
 * Answers an activation request: verifies its device signature, refuses an
 * unknown or revoked license, enforces the machine limit through
 * `ledger.takeSeat` (a machine already holding a seat keeps it), records the
 * activation and returns a native license bound to the machine and device key.
 *
 * @throws {ActivationError} `ERR_ACTIVATION_REQUEST_INVALID`,
 *   `ERR_ACTIVATION_LICENSE_UNKNOWN`, `ERR_ACTIVATION_LICENSE_REVOKED`,
 *   `ERR_ACTIVATION_LIMIT_REACHED` (the message names the limit and the
 *   machines holding it).
 * @example
 * const { text } = await respondToActivationRequest(requestText, { privateJwk, ledger, days: 365 });
 */
export async function respondToActivationRequest(request: string | Uint8Array, options: RespondOptions): Promise<ActivationResponse> {
  if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object with "privateJwk" and "ledger"');
  const ledger = own<Ledger>(options, 'ledger');
  if (typeof ledger !== 'object' || ledger === null || typeof ledger.takeSeat !== 'function') throw new OptionError('"ledger" must be a Ledger');
  const privateJwk = own<PrivateJwk>(options, 'privateJwk');
  const days = own<number>(options, 'days');
  if (days !== undefined && (typeof days !== 'number' || !Number.isSafeInteger(days) || days < 1 || days > 36_500)) throw new OptionError('"days" must be a whole number from 1 to 36500');
  const sameMachine = own<RespondOptions['sameMachine']>(options, 'sameMachine');
  if (sameMachine !== undefined && typeof sameMachine !== 'function') throw new OptionError('"sameMachine" must be a function');
  const now = nowOf(own(options, 'now'));
  const req = readActivationRequest(request);
  const nonce = fromHex(req.nonce)!;
  const answered = nonceSequence(nonce);

  const license = await ledger.getLicense(req.licenseKey);
  const unknown = () => new ActivationError('ERR_ACTIVATION_LICENSE_UNKNOWN', `the ledger has no license ${JSON.stringify(req.licenseKey)}${req.productId === null ? '' : ` for product ${req.productId}`}`);
  if (license === null || (req.productId !== null && String(license.productId) !== req.productId)) throw unknown();

  let refusal: ActivationError | null = null;
  const newSeat = (current: LedgerLicense): LedgerActivation => ({
    id: toHex(randomBytes(16, 'draw an activation id')),
    licenseKey: current.licenseKey,
    deviceKeyId: req.deviceKeyId,
    devicePublicKey: req.devicePublicKey,
    fingerprint: req.fingerprint,
    activatedMs: now.getTime(),
    releasedMs: null,
    machineCode: req.machineCode,
    answered,
  });
  // The license is bound to the request's machine code: a seat answers for one machine code, whatever device key or
  // fingerprint asks (both come from the customer's side: a device key read out of a state, a fingerprint copied from
  // another request), else one seat would license a second machine while the first keeps its license.
  const sameCode = (a: LedgerActivation): boolean => a.machineCode != null && a.machineCode === req.machineCode;
  const decide = (current: LedgerLicense, held: readonly LedgerActivation[]): LedgerActivation | null => {
    if (current.revoked) {
      refusal = new ActivationError('ERR_ACTIVATION_LICENSE_REVOKED', `license ${JSON.stringify(current.licenseKey)} is revoked: no activation is answered`);
      return null;
    }
    const mine = held.find((a) => a.deviceKeyId === req.deviceKeyId);
    if (mine !== undefined) {
      if (!sameCode(mine)) {
        refusal = new ActivationError(
          'ERR_ACTIVATION_REQUEST_INVALID',
          `activation request: device ${req.deviceKeyId} holds a seat of ${JSON.stringify(current.licenseKey)} for ${mine.machineCode == null ? 'a machine the ledger recorded no code for' : 'another machine code'}: a device key answers for one machine (was its state copied?)`,
        );
        return null;
      }
      // Kept; the ledger records that this later request was answered (receipts made before it no longer free the seat).
      return { ...mine, answered: Math.max(mine.answered ?? 0, answered) };
    }
    const sameHardware = req.fingerprint !== null && sameMachine !== undefined ? held.find((a) => a.fingerprint !== null && sameCode(a) && safeMatch(sameMachine, a.fingerprint, req.fingerprint!)) : undefined;
    if (sameHardware !== undefined) {
      // The same machine with a new device key (a re-created state, a reinstalled OS): the seat moves to the new key,
      // so the new state's receipt can free it; the old key's receipts no longer do.
      return { ...newSeat(current), replaces: sameHardware.id };
    }
    // The ledger's limit is literal (as `ledger add-license` says: up to M machines): 0 admits none.
    if (held.length >= current.maxMachines) {
      refusal = new ActivationError(
        'ERR_ACTIVATION_LIMIT_REACHED',
        `license ${JSON.stringify(current.licenseKey)} allows ${current.maxMachines} machine${current.maxMachines === 1 ? '' : 's'} and every seat is held: ${describeSeats(held)}; deactivate one of them (licensekit deactivate, then ledger release) first`,
      );
      return null;
    }
    return newSeat(current);
  };
  // Signed before the seat is taken: a key that cannot sign never leaves a seat recorded for a license nobody received.
  // From the signing time in whole seconds, as the license's `iat` and `exp` are written.
  const expires = days === undefined ? null : new Date(Math.floor(now.getTime() / 1000) * 1000 + days * 86_400_000);
  const signed = await signClaimsSet(
    (at) => {
      const claims = buildNativeClaims(
        {
          product: license.productId,
          key: license.licenseKey,
          expires,
          machines: [req.machineCode],
          maxMachines: 1,
          ...(req.fingerprint === null ? {} : { fingerprint: req.fingerprint }),
          ...(license.customerId === null ? {} : { customer: { id: license.customerId } }),
          ...(own<string>(options, 'issuer') === undefined ? {} : { issuer: own<string>(options, 'issuer')! }),
        },
        at,
      );
      return deterministic([...claims, [NATIVE_CLAIMS.nonce.key, nonce], [NATIVE_CLAIMS.deviceKeyId.key, req.deviceKeyId]]);
    },
    {
      privateJwk: privateJwk as PrivateJwk,
      backend: own<SignatureBackend>(options, 'backend') ?? purejsBackend,
      now,
      ...(own(options, 'algorithm') === undefined ? {} : { algorithm: own<'EdDSA'>(options, 'algorithm')! }),
    },
  );
  let heldBefore: readonly LedgerActivation[] = [];
  let activation: LedgerActivation | null;
  try {
    activation = await ledger.takeSeat(req.licenseKey, (current, held) => {
      heldBefore = held;
      return decide(current, held);
    });
  } catch (error) {
    if (isLicenseKitError(error) && error.code === 'ERR_LEDGER_NOT_FOUND') throw unknown();
    throw error;
  }
  if (activation === null) throw refusal ?? new ActivationError('ERR_ACTIVATION_LIMIT_REACHED', `license ${JSON.stringify(req.licenseKey)}: no seat was given`);
  const movedFrom = activation.replaces == null ? null : (heldBefore.find((a) => a.id === activation!.replaces) ?? null);
  const kept = heldBefore.some((a) => a.id === activation!.id) || movedFrom !== null;

  return Object.freeze({ text: signed.text, bytes: signed.bytes, request: req, activation, kept, movedFrom, expires });
}

/** A matcher that throws (a malformed recorded fingerprint) answers "not the same machine". */
function safeMatch(match: (a: string, b: string) => boolean, recorded: string, offered: string): boolean {
  try {
    return match(recorded, offered) === true;
  } catch {
    return false;
  }
}
