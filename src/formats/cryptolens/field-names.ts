/**
 * Case-insensitive field names, as Cryptolens clients save them (PascalCase or
 * camelCase): ASCII folding only, and two names that differ only in case are
 * refused rather than one silently winning.
 */

/**
 * Lower-cases A–Z only. Unicode case mapping would let look-alikes such as the
 * Kelvin sign (U+212A, lower-cased to "k") stand in for a key's letters.
 */
export function asciiLowerCase(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      let out = text.slice(0, i);
      for (let j = i; j < text.length; j++) {
        const d = text.charCodeAt(j);
        out += d >= 65 && d <= 90 ? String.fromCharCode(d + 32) : text[j];
      }
      return out;
    }
  }
  return text;
}

/** Indexes an object's keys by lower case; `onDuplicate` is called (and must throw) for two keys that differ only in case. */
export function lowerKeyIndex(object: object, where: string, onDuplicate: (message: string) => never): Map<string, string> {
  const index = new Map<string, string>();
  for (const k of Object.keys(object)) {
    const lower = asciiLowerCase(k);
    if (index.has(lower)) onDuplicate(`${where} has both "${index.get(lower)}" and "${k}"`);
    index.set(lower, k);
  }
  return index;
}
