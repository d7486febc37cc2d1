/**
 * Key rings: the `key` option may be one key or several, so a vendor can
 * rotate keys. Each key has a stable id, its RFC 7638 thumbprint (see
 * `thumbprint.ts`); a JWK's own `kid` is accepted as an alias. A key may carry
 * the date after which licenses signed by it are no longer accepted
 * (`notAfter`, or a JWK's `exp` in seconds): new licenses are signed with the
 * new key, old ones stay valid until that date, and a leaked key is cut off.
 *
 * Forms accepted:
 * - one key (anything `importPublicKey` takes), or one `{ key, notAfter?, kid? }`;
 * - an array of keys, or of `{ key, notAfter?, kid? }` members;
 * - a JWK Set `{ "keys": [...] }`, as an object or JSON text.
 *
 * A JWK means the same as an object or as JSON text: its `exp` and `kid` count
 * either way. Each key may appear once, and each id may name one key only, so
 * a license naming a kid is checked with exactly one key and a key has exactly
 * one retirement date.
 */
import { KeyError, OptionError } from '../lib/errors.ts';
import { importPublicKeyCached } from './cache.ts';
import { importPublicKey, MAX_KEY_INPUT_BYTES, type KeyInput } from './import.ts';
import { isPublicKey, type PublicKey } from './public-key.ts';
import { keyId } from './thumbprint.ts';

/** One member of a key ring given with its own settings. */
export interface KeyRingMember {
  /** The key, in any form `importPublicKey` accepts (a JWK's own `exp` and `kid` count too). */
  readonly key: KeyInput;
  /**
   * Licenses signed by this key are refused (`KEY_RETIRED`) once `now` is after this (a Date or epoch ms,
   * within the range of a Date). When the key is a JWK with an `exp` too, the earlier of the two counts.
   */
  readonly notAfter?: Date | number;
  /** Another id this key is known by (besides its thumbprint): a non-empty string. */
  readonly kid?: string;
}

/** What the `key` option accepts. */
export type KeyRingInput = KeyInput | KeyRingMember | readonly (KeyInput | KeyRingMember)[] | { readonly keys: readonly unknown[] };

/** A key of a ring, imported. */
export interface KeyRingEntry {
  readonly key: PublicKey;
  /** The key's RFC 7638 thumbprint. */
  readonly kid: string;
  /** Ids this key answers to: its thumbprint and any `kid` it was given. */
  readonly ids: readonly string[];
  /** Epoch ms after which licenses signed by it are refused, or `null`. */
  readonly notAfterMs: number | null;
}

/** An imported key ring. */
export interface KeyRing {
  readonly entries: readonly KeyRingEntry[];
}

/** The most keys a ring may hold: each unnamed candidate may cost one verification. */
export const MAX_RING_KEYS = 32;

/** The largest time a Date holds (ms either side of 1970): a later notAfter could not be shown in a verdict. */
const MAX_DATE_MS = 8.64e15;

const rings = new Map<string, KeyRing>();
const MAX_CACHED = 16;

function entry(key: PublicKey, notAfterMs: number | null, aliases: readonly (string | undefined)[]): KeyRingEntry {
  const kid = keyId(key);
  const ids = [kid];
  for (const alias of aliases) if (alias !== undefined && !ids.includes(alias)) ids.push(alias);
  return Object.freeze({ key, kid, ids: Object.freeze(ids), notAfterMs });
}

function own(object: object, name: string): unknown {
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

/** The earlier of two retirement dates (`null`: none). */
function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function notAfterOf(value: unknown, label: string): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
    throw new OptionError(`"${label}" must be a valid Date or epoch milliseconds within ±${MAX_DATE_MS}`);
  }
  return ms;
}

/** A JWK (a set member, or one key): its `exp` (NumericDate seconds) is the key's notAfter, its `kid` an alias. */
function jwkEntry(jwk: unknown, label: string): KeyRingEntry {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new KeyError('ERR_KEY_INVALID', `${label} is not a JSON object`);
  const exp = own(jwk, 'exp');
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp) || Math.abs(exp) > MAX_DATE_MS / 1000)) {
    throw new KeyError('ERR_KEY_INVALID', `${label}: "exp" must be a NumericDate (seconds since 1970, within ±${MAX_DATE_MS / 1000})`);
  }
  const kid = own(jwk, 'kid');
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) throw new KeyError('ERR_KEY_INVALID', `${label}: "kid" must be a non-empty string`);
  return entry(importPublicKey(jwk as Record<string, unknown>), exp === undefined ? null : exp * 1000, [kid]);
}

/** The longest key ring text read: a ring of the most keys, each of the longest key text. */
const MAX_RING_TEXT = MAX_RING_KEYS * MAX_KEY_INPUT_BYTES;

