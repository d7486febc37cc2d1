/**
 * The program's side of the exchange is core: src/activation/index.ts (and
 * the state it drives) bundles for a browser with no `node:*` module, no
 * systeminformation and none of the fingerprint collectors or scrypt hashing
 * (tolerant matching is the Node entry's default, injected as `sameMachine`).
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

test('src/activation/index.ts bundles for the browser without node:* or the Node-only fingerprint code', async () => {
  const result = await build({ entryPoints: [join(ROOT, 'src/activation/index.ts')], bundle: true, write: false, platform: 'browser', format: 'esm', metafile: true, logLevel: 'silent', absWorkingDir: ROOT });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((f) => f.startsWith('src/activation/'))).toBe(true);
  expect(inputs.filter((f) => f.startsWith('node:') || f.includes('systeminformation') || f.startsWith('src/fingerprint/') || f.startsWith('src/cli/') || f.endsWith('.node.ts'))).toEqual([]);
});
