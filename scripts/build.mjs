// Builds everything with esbuild: the CLI (lazy chunks), the library bundles
// (Node ESM + CJS, browser ESM, IIFE global `licensekit`), their declarations
// (tsc) and the bench and fixture scripts, then checks the browser and IIFE
// bundles (scripts/check-bundles.mjs). `node scripts/build.mjs cli` builds
// only the CLI.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { eagerCompileHot } from './eager-compile.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => join(root, p);
const common = { bundle: true, logLevel: 'warning', sourcemap: false, target: 'es2022', absWorkingDir: root };

/**
 * What the Node library bundles leave to node_modules: every runtime
 * dependency except the @noble packages. Those are bundled in: they are small
 * ESM-only files on the pure-JavaScript backend's path, which the Node entry
 * imports (so that `verifyLicenseSync` can use it); loading them one file at
 * a time from node_modules cost about 8 ms of each cold start (bench/cold-start.ts),
 * and `require('licensekit')` would need require(esm), which Node 20 has only
 * from 20.19. scripts/check-bundles.mjs checks no other package is bundled.
 */
const NODE_EXTERNAL = Object.keys(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).dependencies).filter((name) => !name.startsWith('@noble/'));

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

/**
 * What Node's `licensekit` (dist/node/index.js and index.cjs) leaves out of the
 * file that `import 'licensekit'` compiles (issue 8 §5, cold start), each built
 * on its own into dist/node/lazy/ with its own copy of what it uses:
 *
 * - loaded synchronously on first use, as CommonJS (src/lazy/load.node.ts):
 *   Keygen's and NetLicensing's readers and the WebCrypto and pure-JavaScript
 *   backends;
 * - loaded by `import()`: the worker-thread pool (the first batch), and
 *   node-forge's backend, which is the `licensekit/forge` entry itself.
 */
const LAZY_PARTS = { keygen: 'src/lazy/keygen.ts', netlicensing: 'src/lazy/netlicensing.ts', purejs: 'src/lazy/purejs.ts', webcrypto: 'src/lazy/webcrypto.ts' };

/**
 * The module put in place of src/lazy/load.node.ts in Node's main entry: each loader requires its part once,
 * when first called, and a part that cannot be loaded is a typed error (UnsupportedFormatError for a format's
 * reader, BackendError for a backend), never a bare MODULE_NOT_FOUND.
 *
 * Each part is named by a literal `require('./lazy/<part>.cjs')`, so that a bundler building an app for Node
 * (esbuild, webpack) sees the part and bundles it: there `require` is the bundler's own. Unbundled, an ES module
 * has no `require` of its own: a `require` it sees is a global one (node -e, a REPL, some hosts), which resolves
 * against another folder, so it is never used; the part is then required through `createRequire` beside this file
 * (made on the first load, so `import 'licensekit'` does not set up `import.meta`). Which case holds is decided
 * without looking on disk: a file put beside an app's bundle can never stand in for the part the bundle carries.
 * `LAZY_REQUIRE` stands for `require` until the build is written (esbuild would otherwise turn an ES module's
 * `require` into a shim that throws); `writeLazyRequires` puts the word back.
 */
