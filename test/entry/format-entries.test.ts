/**
 * `licensekit/keygen` and `licensekit/netlicensing` by package name, as a Node
 * consumer gets them: in Node both are the Node entry (which reads every
 * format), for `import` and for `require` alike; `require` must not reach the
 * ESM file, which Node before 20.19 cannot load with require.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

test('licensekit/keygen and licensekit/netlicensing: import gets the ESM Node entry, require the CommonJS one', async () => {
  const work = join(root, 'test-results', 'format-entries-consumer');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  symlinkSync(root, join(work, 'node_modules', 'licensekit'), 'dir');
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  writeFileSync(
    join(work, 'esm.mjs'),
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const name of ['licensekit/keygen', 'licensekit/netlicensing']) {
  out[name] = { import: import.meta.resolve(name).replace(/.*\\/dist\\//, 'dist/'), require: require.resolve(name).replace(/.*\\/dist\\//, 'dist/') };
  out[name].formats = (await import(name)).FORMAT_ADAPTERS_WITH_KEYGEN.map((a) => a.name);
  out[name].required = typeof require(name).netlicensingClaims;
}
console.log(JSON.stringify(out));`,
  );
  const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: work });
  const out = JSON.parse(stdout) as Record<string, { import: string; require: string; formats: string[]; required: string }>;
  for (const name of ['licensekit/keygen', 'licensekit/netlicensing']) {
    expect(out[name]!.import).toBe('dist/node/index.js');
    expect(out[name]!.require).toBe('dist/node/index.cjs');
    expect(out[name]!.formats).toContain('keygen');
    expect(out[name]!.required).toBe('function');
  }
}, 60_000);
