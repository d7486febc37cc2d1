/**
 * Evidence of the real time on a first run, when the state has no trusted
 * time yet: files the operating system itself keeps up to date carry
 * modification times, and one later than the clock claims shows the clock was
 * set back. A bounded, cheap sample (at most {@link MAX_PATHS} `stat` calls):
 * systemd-timesyncd's clock file (its mtime is the last synchronised time),
 * the login records, the package database, the system logs, the temporary
 * folder. User files are left out on purpose: one unpacked from an archive
 * with a future date must not lock a user out.
 *
 * What it stops: turning the clock back on an installed system before the
 * first check. What it cannot stop: a user who also sets those files' times
 * back (`touch -d`), or a fresh machine whose files are all older.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import type { ClockEvidence } from './state.ts';

/** The most paths one sample reads. */
export const MAX_PATHS = 24;

/** The system files sampled on this platform (only those that exist count). */
export function evidencePaths(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'linux') {
    return [
      '/var/lib/systemd/timesync/clock',
      '/var/log/wtmp',
      '/var/log/lastlog',
      '/var/log/journal',
      '/var/log/syslog',
      '/var/log/messages',
      '/var/log',
      '/var/lib/dpkg/status',
      '/var/lib/rpm',
      '/var/cache/ldconfig/aux-cache',
      '/etc/adjtime',
      tmpdir(),
    ];
  }
  if (platform === 'darwin') return ['/private/var/log/system.log', '/private/var/log', '/private/var/db/timed', '/Library/Preferences', tmpdir()];
  if (platform === 'win32') {
    const root = env.SystemRoot ?? 'C:\\Windows';
    return [join(root, 'Temp'), join(root, 'Logs'), join(root, 'System32', 'winevt', 'Logs'), env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local', 'Temp'), tmpdir()];
  }
  return [tmpdir()];
}

/**
 * The latest modification time among `paths` (each `stat`ed once, missing
 * ones skipped), or `null` when none could be read.
 */
export async function readClockEvidence(paths: readonly string[] = evidencePaths(), stats: (path: string) => Promise<{ mtimeMs: number }> = stat): Promise<ClockEvidence | null> {
  let best: ClockEvidence | null = null;
  const results = await Promise.allSettled(paths.slice(0, MAX_PATHS).map(async (path) => ({ path, ms: (await stats(path)).mtimeMs })));
  for (const r of results) {
    if (r.status !== 'fulfilled' || !Number.isFinite(r.value.ms)) continue;
    if (best === null || r.value.ms > best.ms) best = { ms: r.value.ms, source: `${r.value.path} was modified ${new Date(r.value.ms).toISOString()}` };
  }
  return best;
}
