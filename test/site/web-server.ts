/**
 * Starts the real `licensekit web` (bin/licensekit.js as a child process)
 * and waits for the address it prints; `stop` sends SIGTERM and resolves
 * with its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'licensekit.js');

export interface RunningWeb {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote so far. */
  output(): string;
  stop(): Promise<number | null>;
}

export function startWeb(args: readonly string[] = ['--port', '0'], timeoutMs = 30_000): Promise<RunningWeb> {
  const child = spawn(process.execPath, [BIN, 'web', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`licensekit web printed no address within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[0],
          child,
          output: () => out,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`licensekit web exited with ${code} before printing its address: ${out}`));
    });
  });
}
