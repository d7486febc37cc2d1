/**
 * COSE_Sign1 (RFC 9052 §4.2) as licensekit reads it: CBOR tag 18 around
 * `[protected: bstr, unprotected: map, payload: bstr, signature: bstr]`.
 *
 * Only the protected header is trusted (it is signed): it must hold `alg`, may
 * hold `kid` and a content type, and nothing marked critical. The unprotected
 * header must be a map and is never read for a decision. The bytes to verify
 * are `Sig_structure = ["Signature1", protected, h'', payload]`, built around
 * the protected and payload byte strings exactly as received: the decoded
 * header is never re-encoded.
 */
import { allocBytes, toHex } from '../../lib/bytes.ts';
import { LicenseInputError, UnsupportedFormatError } from '../../lib/errors.ts';
import type { SignatureAlgorithm } from '../../lib/algorithms.ts';
import { decodeCbor, shortText, type CborMap, type CborValue } from './cbor.ts';

/** CBOR tag of a COSE_Sign1 message. */
export const COSE_SIGN1_TAG = 18;

/** COSE header labels licensekit reads (RFC 9052 §3.1). */
export const HEADER = Object.freeze({ alg: 1, crit: 2, contentType: 3, kid: 4 });

/** COSE algorithm identifiers (IANA "COSE Algorithms") and the JOSE names licensekit uses for them. */
export const COSE_ALGORITHMS: ReadonlyMap<number, SignatureAlgorithm> = new Map<number, SignatureAlgorithm>([
  [-8, 'EdDSA'], // EdDSA, with an Ed25519 key
  [-19, 'EdDSA'], // Ed25519 (fully specified, RFC 9864)
  [-257, 'RS256'],
  [-37, 'PS256'],
]);

/** The COSE identifier licensekit writes for each algorithm. */
export const COSE_ALGORITHM_IDS: Readonly<Record<'EdDSA' | 'RS256' | 'PS256', number>> = Object.freeze({ EdDSA: -8, RS256: -257, PS256: -37 });

/** CoAP content format of a CWT (RFC 8392 §10.3), the only content type accepted in the protected header. */
export const CWT_CONTENT_TYPE = 61;

/** A COSE_Sign1 message taken apart, with the exact bytes its signature covers. */
export interface CoseSign1 {
  /** The protected header's bytes as received. */
  readonly protectedBytes: Uint8Array;
  /** The protected header, decoded. */
  readonly protectedHeader: CborMap;
  /** The unprotected header: shown by `inspect`, never trusted. */
  readonly unprotectedHeader: CborMap;
  /** The payload's bytes as received. */
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  readonly algorithm: SignatureAlgorithm;
  /** The COSE algorithm identifier as received. */
  readonly coseAlgorithm: number;
  /** The key id (protected `kid`), as text when it is UTF-8, else lowercase hex. */
  readonly keyId: string | null;
  /** `Sig_structure` bytes: what was signed. */
  readonly toBeSigned: Uint8Array;
}

function invalid(message: string): never {
  throw new LicenseInputError('ERR_ENVELOPE_INVALID', `COSE_Sign1: ${message}`);
}

function isMap(value: CborValue): value is CborMap {
  return value instanceof Map;
}

