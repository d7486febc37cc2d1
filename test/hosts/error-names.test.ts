/**
 * The minified bundles rename classes; `error.name` must still be the class's
 * real name (`KeyError`, …), since callers and logs read it. Each class writes
 * its name out (`errorName`): checked on the IIFE as shipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import { ERROR_CODES } from '../../src/lib/errors.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test('every error class in the minified IIFE reports its own name, and a thrown error carries it', () => {
  const sandbox: Record<string, unknown> = {};
  runInNewContext(`${readFileSync(join(ROOT, 'dist', 'licensekit.iife.js'), 'utf8')}\nthis.lk = licensekit;`, sandbox);
  const lk = sandbox.lk as Record<string, unknown> & { importPublicKey(k: unknown): unknown };
  const classes = new Set(Object.values(ERROR_CODES).map((r) => r.error).filter((n) => n !== 'BatchItemError'));
  for (const name of classes) {
    const cls = lk[name] as { errorName?: string } | undefined;
    expect(cls, name).toBeDefined();
    expect(cls!.errorName).toBe(name);
  }
  let thrown: { name?: string; code?: string } | undefined;
  try {
    lk.importPublicKey('not a key');
  } catch (error) {
    thrown = error as { name: string; code: string };
  }
  expect(thrown).toMatchObject({ name: 'KeyError', code: 'ERR_KEY_INVALID' });
});
