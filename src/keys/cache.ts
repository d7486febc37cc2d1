/**
 * A small cache of imported keys by their text, so a program that passes the
 * same XML/PEM string on every call pays for parsing once. Keys are immutable,
 * so sharing them is safe.
 */
import { importPublicKey, type KeyInput } from './import.ts';
import type { PublicKey } from './public-key.ts';

const MAX_ENTRIES = 16;
const byText = new Map<string, PublicKey>();

/** `importPublicKey`, memoised for string inputs. */
export function importPublicKeyCached(input: KeyInput): PublicKey {
  if (typeof input !== 'string') return importPublicKey(input);
  const hit = byText.get(input);
  if (hit) return hit;
  const key = importPublicKey(input);
  if (byText.size >= MAX_ENTRIES) byText.delete(byText.keys().next().value!);
  byText.set(input, key);
  return key;
}
