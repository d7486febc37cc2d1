/**
 * scripts/eager-compile.mjs (issue 8 §5, cold start): the top-level functions a
 * start-up verification runs are rewritten as parenthesised function
 * expressions, which V8 compiles as the file loads instead of parsing them
 * twice. On a small module: exactly the functions that ran are rewritten, the
 * module still answers the same, and a rewrite that would break the module
 * (a function called during its own evaluation before its line, which a
 * `var` no longer hoists) fails the build instead of shipping. On the built
 * entries: the start-up path's functions are rewritten in both.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { eagerCompileHot } = (await import(new URL('../../scripts/eager-compile.mjs', import.meta.url).href)) as {
  eagerCompileHot(file: string, format: 'esm' | 'cjs', fixtures: string, training?: string): string[];
};
const work = mkdtempSync(join(tmpdir(), 'licensekit-eager-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TRAINING = `
const [file, mode] = process.argv.slice(1);
(async () => {
  const m = mode === 'esm' ? await import(file) : require(file);
  console.log(JSON.stringify([m.used(2), m.alsoUsed(3)]));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('on a small module', () => {
  test('rewrites exactly the top-level functions that ran, and the module answers the same', () => {
    const file = join(work, 'small.mjs');
    writeFileSync(
      file,
      `function helper(x) { return x * 10; }
function used(x) { return helper(x) + 1; }
async function neverCalled() { return 0; }
function unused(y) { return y; }
function alsoUsed(x) { const inner = (z) => z + 1; return inner(x); }
export { used, alsoUsed, unused, neverCalled };
`,
    );
    expect(eagerCompileHot(file, 'esm', work, TRAINING).sort()).toEqual(['alsoUsed', 'helper', 'used']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('var used=(function used(x) { return helper(x) + 1; });');
    expect(text).toContain('var helper=(function helper(x)');
    expect(text).toContain('\nfunction unused(y)');
    expect(text).toContain('\nasync function neverCalled()');
  });

  test('a function the module calls while it loads, above its own line, fails the rewrite (it would no longer be hoisted)', () => {
    const file = join(work, 'hoisted.cjs');
    const original = `var early = used(1);
function used(x) { return x + 1; }
function alsoUsed(x) { return x; }
module.exports = { used, alsoUsed };
`;
    writeFileSync(file, original);
    expect(() => eagerCompileHot(file, 'cjs', work, TRAINING)).toThrow(/hoisted\.cjs once rewritten failed/);
  });
});

describe.each(['dist/node/index.js', 'dist/node/index.cjs'])('the built %s', (entry) => {
  test('has the start-up path compiled as it loads', () => {
    const text = readFileSync(join(root, entry), 'utf8');
    for (const name of ['evaluateLicense', 'parseCryptolensEnvelope', 'mapCryptolensPayload', 'resolveEvaluation', 'parseCoseSign1', 'dearmor']) {
      expect(text).toContain(`var ${name}=(function ${name}(`);
    }
    // What a start-up check does not run stays lazy.
    expect(text).not.toMatch(/var inspectLicense\w*=\(function/);
  });
});
