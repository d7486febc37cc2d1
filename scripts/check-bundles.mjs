// Checks the bundles that must run anywhere (dist/browser/index.js and
// dist/licensekit.iife.js) and the declarations in dist/types. Run by
// `npm run build`; exits 1 with one line per problem.
//
// 1. Text: no `node:` import, no `require(`, nothing from systeminformation,
//    node-forge or cbor-x (only the issuer encodes CBOR; verification has its
//    own strict decoder), and every mention of a host global (TextEncoder, TextDecoder,
//    atob, btoa, Buffer, crypto, process) is a property access or follows a
//    `typeof` test of the same name.
// 2. esbuild metafiles (dist/meta): no input from node-forge,
//    systeminformation, cbor-x, src/fingerprint, src/issuer, the native
//    issuer (src/formats/native/issue.ts) or the node backend; no external import.
// 2b. Size: each of them at most 40 KiB gzipped (zlib level 9, as
//    bench/bundles.ts measures), CBOR decoder and pure-JS crypto included.
// 3. The proof: both bundles verify an intact and a tampered fixture license
//    of each format (a native one as armoured text and as binary bytes) in QuickJS, which has no TextEncoder, atob, crypto, Buffer or process.
// 4. Every relative import in dist/types/**/*.d.ts and *.d.cts names a file
//    that exists.
// 5. The Node entry (dist/meta/node.json): what `import 'licensekit'` loads
//    before any call holds no node-forge, no worker-thread pool and no
//    node:worker_threads (those load lazily), and the only packages bundled
//    into dist/node are the @noble ones.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { getQuickJS } from 'quickjs-emscripten';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => join(root, p);
const BUNDLES = { browser: 'dist/browser/index.js', iife: 'dist/licensekit.iife.js' };
const HOST_GLOBALS = ['TextEncoder', 'TextDecoder', 'atob', 'btoa', 'Buffer', 'crypto', 'process'];
/** The most a browser or IIFE bundle may weigh, gzipped (zlib level 9): 40 KiB. */
export const MAX_GZIPPED_BYTES = 40 * 1024;

/** A bundle's gzipped size in bytes, measured as bench/bundles.ts does (zlib level 9). */
export function gzippedSize(code) {
  return gzipSync(typeof code === 'string' ? Buffer.from(code) : code, { level: 9 }).length;
}

/** Problems with a bundle's size: more than `limit` bytes gzipped. */
export function checkSize(code, limit = MAX_GZIPPED_BYTES) {
  const gzipped = gzippedSize(code);
  return gzipped > limit ? [`is ${gzipped} bytes gzipped, above the limit of ${limit} (${(limit / 1024).toFixed(0)} KiB)`] : [];
}

/** Blanks string and template literal contents (approximately: enough for minified esbuild output). */
function withoutStrings(code) {
  return code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, (s) => s[0] + ' '.repeat(s.length - 2) + s[0]);
}

