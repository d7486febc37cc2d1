/**
 * Key rings: the `key` option may be one key or several, so a vendor can
 * rotate keys. Each key has a stable id, its RFC 7638 thumbprint (see
 * `thumbprint.ts`); a JWK's own `kid` is accepted as an alias. A key may carry
 * the date after which licenses signed by it are no longer accepted
 * (`notAfter`, or a JWK's `exp` in seconds): new licenses are signed with the
 * new key, old ones stay valid until that date, and a leaked key is cut off.
 *
 * Forms accepted:
 * - one key (anything `importPublicKey` takes);
 * - an array of keys, or of `{ key, notAfter?, kid? }` members;
 * - a JWK Set `{ "keys": [...] }`, as an object or JSON text.
 */
import { KeyError, OptionError } from '../lib/errors.ts';
import { importPublicKeyCached } from './cache.ts';
import { importPublicKey, type KeyInput } from './import.ts';
import { isPublicKey, type PublicKey } from './public-key.ts';
import { keyId } from './thumbprint.ts';

/** One member of a key ring given with its own settings. */
export interface KeyRingMember {
  /** The key, in any form `importPublicKey` accepts. */
  readonly key: KeyInput;
  /** Licenses signed by this key are refused (`KEY_RETIRED`) once `now` is after this (a Date or epoch ms). */
  readonly notAfter?: Date | number;
  /** Another id this key is known by (besides its thumbprint). */
  readonly kid?: string;
}

/** What the `key` option accepts. */
export type KeyRingInput = KeyInput | readonly (KeyInput | KeyRingMember)[] | { readonly keys: readonly unknown[] };

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

const rings = new Map<string, KeyRing>();
const MAX_CACHED = 16;

function entry(key: PublicKey, notAfterMs: number | null, alias: unknown): KeyRingEntry {
  const kid = keyId(key);
  const ids = typeof alias === 'string' && alias !== '' && alias !== kid ? [kid, alias] : [kid];
  return Object.freeze({ key, kid, ids: Object.freeze(ids), notAfterMs });
}

function own(object: object, name: string): unknown {
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

function notAfterOf(value: unknown, label: string): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new OptionError(`"${label}" must be a valid Date or epoch milliseconds`);
  return ms;
}

/** A JWK of a set: its `exp` (NumericDate seconds) is the key's notAfter, its `kid` an alias. */
function jwkEntry(jwk: unknown, index: number): KeyRingEntry {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new KeyError('ERR_KEY_INVALID', `JWK Set member ${index} is not a JSON object`);
  const exp = own(jwk, 'exp');
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) throw new KeyError('ERR_KEY_INVALID', `JWK Set member ${index}: "exp" must be a NumericDate (seconds)`);
  return entry(importPublicKey(jwk as Record<string, unknown>), exp === undefined ? null : exp * 1000, own(jwk, 'kid'));
}

function memberEntry(member: unknown, index: number): KeyRingEntry {
  if (member === undefined || member === null) throw new OptionError(`"key[${index}]" must be a key or { key, notAfter?, kid? }, got ${member === null ? 'null' : 'nothing (a hole in the array)'}`);
  if (typeof member === 'object' && member !== null && !(member instanceof Uint8Array) && !isPublicKey(member) && Object.hasOwn(member, 'key') && !Object.hasOwn(member, 'kty')) {
    const m = member as KeyRingMember;
    const kid = own(m, 'kid');
    if (kid !== undefined && (typeof kid !== 'string' || kid === '')) throw new OptionError(`"key[${index}].kid" must be a non-empty string`);
    return entry(importPublicKeyCached(own(m, 'key') as KeyInput), notAfterOf(own(m, 'notAfter'), `key[${index}].notAfter`), kid);
  }
  if (typeof member === 'object' && member !== null && !(member instanceof Uint8Array) && !isPublicKey(member)) return jwkEntry(member, index);
  return entry(importPublicKeyCached(member as KeyInput), null, undefined);
}

function jwkSet(keys: unknown): KeyRing {
  if (!Array.isArray(keys) || keys.length === 0) throw new KeyError('ERR_KEY_INVALID', 'a JWK Set needs a non-empty "keys" array');
  if (keys.length > MAX_RING_KEYS) throw new KeyError('ERR_KEY_INVALID', `a key ring holds at most ${MAX_RING_KEYS} keys, got ${keys.length}`);
  return ring(Array.from({ length: keys.length }, (_, i) => jwkEntry(Object.hasOwn(keys, i) ? keys[i] : undefined, i)));
}

function ring(entries: KeyRingEntry[]): KeyRing {
  return Object.freeze({ entries: Object.freeze(entries) });
}

/**
 * Imports the `key` option: one key, an array, or a JWK Set.
 * @throws {KeyError} for a key that cannot be used, or a malformed ring.
 */
export function importKeyRing(input: KeyRingInput): KeyRing {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new OptionError('"key" is an empty array: give at least one key');
    if (input.length > MAX_RING_KEYS) throw new KeyError('ERR_KEY_INVALID', `a key ring holds at most ${MAX_RING_KEYS} keys, got ${input.length}`);
    return ring(Array.from({ length: input.length }, (_, i) => memberEntry(Object.hasOwn(input, i) ? input[i] : undefined, i)));
  }
  if (typeof input === 'string') {
    const hit = rings.get(input);
    if (hit) return hit;
    let made: KeyRing | null = null;
    if (/^\s*\{/.test(input) && /"keys"\s*:/.test(input)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, 'keys') && !Object.hasOwn(parsed, 'kty')) made = jwkSet((parsed as { keys: unknown }).keys);
    }
    made ??= ring([entry(importPublicKeyCached(input), null, undefined)]);
    if (rings.size >= MAX_CACHED) rings.delete(rings.keys().next().value!);
    rings.set(input, made);
    return made;
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && !isPublicKey(input) && Object.hasOwn(input, 'keys') && !Object.hasOwn(input, 'kty')) {
    return jwkSet((input as { keys: unknown }).keys);
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && !isPublicKey(input)) return ring([jwkEntry(input, 0)]);
  return ring([entry(importPublicKeyCached(input as KeyInput), null, undefined)]);
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