/** Key text that is a JSON object (a JWK or a JWK Set), parsed; `null` for anything else (XML, PEM, or not JSON: the key importer says why). */
function jsonObject(text: string): object | null {
  const body = text.replace(/^\uFEFF/, '');
  if (!/^\s*\{/.test(body)) return null;
  if (body.length > MAX_RING_TEXT) throw new KeyError('ERR_KEY_INVALID', `key text longer than ${MAX_RING_TEXT} characters`);
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function isMember(value: object): boolean {
  return Object.hasOwn(value, 'key') && !Object.hasOwn(value, 'kty');
}

function isJwkSet(value: object): boolean {
  return Object.hasOwn(value, 'keys') && !Object.hasOwn(value, 'kty');
}

/** One key in any form, with a JWK's own `exp` and `kid`. */
function singleEntry(input: unknown, label: string): KeyRingEntry {
  if (typeof input === 'string') {
    // Longer than one key may be: the importer refuses it with its own message.
    const parsed = input.length <= MAX_KEY_INPUT_BYTES ? jsonObject(input) : null;
    if (parsed !== null) return jwkEntry(parsed, label);
  } else if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && !isPublicKey(input)) {
    return jwkEntry(input, label);
  }
  return entry(importPublicKeyCached(input as KeyInput), null, []);
}

function memberEntry(member: unknown, label: string): KeyRingEntry {
  if (member === undefined || member === null) throw new OptionError(`"${label}" must be a key or { key, notAfter?, kid? }, got ${member === null ? 'null' : 'nothing (a hole in the array)'}`);
  if (typeof member !== 'object' || member instanceof Uint8Array || isPublicKey(member) || !isMember(member)) return singleEntry(member, label);
  const key = own(member, 'key');
  if (key === undefined || key === null) throw new OptionError(`"${label}.key" must be a key (RSAKeyValue XML, PEM, JWK or an imported PublicKey), got ${String(key)}`);
  const kid = own(member, 'kid');
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) throw new OptionError(`"${label}.kid" must be a non-empty string`);
  const notAfter = notAfterOf(own(member, 'notAfter'), `${label}.notAfter`);
  const inner = singleEntry(key, `${label}.key`);
  return entry(inner.key, earlier(inner.notAfterMs, notAfter), [...inner.ids, kid as string | undefined]);
}

function members(list: unknown[], label: (i: number) => string, make: (member: unknown, label: string) => KeyRingEntry): KeyRing {
  return ring(Array.from({ length: list.length }, (_, i) => make(Object.hasOwn(list, i) ? list[i] : undefined, label(i))), label);
}

function jwkSet(keys: unknown): KeyRing {
  if (!Array.isArray(keys) || keys.length === 0) throw new KeyError('ERR_KEY_INVALID', 'a JWK Set needs a non-empty "keys" array');
  if (keys.length > MAX_RING_KEYS) throw new KeyError('ERR_KEY_INVALID', `a key ring holds at most ${MAX_RING_KEYS} keys, got ${keys.length}`);
  return members(keys, (i) => `JWK Set member ${i}`, jwkEntry);
}

/** Freezes the ring after refusing a key given twice, or an id that would name two keys. */
function ring(entries: KeyRingEntry[], label: (i: number) => string = () => 'key'): KeyRing {
  if (entries.length > 1) {
    const owner = new Map<string, number>();
    entries.forEach((e, i) => {
      for (const id of e.ids) {
        const first = owner.get(id);
        if (first === undefined) owner.set(id, i);
        else if (entries[first]!.kid === e.kid) throw new KeyError('ERR_KEY_INVALID', `${label(i)} is the same key as ${label(first)} (key id ${e.kid}): give each key once, with one notAfter`);
        else throw new KeyError('ERR_KEY_INVALID', `${label(i)} and ${label(first)} both answer to the id ${JSON.stringify(id.slice(0, 80))}: an id must name one key`);
      }
    });
  }
  return Object.freeze({ entries: Object.freeze(entries) });
}

/** A ring from an object: a JWK Set, one `{ key, notAfter?, kid? }`, or one JWK. */
function objectRing(input: object): KeyRing {
  if (isJwkSet(input)) return jwkSet(own(input, 'keys'));
  return ring([isMember(input) ? memberEntry(input, 'key') : jwkEntry(input, 'key')]);
}

/**
 * Imports the `key` option: one key, an array, or a JWK Set.
 * @throws {KeyError} for a key that cannot be used, or a malformed ring.
 * @throws {OptionError} for a malformed member (`null`, a hole, a bad `notAfter` or `kid`).
 * @example
 * importKeyRing([{ key: oldPem, notAfter: new Date('2027-01-01') }, newPem]).entries.map((e) => e.kid)
 */
export function importKeyRing(input: KeyRingInput): KeyRing {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new OptionError('"key" is an empty array: give at least one key');
    if (input.length > MAX_RING_KEYS) throw new KeyError('ERR_KEY_INVALID', `a key ring holds at most ${MAX_RING_KEYS} keys, got ${input.length}`);
    return members(input, (i) => `key[${i}]`, memberEntry);
  }
  if (typeof input === 'string') {
    const hit = rings.get(input);
    if (hit) return hit;
    const parsed = jsonObject(input);
    const made = parsed !== null ? objectRing(parsed) : ring([entry(importPublicKeyCached(input), null, [])]);
    if (rings.size >= MAX_CACHED) rings.delete(rings.keys().next().value!);
    rings.set(input, made);
    return made;
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && !isPublicKey(input)) return objectRing(input);
  return ring([entry(importPublicKeyCached(input as KeyInput), null, [])]);
}

/**
 * The ring's keys that may have signed a license naming `kid` (or naming none)
 * with `fits(key)` true. A named `kid` that no key answers to is a key error
 * (`ERR_KEY_UNKNOWN_KID`): the license was signed by a key the program does
 * not hold.
 */
export function candidateKeys(ring: KeyRing, kid: string | null, fits: (key: PublicKey) => boolean): readonly KeyRingEntry[] {
  if (kid !== null) {
    const named = ring.entries.filter((e) => e.ids.includes(kid));
    if (named.length === 0) {
      throw new KeyError('ERR_KEY_UNKNOWN_KID', `the license names key id ${JSON.stringify(kid.slice(0, 80))}, which is not in the key ring (${ring.entries.map((e) => e.kid).join(', ')})`);
    }
    return named.filter((e) => fits(e.key)).length > 0 ? named.filter((e) => fits(e.key)) : named;
  }
  const fitting = ring.entries.filter((e) => fits(e.key));
  return fitting.length > 0 ? fitting : ring.entries;
}
