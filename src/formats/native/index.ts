/**
 * The native licensekit format: a COSE_Sign1 message (RFC 9052, CBOR tag 18)
 * whose payload is a CWT claims set (RFC 8392) with licensekit's claims
 * (`claims.ts`). Any conforming COSE implementation can check its signature;
 * this adapter adds the licensing semantics. Two forms, one verdict: the raw
 * bytes (a `.lic` file) and the armoured text (`armor.ts`).
 */
import type { SignedEnvelope } from '../../core/envelope.ts';
import { copyBytes, decodeUtf8, toHex } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';
import type { FormatAdapter } from '../adapter.ts';
import { ARMOR_BEGIN, dearmor, looksArmored } from './armor.ts';
import { parseCoseSign1, type CoseSign1 } from './cose.ts';
import { CLAIM_BY_KEY } from './claims.ts';
import { decodeClaims, plain, readNativeLicensePayload } from './read.ts';

export { armor, dearmor, ARMOR_BEGIN, ARMOR_END } from './armor.ts';
export { NATIVE_CLAIMS, CLAIM_BY_KEY, RESERVED_CLAIM_KEYS, type ClaimInfo, type ClaimName, type ClaimType } from './claims.ts';
export { COSE_ALGORITHMS, COSE_ALGORITHM_IDS, COSE_SIGN1_TAG, sigStructure, parseCoseSign1, type CoseSign1 } from './cose.ts';
export { decodeCbor, type CborValue, type CborMap, type CborLimits } from './cbor.ts';

/** A native license taken apart: the COSE message and which form it came in. */
export interface NativeEnvelope extends SignedEnvelope {
  readonly format: 'native';
  readonly form: 'armored' | 'binary';
  readonly cose: CoseSign1;
}

const TAG18 = 0xd2;
const BEGIN_BYTES = Array.from(ARMOR_BEGIN, (c) => c.charCodeAt(0));

/** True when `bytes` start (after white space) with the armour line. */
function bytesLookArmored(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) i += 3;
  for (let k = 0; k < BEGIN_BYTES.length; k++) if (bytes[i + k] !== BEGIN_BYTES[k]) return false;
  return true;
}

function parse(input: string | Uint8Array): NativeEnvelope {
  let bytes: Uint8Array;
  let form: NativeEnvelope['form'];
  if (typeof input === 'string') {
    bytes = dearmor(input);
    form = 'armored';
  } else if (input[0] === TAG18) {
    bytes = copyBytes(input); // our own copy: what is verified cannot change under us
    form = 'binary';
  } else {
    const text = decodeUtf8(input);
    if (text === null) throw new LicenseInputError('ERR_ENVELOPE_INVALID', 'an armoured license must be UTF-8 text');
    bytes = dearmor(text);
    form = 'armored';
  }
  const cose = parseCoseSign1(bytes);
  return { format: 'native', form, cose, signedBytes: cose.toBeSigned, signature: cose.signature, algorithm: cose.algorithm, keyId: cose.keyId };
}

/** Header labels by name, for `inspect`. */
const HEADER_NAMES: ReadonlyMap<number | string, string> = new Map<number | string, string>([
  [1, 'alg'],
  [2, 'crit'],
  [3, 'content type'],
  [4, 'kid'],
]);

function named(map: ReadonlyMap<number | string, unknown>, names: (key: number | string) => string | undefined): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of map) {
    const name = names(k) ?? String(k);
    // inspect shows what it can: a second key of the same text is shown with its type.
    const key = Object.hasOwn(out, name) ? `${name} (${typeof k})` : name;
    let shown: unknown;
    try {
      shown = v instanceof Uint8Array ? `h'${toHex(v)}'` : plain(v as never);
    } catch (error) {
      shown = `unreadable: ${(error as Error).message}`;
    }
    Object.defineProperty(out, key, { value: shown, enumerable: true });
  }
  return out;
}

/** Reads native licenses: the binary COSE_Sign1 (tag 18) or its armoured text. */
export const nativeAdapter: FormatAdapter<NativeEnvelope> = Object.freeze({
  name: 'native',
  detect: (input: string | Uint8Array) => (typeof input === 'string' ? looksArmored(input) : input.length > 0 && (input[0] === TAG18 || bytesLookArmored(input))),
  parse,
  read: (envelope: NativeEnvelope) => readNativeLicensePayload(envelope.cose.payload),
  view: (envelope: NativeEnvelope) => {
    let claims: Record<string, unknown> | string;
    try {
      claims = named(decodeClaims(envelope.cose.payload), (k) => (typeof k === 'number' ? CLAIM_BY_KEY.get(k) : undefined));
    } catch (error) {
      claims = `unreadable: ${(error as Error).message}`;
    }
    return {
      form: envelope.form,
      coseAlgorithm: envelope.cose.coseAlgorithm,
      protectedHeader: { ...named(envelope.cose.protectedHeader, (k) => HEADER_NAMES.get(k)), ...(envelope.keyId === null ? {} : { kid: envelope.keyId }) },
      unprotectedHeader: named(envelope.cose.unprotectedHeader, (k) => HEADER_NAMES.get(k)),
      claims,
    };
  },
});
