/**
 * Reads a saved Cryptolens response (`Activate`/`GetKey` with
 * `Sign=true&SignMethod=1`): the JSON `{licenseKey, signature, result,
 * message, metadata?}` with top-level keys matched case-insensitively, or the
 * C++ client's compact `v20180502-<licenseKey>-<signature>`. The signed bytes
 * are the base64-DECODED `licenseKey`. Legacy SignMethod=0 documents (a
 * `LicenseKey` object, alone or as a response's `licenseKey`) are read by
 * `sign-method-0.ts`.
 */
import { decodeBase64, decodeUtf8 } from '../../lib/bytes.ts';
import { LicenseInputError } from '../../lib/errors.ts';
import type { SignedEnvelope } from '../../core/envelope.ts';
import { lowerKeyIndex } from './field-names.ts';
import { parseSignMethod0 } from './sign-method-0.ts';
import type { SlottedObject } from './payload.ts';

/** The compact form's prefix written by the C++ client's `LicenseKey::to_string()`. */
export const COMPACT_PREFIX = 'v20180502-';

/** A Cryptolens envelope: the signed bytes plus the response's unsigned fields. */
export interface CryptolensEnvelope extends SignedEnvelope {
  readonly format: 'cryptolens';
  /** `result` of the saved response (0 success), when present. Not signed. */
  readonly result: number | null;
  /** `message` of the saved response, when present. Not signed. */
  readonly message: string | null;
  /** `metadata` of the saved response, when present. Not covered by the licenseKey signature. */
  readonly metadata: unknown;
  /** Which textual form the file used. */
  readonly form: 'json' | 'compact';
}

function inputError(code: 'ERR_ENVELOPE_INVALID' | 'ERR_BASE64_INVALID' | 'ERR_INPUT_NOT_JSON' | 'ERR_INPUT_EMPTY', message: string): never {
  throw new LicenseInputError(code, message);
}

function base64Field(text: string, field: string): Uint8Array {
  const bytes = decodeBase64(text);
  if (typeof bytes === 'string') inputError('ERR_BASE64_INVALID', `${field} is not valid base64 (${bytes})`);
  if (bytes.length === 0) inputError('ERR_ENVELOPE_INVALID', `${field} is empty`);
  return bytes;
}

/** Parses the compact `v20180502-<licenseKey>-<signature>` form. */
function parseCompact(text: string): CryptolensEnvelope {
  const body = text.slice(COMPACT_PREFIX.length);
  const dash = body.indexOf('-');
  if (dash < 0 || body.indexOf('-', dash + 1) >= 0) inputError('ERR_ENVELOPE_INVALID', 'compact license must be v20180502-<licenseKey>-<signature>');
  return {
    format: 'cryptolens',
    form: 'compact',
    algorithm: 'RS256',
    keyId: null,
    signedBytes: base64Field(body.slice(0, dash), 'licenseKey'),
    signature: base64Field(body.slice(dash + 1), 'signature'),
    result: null,
    message: null,
    metadata: null,
  };
}

/** Decodes license bytes as UTF-8 text (a Cryptolens file is text; a BOM is tolerated). */
export function cryptolensText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  const text = decodeUtf8(input);
  if (text === null) throw new LicenseInputError('ERR_INPUT_NOT_JSON', 'license input is not UTF-8 text');
  return text;
}

/** The response's fields by lower-case name, spelt as the Cryptolens API writes them. */
const EXACT_ENVELOPE_KEYS: ReadonlyMap<string, string> = new Map([
  ['licensekey', 'licenseKey'],
  ['signature', 'signature'],
  ['result', 'result'],
  ['message', 'message'],
  ['metadata', 'metadata'],
]);
const EXACT_SPELLINGS: ReadonlySet<string> = new Set(EXACT_ENVELOPE_KEYS.values());

/** True when every own key of the response is one of {@link EXACT_SPELLINGS}. */
function exactEnvelopeKeys(object: object): boolean {
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) if (!EXACT_SPELLINGS.has(keys[i]!)) return false;
  return true;
}

