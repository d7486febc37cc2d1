// Builds everything with esbuild: the CLI (lazy chunks), the library bundles
// (Node ESM + CJS, browser ESM, IIFE global `licensekit`) and the bench and
// fixture scripts. `node scripts/build.mjs [cli]` builds only the CLI.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => join(root, p);
const common = { bundle: true, logLevel: 'warning', sourcemap: false, target: 'es2022', absWorkingDir: root };

/** The CLI and its lazily loaded commands, for Node. */
export async function buildCli() {
  await build({
    ...common,
    entryPoints: { main: at('src/cli/main.ts') },
    outdir: at('dist/cli'),
    platform: 'node',
    format: 'esm',
    splitting: true,
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
  });
}

/** Library bundles for every host. */
export async function buildLibrary() {
  const node = { entryPoints: { index: at('src/index.node.ts'), fingerprint: at('src/fingerprint/index.ts'), issuer: at('src/issuer/index.ts') }, platform: 'node', packages: 'external' };
  await build({ ...common, ...node, outdir: at('dist/node'), format: 'esm', splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  await build({ ...common, ...node, outdir: at('dist/node'), format: 'cjs', outExtension: { '.js': '.cjs' } });
  await build({ ...common, entryPoints: { index: at('src/index.ts') }, outdir: at('dist/browser'), platform: 'browser', format: 'esm', minify: true });
  await build({ ...common, entryPoints: [at('src/index.ts')], outfile: at('dist/licensekit.iife.js'), platform: 'browser', format: 'iife', globalName: 'licensekit', minify: true });
}

/** Bench runner and fixture generator, bundled for Node. */
export async function buildScripts() {
  await build({ ...common, entryPoints: { 'bench/run': at('bench/run.ts'), 'scripts/make-fixtures': at('scripts/make-fixtures.ts') }, outdir: at('dist'), platform: 'node', format: 'esm', packages: 'external' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv[2];
  await buildCli();
  if (only !== 'cli') {
    await buildLibrary();
    await buildScripts();
  }
}
