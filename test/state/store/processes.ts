/**
 * Real child processes for the store's crash and concurrency tests: child.ts
 * bundled once per test file by esbuild into a temporary folder, run with
 * plain node (no TypeScript loader), its stdout read line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles child.ts; returns its path and a clean-up. */
export async function buildChild(): Promise<{ script: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'licensekit-store-child-'));
  const script = join(dir, 'child.mjs');
  await build({ entryPoints: [fileURLToPath(new URL('./child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'warning' });
  return { script, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running child: its lines so far, a wait for a line, and its exit. */
export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves when a line satisfying `test` arrives (rejects if the child exits first). */
  waitFor(test: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code and signal once the child is gone (and reaped). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runChild(script: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters) {
        if (w.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    lines,
    stderr: () => err,
    exited,
    waitFor(test) {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.add({ test, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before the expected line; stderr: ${err}`)));
      });
    },
  };
}