const LAZY_REQUIRE = '__licensekitLazyRequire__';
const LAZY_FORMATS = new Set(['keygen', 'netlicensing']);
function lazyLoaderSource(format) {
  const loaders = Object.keys(LAZY_PARTS).map(
    (name) => `export const load${name[0].toUpperCase()}${name.slice(1)} = part(${JSON.stringify(name)}, () => ${LAZY_REQUIRE}('./lazy/${name}.cjs'));`,
  );
  const refuse = [
    "import { BackendError, UnsupportedFormatError } from '../lib/errors.ts';",
    `const FORMATS = new Set(${JSON.stringify([...LAZY_FORMATS])});`,
    'const refuse = (name, cause) => {',
    "  const message = `licensekit could not load its ${name} part (dist/node/lazy/${name}.cjs): reinstall licensekit`;",
    "  return FORMATS.has(name) ? new UnsupportedFormatError(message, { cause }) : new BackendError('ERR_BACKEND_UNAVAILABLE', message, { cause });",
    '};',
  ];
  if (format === 'cjs') {
    return [...refuse, 'const part = (name, required) => { let module; return () => { try { return (module ??= required()); } catch (cause) { throw refuse(name, cause); } }; };', ...loaders, ''].join('\n');
  }
  return [
    "import { createRequire } from 'node:module';",
    ...refuse,
    'let nodeRequire;',
    // Bundled, `require` is the bundler's (a module's own, never the global one); unbundled, there is none, or only a global one.
    `const bundled = () => typeof ${LAZY_REQUIRE} === 'function' && ${LAZY_REQUIRE} !== globalThis.require;`,
    'const part = (name, required) => {',
    '  let module;',
    '  return () => {',
    '    try {',
    "      return (module ??= bundled() ? required() : (nodeRequire ??= createRequire(import.meta.url))(`./lazy/${name}.cjs`));",
    '    } catch (cause) {',
    '      throw refuse(name, cause);',
    '    }',
    '  };',
    '};',
    ...loaders,
    '',
  ].join('\n');
}

/** Puts `require` back for `LAZY_REQUIRE` in a built main entry (see {@link lazyLoaderSource}). */
async function writeLazyRequires(file) {
  const text = await readFile(file, 'utf8');
  const count = text.split(LAZY_REQUIRE).length - 1;
  if (count < Object.keys(LAZY_PARTS).length) throw new Error(`${file}: expected a require for each lazy part, found ${count}`);
  await writeFile(file, text.replaceAll(LAZY_REQUIRE, 'require'));
}

/** esbuild plugin for Node's main entry: the lazy loader above, and the `import()`s of the pool and node-forge pointed at their own files. */
function lazyPartsPlugin(format) {
  return {
    name: 'licensekit-lazy-parts',
    setup(b) {
      // node:crypto's SHA-256 in place of @noble/hashes' (src/lib/sha2.node.ts).
      b.onResolve({ filter: /^@noble\/hashes\/sha2\.js$/ }, () => ({ path: at('src/lib/sha2.node.ts') }));
      b.onLoad({ filter: /[\\/]src[\\/]lazy[\\/]load\.node\.ts$/ }, () => ({ contents: lazyLoaderSource(format), loader: 'js', resolveDir: at('src/lazy') }));
      b.onResolve({ filter: /^\.\/lazy\/[^/]+\.c?js$/ }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /(^|\/)(node-parallel|forge)\.ts$/ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        return { path: args.path.endsWith('forge.ts') ? (format === 'esm' ? './forge.js' : './forge.cjs') : './lazy/node-parallel.js', external: true };
      });
    },
  };
}

/** esbuild plugin for the browser bundles: src/lib/buffer.ts (Node's Buffer) is src/lib/buffer.browser.ts there (no Buffer: bytes.ts's portable paths). */
const browserBufferPlugin = {
  name: 'browser-buffer',
  setup(b) {
    b.onResolve({ filter: /\/buffer\.ts$/ }, (args) => (resolve(args.resolveDir, args.path) === at('src/lib/buffer.ts') ? { path: at('src/lib/buffer.browser.ts') } : undefined));
  },
};

/**
 * Library bundles for every host: dist/node (ESM + CJS, with fingerprint,
 * issuer, forge, state, ledger and customers), dist/browser/index.js (ESM) and
 * dist/licensekit.iife.js (global `licensekit`, for plugin hosts). The
 * browser, IIFE and Node ESM builds also write their esbuild metafiles to
 * dist/meta/ for scripts/check-bundles.mjs.
 *
 * Node's main entry is one file (dist/node/index.js, and index.cjs): a cold
 * start then compiles and resolves one module, not nine, and what it rarely
 * needs is in dist/node/lazy/ (`LAZY_PARTS`). The other Node entries split:
 * code they share is in chunks. Each of the two keeps its own copy of the
 * error classes, which answer `instanceof` across copies. The CJS builds
 * cannot split: there esbuild keeps a lazily imported module in the same file
 * but wrapped, evaluated only on the first `import()`.
 */