/** Extracts the envelope from license text or bytes (JSON or compact). Throws a typed error for anything else. */
export function parseCryptolensEnvelope(input: string | Uint8Array): CryptolensEnvelope {
  const text = cryptolensText(input);
  const trimmed = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (trimmed.length === 0) inputError('ERR_INPUT_EMPTY', 'license input is empty');
  if (trimmed.startsWith(COMPACT_PREFIX)) return parseCompact(trimmed);
  if (!trimmed.startsWith('{')) inputError('ERR_INPUT_NOT_JSON', 'license is neither a JSON response nor the compact v20180502- form');
  return (exactResponseReader === null ? null : exactResponseReader(trimmed)) ?? jsonResponse(trimmed);
}

/**
 * Node's entry installs readers of the response and of the payload exactly as Cryptolens writes them, without
 * `JSON.parse` (exact-response.ts and exact-payload.ts, via {@link useExactReaders}); the browser bundles, which
 * must stay within their size budget, read everything with `JSON.parse`. Either way the result is the same: an
 * exact reader answers `null` for anything it does not read, and never decides an error.
 */
let exactResponseReader: ((text: string) => CryptolensEnvelope | null) | null = null;
let exactPayloadReader: ((bytes: Uint8Array) => SlottedObject | null) | null = null;

/** @internal Installs the exact readers (see {@link exactResponseReader}). */
export function useExactReaders(response: (text: string) => CryptolensEnvelope | null, payload: (bytes: Uint8Array) => SlottedObject | null): void {
  exactResponseReader = response;
  exactPayloadReader = payload;
}

/** @internal Reads a JSON response with `JSON.parse` (any spacing, key order or case, escapes; SignMethod=0 documents); typed errors. */
export function jsonResponse(trimmed: string): CryptolensEnvelope {
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (cause) {
    throw new LicenseInputError('ERR_INPUT_NOT_JSON', `license is not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) inputError('ERR_ENVELOPE_INVALID', 'license JSON must be an object');
  const object = doc as Record<string, unknown>;
  // Fast path: every key spelt as the Cryptolens API writes it (no two of those differ only in case). Else the lower-case index, which refuses two that do.
  const index = exactEnvelopeKeys(object) ? null : lowerKeyIndex(object, 'license response', (m) => inputError('ERR_ENVELOPE_INVALID', m));
  const field = (name: string): unknown => {
    const k = index === null ? EXACT_ENVELOPE_KEYS.get(name)! : index.get(name);
    return k !== undefined && Object.hasOwn(object, k) ? object[k] : undefined;
  };
  const licenseKey = field('licensekey');
  const signature = field('signature');
  if (licenseKey === undefined) {
    // A LicenseKey object saved with SaveToFile: SignMethod=0.
    if (index !== null && (index.has('productid') || index.has('key') || index.has('signdate'))) return parseSignMethod0(object, null, null);
    inputError('ERR_ENVELOPE_INVALID', 'license response has no "licenseKey"');
  }
  const result = field('result');
  const message = field('message');
  // A response whose "licenseKey" is an object, not signed base64: SignMethod=0.
  if (typeof licenseKey === 'object' && licenseKey !== null) return parseSignMethod0(licenseKey, typeof result === 'number' ? result : null, typeof message === 'string' ? message : null);
  if (typeof licenseKey !== 'string') inputError('ERR_ENVELOPE_INVALID', '"licenseKey" must be a base64 string');
  if (typeof signature !== 'string') inputError('ERR_ENVELOPE_INVALID', '"signature" must be a base64 string');
  return {
    format: 'cryptolens',
    form: 'json',
    algorithm: 'RS256',
    keyId: null,
    signedBytes: base64Field(licenseKey, 'licenseKey'),
    signature: base64Field(signature, 'signature'),
    result: typeof result === 'number' ? result : null,
    message: typeof message === 'string' ? message : null,
    metadata: field('metadata') ?? null,
  };
}

/** The verified payload bytes as JSON, or read into slots by the exact reader where one is installed (call only after the signature verified). */
export function readCryptolensPayloadBytes(bytes: Uint8Array): unknown {
  return (exactPayloadReader === null ? null : exactPayloadReader(bytes)) ?? parseCryptolensPayloadBytes(bytes);
}

/** Decodes the verified payload bytes as UTF-8 JSON (call only after the signature verified). */
export function parseCryptolensPayloadBytes(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  if (text === null) throw new LicenseInputError('ERR_PAYLOAD_INVALID', 'license payload is not valid UTF-8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LicenseInputError('ERR_PAYLOAD_INVALID', `license payload is not valid JSON (${(cause as Error).message})`, { cause });
  }
}
