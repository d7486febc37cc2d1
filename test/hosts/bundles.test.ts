/**
 * The bundles that run anywhere (dist/browser/index.js, dist/licensekit.iife.js,
 * built by the globalSetup) stay within 40 KiB gzipped with the CBOR decoder
 * and pure-JS crypto inside, and carry no cbor-x: only the issuer encodes CBOR.
 * The checks of scripts/check-bundles.mjs (run by `npm run build`) are shown
 * to bite: on a bundle that pulls in the native issuer, and on one too large.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

interface CheckBundles {
  MAX_GZIPPED_BYTES: number;
  gzippedSize(code: string | Uint8Array): number;
  checkSize(code: string | Uint8Array, limit?: number): string[];
  scanBundle(code: string): string[];
  scanBundleMetafile(meta: unknown): string[];
}
const checks = (await import(new URL('../../scripts/check-bundles.mjs', import.meta.url).href)) as CheckBundles;
const ROOT = join(FIXTURES_DIR, '..');
const BUNDLES = [
  ['dist/licensekit.iife.js', 'iife'],
  ['dist/browser/index.js', 'browser'],
] as const;

describe('the browser and IIFE bundles', () => {
  test.each(BUNDLES)('%s is at most 40 KiB gzipped, holds the native format and no cbor-x', (file, meta) => {
    const code = readFileSync(join(ROOT, file), 'utf8');
    expect(checks.MAX_GZIPPED_BYTES).toBe(40 * 1024);
    expect(checks.gzippedSize(code)).toBeLessThanOrEqual(checks.MAX_GZIPPED_BYTES);
    expect(checks.checkSize(code)).toEqual([]);
    expect(checks.scanBundle(code)).toEqual([]);
    const metafile = JSON.parse(readFileSync(join(ROOT, 'dist', 'meta', `${meta}.json`), 'utf8')) as { inputs: Record<string, unknown> };
    expect(checks.scanBundleMetafile(metafile)).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    // The native format's decoder is in (it counts toward the 40 KiB), its encoder is not.
    expect(inputs).toEqual(expect.arrayContaining(['src/formats/native/cbor.ts', 'src/formats/native/cose.ts', 'src/formats/native/armor.ts']));
    expect(inputs.filter((i) => /cbor-x|native\/issue\.ts|src\/issuer\//.test(i))).toEqual([]);
  });

  test('a bundle that imports the native issuer is refused twice: by its metafile and by its text', async () => {
    const out = await build({
      stdin: {
        contents: "export * from './src/index.ts'; export { signNativeLicense } from './src/formats/native/issue.ts';",
        resolveDir: ROOT,
        loader: 'ts',
      },
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      minify: true,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const problems = checks.scanBundleMetafile(out.metafile);
    expect(problems.some((p) => /node_modules\/cbor-x\//.test(p))).toBe(true);
    expect(problems).toContain('bundles src/formats/native/issue.ts');
    expect(checks.scanBundle(out.outputFiles[0]!.text)).toContain('contains cbor-x (only the issuer may import it)');
  });

  test('the size check fails above 40 KiB gzipped, and not at it', () => {
    const iife = readFileSync(join(ROOT, 'dist', 'licensekit.iife.js'));
    const headroom = checks.MAX_GZIPPED_BYTES - checks.gzippedSize(iife);
    // Random bytes do not compress: the IIFE plus a little more than its headroom is too large.
    const padded = Buffer.concat([iife, randomBytes(headroom + 64)]);
    expect(checks.checkSize(padded)).toHaveLength(1);
    expect(checks.checkSize(padded)[0]).toMatch(/above the limit of 40960/);
    expect(checks.checkSize(iife, checks.gzippedSize(iife))).toEqual([]);
    expect(checks.checkSize(iife, checks.gzippedSize(iife) - 1)).toHaveLength(1);
  });
});
