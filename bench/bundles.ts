/**
 * Bundle sizes: what each host downloads or loads. The browser ESM bundle and
 * the IIFE are measured as shipped (dist/, minified, every dependency inside,
 * pure-JS crypto included); the Node entries are built minified in memory with
 * their dependencies external, as Node resolves those from node_modules, except
 * @noble, which dist/node bundles (scripts/build.mjs). Gzip is zlib level 9.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One bundle's size in bytes. */
export interface BundleSize {
  readonly name: string;
  readonly minified: number;
  readonly gzipped: number;
}

function packageRoot(): string {
  // bench/bundles.ts from sources, dist/bench/run.js when bundled: both are two levels below the root at most.
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');
}

function size(name: string, code: Uint8Array | string): BundleSize {
  const bytes = typeof code === 'string' ? Buffer.from(code) : code;
  return { name, minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
}

async function nodeEntry(root: string, name: string, entry: string, format: 'esm' | 'cjs'): Promise<BundleSize> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const external = Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@noble/'));
  const out = await build({ entryPoints: [join(root, entry)], bundle: true, write: false, minify: true, platform: 'node', external, format, target: 'es2022', logLevel: 'silent' });
  return size(name, out.outputFiles[0]!.contents);
}

/**
 * Sizes of every published bundle (run `npm run build` first for the dist files).
 *
 * @example
 * ```ts
 * for (const b of await bundleSizes()) console.log(b.name, b.minified, b.gzipped);
 * ```
 */
export async function bundleSizes(): Promise<BundleSize[]> {
  const root = packageRoot();
  return [
    size('dist/licensekit.iife.js (global `licensekit`, plugin hosts)', await readFile(join(root, 'dist/licensekit.iife.js'))),
    size('dist/browser/index.js (browser ESM)', await readFile(join(root, 'dist/browser/index.js'))),
    await nodeEntry(root, 'licensekit for Node, ESM (deps external)', 'src/index.node.ts', 'esm'),
    await nodeEntry(root, 'licensekit for Node, CJS (deps external)', 'src/index.node.ts', 'cjs'),
    await nodeEntry(root, 'licensekit/fingerprint, ESM (deps external)', 'src/fingerprint/index.ts', 'esm'),
    await nodeEntry(root, 'licensekit/issuer, ESM (deps external)', 'src/issuer/index.ts', 'esm'),
  ];
}

/** Formats sizes as a Markdown table (KiB = 1024 bytes). */
export function formatBundleTable(rows: readonly BundleSize[]): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return ['| bundle | minified | gzipped |', '|---|---:|---:|', ...rows.map((r) => `| ${r.name} | ${kib(r.minified)} | ${kib(r.gzipped)} |`)].join('\n');
}
