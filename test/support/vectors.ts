/**
 * Where the public test vectors live: one setting, `LICENSEKIT_VECTORS`,
 * defaulting to `../shared/vectors` beside the checkout.
 *
 * Suites that need them are declared with {@link describeWithVectors}: when the
 * folder is absent the suite's body is never run (so no vector file is read
 * while vitest collects tests), one skipped placeholder says where the vectors
 * were looked for, and the rest of the run goes on.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

/** Absolute path of the vectors folder. */
export const VECTORS_DIR = resolve(process.env.LICENSEKIT_VECTORS ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'vectors'));

/** True when the vectors sub-folder exists; logs a line saying it is skipped otherwise. */
export function vectorsAvailable(sub: string): boolean {
  const ok = existsSync(join(VECTORS_DIR, sub));
  if (!ok) console.warn(`[licensekit] vectors not found at ${join(VECTORS_DIR, sub)}: conformance suite skipped (set LICENSEKIT_VECTORS)`);
  return ok;
}

/**
 * `describe(title, body)` when the vectors sub-folder `sub` exists; otherwise a
 * skipped suite whose only (skipped) test names the missing folder. The body,
 * which reads vector files, runs only in the first case.
 */
export function describeWithVectors(sub: string, title: string, body: () => void): void {
  if (vectorsAvailable(sub)) {
    describe(title, body);
    return;
  }
  const where = join(VECTORS_DIR, sub);
  describe.skipIf(true)(`${title} (vectors absent at ${where}; set LICENSEKIT_VECTORS)`, () => {
    test(`needs ${where}`, () => expect(existsSync(where)).toBe(true));
  });
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
