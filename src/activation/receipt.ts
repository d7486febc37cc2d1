/**
 * The deactivation receipt: a machine's signed statement that it removed a
 * license from its state. A COSE_Sign1 message signed by the state's device
 * key (protected `kid`: the device key id), whose claims set holds
 *
 *     messageType (-65570) "deactivation-receipt"   sub (2) the license key
 *     nonce (-65580) 16 random bytes: the receipt's id   iat (6) when
 *
 * armoured as `-----BEGIN LICENSEKIT DEACTIVATION RECEIPT-----`. The vendor
 * verifies it with {@link releaseReceipt} under the device key the ledger
 * recorded when that device took its seat (never a key the receipt names),
 * and the ledger frees the seat once: the receipt's id is recorded, and the
 * same receipt again is `ERR_RECEIPT_USED`.
 */
import { deterministic, seconds } from '../formats/native/issue.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { parseCoseSign1, type CoseSign1 } from '../formats/native/cose.ts';
import { decodeClaims } from '../formats/native/read.ts';
import { decodeBase64Url, toHex } from '../lib/bytes.ts';
import { ActivationError, isLicenseKitError, OptionError } from '../lib/errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { armorAs, dearmorAs, RECEIPT_LABEL } from './armor.ts';
import { importDeviceKey, verifiedBy } from './device.ts';
import { MAX_FIELD_LENGTH, nonceSequence, RECEIPT_TYPE } from './request.ts';

/** The receipt's claims set, built at `now`. */
export function receiptClaims(licenseKey: string, nonce: Uint8Array): (now: Date) => Map<number | string, unknown> {
  return (now) =>
    deterministic([
      [NATIVE_CLAIMS.messageType.key, RECEIPT_TYPE],
      [NATIVE_CLAIMS.sub.key, licenseKey],
      [NATIVE_CLAIMS.nonce.key, nonce],
      [NATIVE_CLAIMS.iat.key, seconds(now, 'now')],
    ]);
}

/** An armoured receipt from its COSE bytes. */
export function armorReceipt(bytes: Uint8Array): string {
  return armorAs(RECEIPT_LABEL, bytes);
}

/** What an accepted receipt freed. */
export interface ReleasedSeat {
  readonly licenseKey: string;
  readonly deviceKeyId: string;
  /** The receipt's id (its nonce, hex): the ledger accepts it once. */
  readonly receiptId: string;
  readonly releasedAt: Date;
}

/** Options of {@link releaseReceipt}. */
export interface ReleaseOptions {
  /** When the seat is freed (a Date or epoch ms); the clock when omitted. */
  readonly now?: Date | number;
}

function bad(message: string, cause?: unknown): never {
  throw new ActivationError('ERR_RECEIPT_INVALID', `deactivation receipt: ${message}`, cause === undefined ? undefined : { cause });
}

function nowMsOf(now: unknown): number {
  const ms = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new OptionError('"now" must be a valid Date or epoch milliseconds, not before 1970');
  return Math.floor(ms);
}

/**
 * Verifies a deactivation receipt against the device key the ledger recorded
 * for a seat, and frees that seat, once.
 *
 * @throws {ActivationError} `ERR_RECEIPT_INVALID` (not a receipt, no seat of a
 *   device with its key id, or the signature does not verify under the
 *   recorded key), `ERR_RECEIPT_USED` (accepted before).
 * @example
 * const { licenseKey } = await releaseReceipt(ledger, readFileSync('receipt.txt', 'utf8'));
 */
export async function releaseReceipt(ledger: Ledger, receipt: string | Uint8Array, options: ReleaseOptions = {}): Promise<ReleasedSeat> {
  if (typeof ledger !== 'object' || ledger === null) throw new OptionError('"ledger" must be a Ledger');
  if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object');
  const nowMs = nowMsOf(Object.hasOwn(options, 'now') ? options.now : undefined);
  const bytes = dearmorAs(RECEIPT_LABEL, receipt);
  if (typeof bytes === 'string') bad(bytes);
  let cose: CoseSign1;
  try {
    cose = parseCoseSign1(bytes);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return bad(error.message, error);
  }
  const kid = cose.keyId;
  if (kid === null) bad('it names no device key id');
  // Only keys the ledger recorded for this device id: a receipt never brings its own key.
  const recorded = [...new Set((await ledger.listActivations()).filter((a) => a.deviceKeyId === kid).map((a) => a.devicePublicKey))];
  const verified = recorded.some((x) => {
    const raw = decodeBase64Url(x);
    if (typeof raw === 'string' || raw.length !== 32) return false;
    try {
      return verifiedBy(cose, importDeviceKey(raw));
    } catch {
      return false;
    }
  });
  if (!verified) bad(recorded.length === 0 ? 'no seat was ever taken by the device key it names' : 'the signature does not verify under the device key the ledger recorded: the receipt was altered');
  let claims;
  try {
    claims = decodeClaims(cose.payload);
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    return bad(error.message, error);
  }
  if (claims.get(NATIVE_CLAIMS.messageType.key) !== RECEIPT_TYPE) bad('it is not a deactivation receipt');
  const licenseKey = claims.get(NATIVE_CLAIMS.sub.key);
  if (typeof licenseKey !== 'string' || licenseKey.length === 0 || licenseKey.length > MAX_FIELD_LENGTH) bad('"sub" must name the license key');
  const nonce = claims.get(NATIVE_CLAIMS.nonce.key);
  if (!(nonce instanceof Uint8Array) || nonce.length !== 16) bad('"nonce" must be 16 bytes');
  const receiptId = toHex(nonce);
  const outcome = await ledger.release(licenseKey, kid, receiptId, nowMs, nonceSequence(nonce));
  if (outcome === 'already-used') throw new ActivationError('ERR_RECEIPT_USED', `deactivation receipt ${receiptId} was accepted before: the seat of ${JSON.stringify(licenseKey)} was already freed`);
  if (outcome === 'answered-later') {
    bad(`device ${kid} asked for ${JSON.stringify(licenseKey)} again after making this receipt, and the vendor answered: the machine may hold that answer, so this receipt frees nothing (deactivate again and bring the new receipt)`);
  }
  if (outcome === 'not-held') {
    // Say why when the seat moved away from this device key (or the vendor freed it): the receipt is genuine but frees nothing.
    const last = (await ledger.listActivations(licenseKey)).filter((a) => a.deviceKeyId === kid).at(-1);
    const why = last?.releasedBy === 'moved'
      ? `: its seat moved to the same machine's new device key on ${new Date(last.releasedMs!).toISOString()}, and only that key's receipt frees it`
      : last?.releasedBy === 'vendor'
        ? `: the vendor freed its seat on ${new Date(last.releasedMs!).toISOString()}`
        : '';
    bad(`device ${kid} holds no seat of ${JSON.stringify(licenseKey)}${why}`);
  }
  return Object.freeze({ licenseKey, deviceKeyId: kid, receiptId, releasedAt: new Date(nowMs) });
}