/** The CBOR head of an item of major type `major` whose argument is `length` (shortest form, below 2^32). */
export function cborHead(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return Uint8Array.of(m | length);
  if (length < 0x100) return Uint8Array.of(m | 24, length);
  if (length < 0x10000) return Uint8Array.of(m | 25, length >> 8, length & 0xff);
  return Uint8Array.of(m | 26, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

const SIGNATURE1_PREFIX = Uint8Array.of(0x84, 0x6a, ...Array.from('Signature1', (c) => c.charCodeAt(0)));

/**
 * `Sig_structure` for COSE_Sign1 with empty external AAD:
 * `["Signature1", protected, h'', payload]`, around the given byte strings.
 */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  // Every byte is written below (prefix, two byte strings and the empty AAD between them), so the pool's old content never shows.
  const out = allocBytes(SIGNATURE1_PREFIX.length + headSize(protectedBytes.length) + protectedBytes.length + 1 + headSize(payload.length) + payload.length);
  out.set(SIGNATURE1_PREFIX, 0);
  let at = writeBstr(out, SIGNATURE1_PREFIX.length, protectedBytes);
  out[at++] = 0x40; // external_aad: h''
  at = writeBstr(out, at, payload);
  return out;
}

/** Size of the shortest CBOR head for an argument of `length` (below 2^32). */
function headSize(length: number): number {
  return length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

/** Writes a byte string (head, then bytes) at `at`; returns where it ends. The same head as {@link cborHead}, without allocating. */
function writeBstr(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < 24) out[at++] = 0x40 | n;
  else if (n < 0x100) {
    out[at++] = 0x58;
    out[at++] = n;
  } else if (n < 0x10000) {
    out[at++] = 0x59;
    out[at++] = n >> 8;
    out[at++] = n & 0xff;
  } else {
    out[at++] = 0x5a;
    out[at++] = (n >>> 24) & 0xff;
    out[at++] = (n >> 16) & 0xff;
    out[at++] = (n >> 8) & 0xff;
    out[at++] = n & 0xff;
  }
  out.set(bytes, at);
  return at + n;
}

function keyIdText(kid: Uint8Array): string {
  return shortText(kid, 0, kid.length, 0x21, 0x7e) ?? toHex(kid); // 1 to 256 bytes (checked by the caller)
}

/** Limits on a COSE message: the license is small, so these are generous. */
const LIMITS = { maxDepth: 8, maxItems: 64 } as const;
const HEADER_LIMITS = { maxDepth: 4, maxItems: 64 } as const;
const MESSAGE_LIMITS = { ...LIMITS, topTag: COSE_SIGN1_TAG } as const;

/**
 * Takes a COSE_Sign1 message apart. `bytes` must be a copy the caller owns:
 * the returned byte strings are views into it.
 *
 * @throws {LicenseInputError} `ERR_CBOR_INVALID` for CBOR that is not strict, `ERR_ENVELOPE_INVALID` for the wrong shape.
 * @throws {UnsupportedFormatError} for an algorithm or a critical header licensekit does not handle.
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  const { tag, value } = decodeCbor(bytes, MESSAGE_LIMITS);
  if (tag !== COSE_SIGN1_TAG) invalid('the message is not tagged 18 (COSE_Sign1)');
  if (!Array.isArray(value) || value.length !== 4) invalid('expected an array of 4 items [protected, unprotected, payload, signature]');
  const [protectedBytes, unprotectedHeader, payload, signature] = value as CborValue[];
  if (!(protectedBytes instanceof Uint8Array)) invalid('the protected header is not a byte string');
  if (!isMap(unprotectedHeader!)) invalid('the unprotected header is not a map');
  if (payload === null) invalid('a detached payload is not supported: the license must carry its claims');
  if (!(payload instanceof Uint8Array)) invalid('the payload is not a byte string');
  if (!(signature instanceof Uint8Array)) invalid('the signature is not a byte string');
  if (protectedBytes.length === 0) invalid('the protected header is empty: it must hold the algorithm');
  const header = decodeCbor(protectedBytes, HEADER_LIMITS).value;
  if (!isMap(header)) invalid('the protected header is not a map');
  if (header.has(HEADER.crit)) throw new UnsupportedFormatError('COSE_Sign1: the protected header marks parameters critical, which licensekit does not understand');
  const alg = header.get(HEADER.alg);
  if (typeof alg !== 'number') invalid('the protected header has no integer "alg" (1)');
  const algorithm = COSE_ALGORITHMS.get(alg);
  if (!algorithm) throw new UnsupportedFormatError(`COSE_Sign1: algorithm ${alg} is not supported (EdDSA -8, RS256 -257, PS256 -37)`);
  const contentType = header.get(HEADER.contentType);
  if (contentType !== undefined && contentType !== CWT_CONTENT_TYPE && contentType !== 'application/cwt') {
    invalid(`the content type ${JSON.stringify(contentType)} is not a CWT (61)`);
  }
  const kid = header.get(HEADER.kid);
  if (kid !== undefined && !(kid instanceof Uint8Array)) invalid('the protected "kid" (4) is not a byte string');
  if (kid instanceof Uint8Array && (kid.length === 0 || kid.length > 256)) invalid('the protected "kid" (4) must be 1 to 256 bytes');
  return {
    protectedBytes,
    protectedHeader: header,
    unprotectedHeader: unprotectedHeader as CborMap,
    payload,
    signature,
    algorithm,
    coseAlgorithm: alg,
    keyId: kid instanceof Uint8Array ? keyIdText(kid) : null,
    toBeSigned: sigStructure(protectedBytes, payload),
  };
}