export async function buildLibrary() {
  // Minified but for names (stack traces keep every function's name): V8 compiles a quarter less text at import.
  const main = { entryPoints: { index: at('src/index.node.ts') }, platform: 'node', external: NODE_EXTERNAL, minifyWhitespace: true, minifySyntax: true };
  const node = { entryPoints: { fingerprint: at('src/fingerprint/index.ts'), issuer: at('src/issuer/index.ts'), forge: at('src/index.forge.ts'), state: at('src/state/index.node.ts'), ledger: at('src/ledger/index.node.ts'), customers: at('src/customers/index.ts') }, platform: 'node', external: NODE_EXTERNAL };
  const lazy = { entryPoints: Object.fromEntries(Object.entries(LAZY_PARTS).map(([name, path]) => [name, at(path)])), platform: 'node', external: NODE_EXTERNAL, outdir: at('dist/node/lazy') };
  // No keepNames (it costs about 3 KiB gzipped): error classes write their names out (`errorName`), so `error.name` survives minifying.
  const browser = { entryPoints: [at('src/index.ts')], platform: 'browser', minify: true, metafile: true, plugins: [browserBufferPlugin] };
  const [nodeMain, nodeEsm, , , , , esm, iife] = await Promise.all([
    build({ ...common, ...main, outdir: at('dist/node'), format: 'esm', plugins: [lazyPartsPlugin('esm')], metafile: true }),
    build({ ...common, ...node, outdir: at('dist/node'), format: 'esm', splitting: true, chunkNames: 'chunks/[name]-[hash]', metafile: true }),
    build({ ...common, ...main, outdir: at('dist/node'), format: 'cjs', outExtension: { '.js': '.cjs' }, plugins: [lazyPartsPlugin('cjs')] }),
    build({ ...common, ...node, outdir: at('dist/node'), format: 'cjs', outExtension: { '.js': '.cjs' } }),
    build({ ...common, ...lazy, format: 'cjs', outExtension: { '.js': '.cjs' } }),
    build({ ...common, entryPoints: { 'node-parallel': at('src/backends/node-parallel.ts') }, platform: 'node', external: NODE_EXTERNAL, outdir: at('dist/node/lazy'), format: 'esm' }),
    build({ ...common, ...browser, outfile: at('dist/browser/index.js'), format: 'esm' }),
    build({ ...common, ...browser, outfile: at('dist/licensekit.iife.js'), format: 'iife', globalName: 'licensekit' }),
    // licensekit/keygen: the browser entry with Keygen's formats (AES-GCM), outside the 40 KiB budget of the two above.
    build({ ...common, ...browser, entryPoints: [at('src/keygen.ts')], outfile: at('dist/browser/keygen.js'), format: 'esm', metafile: false }),
    // licensekit/netlicensing: the browser entry with NetLicensing's XML-DSig files (strict XML reader, C14N), outside the IIFE too.
    build({ ...common, ...browser, entryPoints: [at('src/netlicensing.ts')], outfile: at('dist/browser/netlicensing.js'), format: 'esm', metafile: false }),
    // licensekit/customers: opening customer bundles (scrypt, XChaCha20-Poly1305: ~9 KiB gzipped), also outside that budget.
    build({ ...common, ...browser, entryPoints: [at('src/customers/index.ts')], outfile: at('dist/browser/customers.js'), format: 'esm', metafile: false }),
  ]);
  // A part requires nothing (the entry hands it what it needs from node:crypto): an app bundled as an ES module
  // carries the parts as CommonJS, and there a require of a Node module would throw.
  for (const name of Object.keys(LAZY_PARTS)) {
    if (/\brequire\(/.test(await readFile(at(`dist/node/lazy/${name}.cjs`), 'utf8'))) throw new Error(`dist/node/lazy/${name}.cjs requires a module; a lazy part must require nothing`);
  }
  for (const [file, format] of [['dist/node/index.js', 'esm'], ['dist/node/index.cjs', 'cjs']]) {
    await writeLazyRequires(at(file));
    // The functions a start-up verification runs, compiled as the entry loads (scripts/eager-compile.mjs).
    eagerCompileHot(at(file), format, at('fixtures'));
  }
  await mkdir(at('dist/meta'), { recursive: true });
  await writeFile(at('dist/meta/browser.json'), JSON.stringify(esm.metafile));
  await writeFile(at('dist/meta/iife.json'), JSON.stringify(iife.metafile));
  await writeFile(at('dist/meta/node.json'), JSON.stringify(nodeMain.metafile));
  await writeFile(at('dist/meta/node-entries.json'), JSON.stringify(nodeEsm.metafile));
}

/**
 * Declarations for every public entry into `outDir` (dist/types; tsc with
 * tsconfig.build.json), plus a `.d.cts` twin of each file whose relative
 * imports name `.cjs`, so `require` consumers get CommonJS-typed declarations.
 * Every relative import in them is checked to resolve by scripts/check-bundles.mjs.
 * test/types builds them into a copy of the package of its own, so a test never
 * races a build of dist/.
 */
export async function buildTypes(outDir = at('dist/types')) {
  await rm(outDir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [at('node_modules/typescript/bin/tsc'), '-p', at('tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
  // tsc keeps the sources' `.ts` specifiers in declarations: point them at `.js` (ESM twin) and `.cjs` (CJS twin).
  const relative = /((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g;
  for (const file of await readdir(outDir, { recursive: true })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(outDir, file);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(relative, '$1.js$2'));
    await writeFile(path.replace(/\.d\.ts$/, '.d.cts'), text.replace(relative, '$1.cjs$2'));
  }
}

/**
 * The license inspector page (site/, issue 12) into `outDir` (dist/site):
 * index.html and style.css as they are, the page's script bundled from
 * site/app.ts (an IIFE; it imports only the library's types), and the
 * library the page loads as the global `licensekit`: site/library.ts (the
 * browser API reading every format: the core ones, Keygen's and
 * NetLicensing's) in IIFE form, since a page opened from disk cannot load ES modules.
 * Plain files with classic scripts, so it works opened from disk and served
 * by `licensekit web`.
 */
export async function buildSite(outDir = at('dist/site')) {
  // Built beside it, then each file renamed into place (atomic): a page open from dist/site, or a second build running at once, never sees a half-written file.
  const temp = `${outDir}.build-${process.pid}-${Date.now()}`;
  await mkdir(temp, { recursive: true });
  await build({ ...common, entryPoints: [at('site/app.ts')], outfile: join(temp, 'app.js'), platform: 'browser', format: 'iife', minify: true });
  await build({ ...common, entryPoints: [at('site/style.css')], outfile: join(temp, 'style.css'), minify: true });
  await writeFile(join(temp, 'index.html'), await readFile(at('site/index.html')));
  await build({ ...common, entryPoints: [at('site/library.ts')], outfile: join(temp, 'licensekit-site.iife.js'), platform: 'browser', format: 'iife', globalName: 'licensekit', minify: true });
  await mkdir(outDir, { recursive: true });
  const made = await readdir(temp);
  for (const name of made) await rename(join(temp, name), join(outDir, name));
  for (const name of await readdir(outDir)) if (!made.includes(name)) await rm(join(outDir, name), { recursive: true, force: true });
  await rm(temp, { recursive: true, force: true });
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
    await buildSite();
    await buildTypes();
    await buildScripts();
    const check = spawnSync(process.execPath, [at('scripts/check-bundles.mjs')], { stdio: 'inherit' });
    if (check.status !== 0) process.exit(check.status ?? 1);
  }
}
