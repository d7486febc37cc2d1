/**
 * Vendor messages for the local state: COSE_Sign1 messages signed with the
 * vendor's key like licenses, whose claims set says what it is
 * (`messageType`). A **reset** names a license key and a counter: importing
 * it clears that license's HWID binding, and an older or replayed one is
 * refused. A **revocation list** has a sequence number, its date and the
 * revoked license ids or keys: a license on the stored list fails with
 * `REVOKED`, and a list older than the stored one is refused, so no one can
 * roll back to a list from before the revocation. A message is never a
 * license (`verifyLicense` refuses it), nor a license a message.
 */
import { LicenseInputError } from '../../lib/errors.ts';
import type { CborMap } from './cbor.ts';
import { NATIVE_CLAIMS } from './claims.ts';

/** A vendor-signed reset of one license's HWID binding. */
export interface ResetMessage {
  readonly type: 'reset';
  readonly licenseKey: string;
  /** Strictly increasing per license: a reset at or below the last imported one is refused. */
  readonly counter: number;
  readonly issuedAt: Date;
}

/** A vendor-signed revocation list. */
export interface RevocationList {
  readonly type: 'revocations';
  /** Strictly increasing: a list at or below the stored sequence is refused. */
  readonly sequence: number;
  readonly issuedAt: Date;
  /** Revoked license ids (as the model shows them: hex for native licenses) or license keys. */
  readonly revoked: readonly string[];
}

/** What a vendor message says. */
export type VendorMessage = ResetMessage | RevocationList;

function fail(message: string): never {
  throw new LicenseInputError('ERR_PAYLOAD_INVALID', `vendor message: ${message}`);
}

const MAX_REVOKED = 100_000;

/** Reads a VERIFIED claims set as a vendor message. */
export function readVendorMessage(map: CborMap): VendorMessage {
  const get = (name: keyof typeof NATIVE_CLAIMS) => map.get(NATIVE_CLAIMS[name].key);
  const type = get('messageType');
  const iat = get('iat');
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(iat) > 8.64e12) fail('"iat" (6) must be a NumericDate');
  const issuedAt = new Date(Math.round(iat * 1000));
  const uint = (name: 'resetCounter' | 'revocationSequence'): number => {
    const v = get(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`"${name}" (${NATIVE_CLAIMS[name].key}) must be an unsigned integer`);
    return v;
  };
  if (type === 'reset') {
    const sub = get('sub');
    if (typeof sub !== 'string' || sub.length === 0) fail('a reset names its license key in "sub" (2)');
    return Object.freeze({ type, licenseKey: sub, counter: uint('resetCounter'), issuedAt });
  }
  if (type === 'revocations') {
    const revoked = get('revoked');
    if (!Array.isArray(revoked) || revoked.length > MAX_REVOKED || !revoked.every((r) => typeof r === 'string' && r.length > 0)) {
      fail(`"revoked" (${NATIVE_CLAIMS.revoked.key}) must be an array of at most ${MAX_REVOKED} license ids or keys`);
    }
    return Object.freeze({ type, sequence: uint('revocationSequence'), issuedAt, revoked: Object.freeze([...(revoked as string[])]) });
  }
  return fail(type === undefined ? 'this is a license, not a vendor message' : `unknown message type ${JSON.stringify(type)}`);
}
