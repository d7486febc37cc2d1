/**
 * Runs a probe of src/fingerprint in a child Node process inside
 * `unshare -Urm` (a new user and mount namespace, as any unprivileged user can
 * create where the kernel allows it), after shell commands that set up bind
 * mounts. The probe is src/fingerprint bundled with esbuild, so the child runs
 * the real collectors against the kernel's (rewritten) view.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Whether `unshare -Urm` works here, and if not, why. */
export function unshareSupport(): { readonly ok: boolean; readonly why: string } {
  if (process.platform !== 'linux') return { ok: false, why: `not Linux (${process.platform})` };
  const run = spawnSync('unshare', ['-Urm', 'true'], { encoding: 'utf8' });
  if (run.error !== undefined) return { ok: false, why: `unshare not runnable: ${run.error.message}` };
  return run.status === 0 ? { ok: true, why: '' } : { ok: false, why: `the kernel refused unshare -Urm: ${run.stderr.trim()}` };
}

/**
 * Whether the namespace tests may be skipped: only where unshare is refused,
 * and never silently under CI=true (set LICENSEKIT_NO_UNSHARE=1 on a CI
 * whose kernel forbids user namespaces, to skip there on purpose).
 */
export function mayRunNamespaceTests(): boolean {
  const support = unshareSupport();
  if (support.ok) return true;
  if (process.env.CI === 'true' && process.env.LICENSEKIT_NO_UNSHARE !== '1') {
    throw new Error(`namespace tests cannot run under CI: ${support.why}. Set LICENSEKIT_NO_UNSHARE=1 if this CI kernel forbids user namespaces.`);
  }
  console.warn(`skipping the unshare -Urm tests: ${support.why}`);
  return false;
}

let bundled: string | undefined;

/** src/fingerprint/index.ts bundled to one ESM file in a temporary directory. */
export async function bundleFingerprint(): Promise<string> {
  if (bundled !== undefined) return bundled;
  const out = join(mkdtempSync(join(tmpdir(), 'licensekit-probe-')), 'fingerprint.mjs');
  await build({ entryPoints: [join(repo, 'src/fingerprint/index.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'silent' });
  bundled = out;
  return out;
}

/**
 * Runs `setup` (shell commands, for example bind mounts) and then `script` (an
 * ES module body with `fp` bound to the bundled src/fingerprint and `require`
 * available) in `unshare -Urm`, or directly when `namespace` is false; returns
 * what the script printed as JSON.
 */
export async function probe<T>(script: string, options: { setup?: string; namespace?: boolean } = {}): Promise<T> {
  const module = await bundleFingerprint();
  const file = join(mkdtempSync(join(tmpdir(), 'licensekit-probe-')), 'probe.mjs');
  writeFileSync(
    file,
    `import * as fp from ${JSON.stringify(module)};\nimport { createRequire } from 'node:module';\nconst require = createRequire(${JSON.stringify(join(repo, 'package.json'))});\n${script}\n`,
  );
  const command = `${options.setup ?? 'true'} && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`;
  const argv = options.namespace === false ? ['sh', '-c', command] : ['unshare', '-Urm', 'sh', '-c', command];
  const stdout = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd: repo, timeout: 60_000 });
  return JSON.parse(stdout) as T;
}