/** Problems found in one bundle's text. */
export function scanBundle(code) {
  const problems = [];
  if (/["'`]node:/.test(code)) problems.push('imports a node: module');
  if (/systeminformation/.test(code)) problems.push('contains systeminformation');
  if (/node-forge|forgeBackend|\bforge\.(pki|md|util|asn1)\b/.test(code)) problems.push('contains node-forge');
  // cbor-x's option names survive minification (the issuer's encoder sets them): the verify path never carries it.
  if (/cbor-x|cbor-extract|\buseRecords\b|\bmapsAsObjects\b|\bstructuredClone\s*:/.test(code)) problems.push('contains cbor-x (only the issuer may import it)');
  const bare = withoutStrings(code);
  if (/(?<![\w$.])require\s*\(/.test(bare)) problems.push('calls require(');
  for (const name of HOST_GLOBALS) {
    for (const m of bare.matchAll(new RegExp(`(?<![\\w$.])${name}(?![\\w$:])`, 'g'))) {
      const before = bare.slice(Math.max(0, m.index - 120), m.index);
      if (/typeof\s*$/.test(before) || before.includes(`typeof ${name}`)) continue;
      if (/^\w+\([\w$,]*\)\{/.test(bare.slice(m.index)) && /[{};,]$/.test(before)) continue; // a method named so, e.g. `process(t,n){`
      problems.push(`uses ${name} unguarded: …${code.slice(Math.max(0, m.index - 40), m.index + 40)}…`);
    }
  }
  return problems;
}

function scanMetafile(name) {
  const path = at(`dist/meta/${name}.json`);
  if (!existsSync(path)) return [`dist/meta/${name}.json is missing (run npm run build)`];
  return scanBundleMetafile(JSON.parse(readFileSync(path, 'utf8')));
}

/** Problems with a browser or IIFE bundle's esbuild metafile: inputs that belong to Node or to the vendor side, and run-time imports. */
export function scanBundleMetafile(meta) {
  const problems = [];
  for (const input of Object.keys(meta.inputs)) {
    if (/node_modules\/(node-forge|systeminformation|cbor-x|cbor-extract)\/|src\/fingerprint\/|src\/issuer\/|src\/formats\/native\/issue\.ts|src\/backends\/(node|forge)\.ts/.test(input)) problems.push(`bundles ${input}`);
  }
  for (const output of Object.values(meta.outputs)) {
    for (const imp of output.imports ?? []) if (imp.external) problems.push(`imports ${imp.path} at run time`);
  }
  return problems;
}

/** Outputs `entry` loads at import: itself and every chunk reached by static imports (never `import()`). */
export function staticClosure(meta, entry) {
  const seen = new Set();
  const visit = (out) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const imp of meta.outputs[out]?.imports ?? []) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entry);
  return seen;
}

/** Problems with the Node ESM build's metafile: what `import 'licensekit'` loads eagerly, and what dist/node bundles. */
export function scanNodeMetafile(meta, entry = 'dist/node/index.js') {
  if (!meta.outputs[entry]) return [`${entry} is not in the metafile`];
  const problems = [];
  for (const out of staticClosure(meta, entry)) {
    const o = meta.outputs[out];
    for (const input of Object.keys(o.inputs)) {
      // @noble/ciphers builds its AES tables when it loads (~12 ms): Node's entry decrypts Keygen files with node:crypto.
      if (/src\/backends\/(forge|node-parallel)\.ts$|src\/fingerprint\/|node_modules\/@noble\/ciphers\//.test(input)) problems.push(`${entry} loads ${input} at import (${out})`);
      // What dist/node/lazy/ holds loads on first use (src/lazy/load.node.ts): the Keygen and NetLicensing readers, the WebCrypto and pure-JS backends.
      if (/src\/formats\/keygen\/(?!detect\.ts$|aes\.node\.ts$)|src\/formats\/netlicensing\/(?!detect\.ts$|claims\.ts$)|src\/backends\/(purejs\/|webcrypto\.ts$)|node_modules\/@noble\/ed25519\//.test(input)) problems.push(`${entry} loads ${input} at import (${out}); it belongs in dist/node/lazy/`);
    }
    for (const imp of o.imports) {
      if (imp.kind === 'import-statement' && imp.external && /^(node-forge|systeminformation)(\/|$)|^node:worker_threads$/.test(imp.path)) problems.push(`${entry} imports ${imp.path} at import (${out})`);
    }
  }
  for (const input of Object.keys(meta.inputs)) {
    if (input.includes('node_modules/') && !/node_modules\/@noble\//.test(input)) problems.push(`dist/node bundles ${input} (only @noble packages are bundled)`);
  }
  return problems;
}

/** Verifies `cases` with a bundle in a bare QuickJS context; returns what the page of results says. */
export async function verifyInQuickJS(kind, code, cases) {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  const vm = runtime.newContext();
  try {
    if (kind === 'iife') {
      vm.unwrapResult(vm.evalCode(code, 'licensekit.iife.js')).dispose();
    } else {
      runtime.setModuleLoader((name) => (name === 'licensekit' ? code : { error: new Error(`no module ${name}`) }));
      vm.unwrapResult(vm.evalCode("import * as lk from 'licensekit'; globalThis.licensekit = lk;", 'main.js', { type: 'module' })).dispose();
      runtime.executePendingJobs();
    }
    const script = `
      globalThis.__out = 'pending';
      (async () => {
        const host = [typeof TextEncoder, typeof TextDecoder, typeof atob, typeof crypto, typeof Buffer, typeof process, typeof require];
        const cases = ${JSON.stringify(cases)};
        const verdicts = [];
        for (const c of cases) {
          const v = await licensekit.verifyLicense(c.bytes ? new Uint8Array(c.bytes) : c.text, { key: c.key, now: new Date(c.now), ...c.options });
          verdicts.push({ valid: v.valid, reasons: v.reasons, backend: v.backend });
        }
        return JSON.stringify({ host, verdicts });
      })().then((s) => { globalThis.__out = s; }, (e) => { globalThis.__out = 'error: ' + e + ' ' + (e && e.stack); });`;
    vm.unwrapResult(vm.evalCode(script)).dispose();
    for (let i = 0; i < 10_000; i++) {
      const pending = runtime.executePendingJobs();
      vm.unwrapResult(pending);
      const out = vm.getProp(vm.global, '__out');
      const text = vm.getString(out);
      out.dispose();
      if (text !== 'pending') {
        if (text.startsWith('error: ')) throw new Error(`QuickJS (${kind}): ${text}`);
        return JSON.parse(text);
      }
    }
    throw new Error(`QuickJS (${kind}): the verification never settled`);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

/** The fixture cases every check uses: intact licenses and tampered copies, Cryptolens and native (binary ones as `bytes`). */
export function smokeCases() {
  const manifest = ['fixtures/licenses/manifest.json', 'fixtures/licenses/native/manifest.json'].flatMap((m) => JSON.parse(readFileSync(at(m), 'utf8')));
  return ['valid.skm', 'tampered-expires.skm', 'native/valid.lic', 'native/tampered.lic', 'native/valid-binary.lic', 'native/tampered-binary.lic'].map((file) => {
    const m = manifest.find((e) => e.file === file);
    const content = m.binary ? { bytes: Array.from(readFileSync(at(`fixtures/licenses/${file}`))) } : { text: readFileSync(at(`fixtures/licenses/${file}`), 'utf8') };
    return { file, ...content, key: readFileSync(at(`fixtures/keys/${m.key}`), 'utf8'), now: m.now, options: m.options, valid: m.valid, reasons: m.reasons };
  });
}

function checkDeclarations() {
  const problems = [];
  const dir = at('dist/types');
  if (!existsSync(dir)) return ['dist/types is missing (run npm run build)'];
  for (const file of readdirSync(dir, { recursive: true })) {
    if (!/\.d\.c?ts$/.test(file)) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = join(dir, dirname(file), m[1]).replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts');
      if (!/\.d\.c?ts$/.test(target) || !existsSync(target)) problems.push(`dist/types/${file}: import "${m[1]}" does not resolve`);
    }
  }
  return problems;
}

async function main() {
  const problems = [];
  const cases = smokeCases();
  for (const [kind, file] of Object.entries(BUNDLES)) {
    if (!existsSync(at(file))) {
      problems.push(`${file} is missing (run npm run build)`);
      continue;
    }
    const code = readFileSync(at(file), 'utf8');
    for (const p of [...scanBundle(code), ...scanMetafile(kind), ...checkSize(code)]) problems.push(`${file}: ${p}`);
    try {
      const out = await verifyInQuickJS(kind, code, cases);
      if (out.host.some((t) => t !== 'undefined')) problems.push(`${file}: the QuickJS host was not bare (${out.host.join(', ')})`);
      cases.forEach((c, i) => {
        const v = out.verdicts[i];
        if (v.valid !== c.valid || JSON.stringify(v.reasons) !== JSON.stringify(c.reasons)) problems.push(`${file}: ${c.file} in QuickJS gave ${JSON.stringify(v)}`);
      });
    } catch (error) {
      problems.push(`${file}: ${error.message}`);
    }
  }
  problems.push(...checkDeclarations());
  const nodeMeta = at('dist/meta/node.json');
  if (!existsSync(nodeMeta)) problems.push('dist/meta/node.json is missing (run npm run build)');
  else problems.push(...scanNodeMetafile(JSON.parse(readFileSync(nodeMeta, 'utf8'))));
  if (problems.length > 0) {
    for (const p of problems) console.error(`[check-bundles] ${p}`);
    process.exit(1);
  }
  const sizes = Object.values(BUNDLES).map((file) => `${file} ${(gzippedSize(readFileSync(at(file))) / 1024).toFixed(1)} KiB gzipped`);
  console.log(`[check-bundles] ok: ${Object.values(BUNDLES).join(', ')} verify in bare QuickJS, hold no cbor-x and stay within ${MAX_GZIPPED_BYTES / 1024} KiB gzipped (${sizes.join(', ')}); dist/types imports resolve; dist/node/index.js loads no node-forge or worker pool at import`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
