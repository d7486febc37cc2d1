/**
 * Where the public test vectors live: one setting, `LICENSEKIT_VECTORS`,
 * defaulting to `../shared/vectors` beside the checkout. Suites that need them
 * call `vectorsAvailable(sub)` and skip, saying so, when they are absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Absolute path of the vectors folder. */
export const VECTORS_DIR = resolve(process.env.LICENSEKIT_VECTORS ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'vectors'));

/** True when the vectors sub-folder exists; logs a line saying it is skipped otherwise. */
export function vectorsAvailable(sub: string): boolean {
  const ok = existsSync(join(VECTORS_DIR, sub));
  if (!ok) console.warn(`[licensekit] vectors not found at ${join(VECTORS_DIR, sub)}: conformance suite skipped (set LICENSEKIT_VECTORS)`);
  return ok;
}

/** Reads and parses a JSON vector file. */
export function readVector<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, ...parts), 'utf8')) as T;
}

/** Lists `.json` files of a vectors sub-folder (empty when absent). */
export function listVectors(sub: string): string[] {
  const dir = join(VECTORS_DIR, sub);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}
