/**
 * Small asynchronous readers for sysfs, procfs and /etc files that turn file
 * system errors into a {@link Reading}'s missing reason instead of throwing.
 */
import { access, readFile, readdir, readlink, realpath } from 'node:fs/promises';
import type { MissingReason, Reading } from '../snapshot.ts';

/** Maps a file system error to why the value is missing. */
export function missingReason(error: unknown): MissingReason {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'no-permission';
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENODEV' || code === 'ENXIO' || code === 'EINVAL') return 'absent';
  return 'unreadable';
}

/** Reads a small text file, trimmed of whitespace and NULs; an empty file is `absent`. */
export async function readValue(path: string): Promise<Reading> {
  try {
    const text = (await readFile(path, 'latin1')).replace(/\u0000/g, '').trim();
    return text === '' ? { missing: 'absent' } : text;
  } catch (error) {
    return { missing: missingReason(error) };
  }
}

/** The first of several candidate files that reads a value; otherwise the most telling missing reason. */
export async function readFirstValue(paths: readonly string[]): Promise<Reading> {
  const readings = await Promise.all(paths.map(readValue));
  const found = readings.find((r) => typeof r === 'string');
  if (found !== undefined) return found;
  const reasons = readings.map((r) => (typeof r === 'string' ? 'absent' : r.missing));
  return { missing: reasons.includes('no-permission') ? 'no-permission' : reasons.includes('unreadable') ? 'unreadable' : 'absent' };
}

/** Reads a file's text, or undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Lists a directory, or an empty list when it cannot be read. */
export async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

/** Resolves a path's symlinks, or undefined. */
export async function resolvePath(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/** Reads a symlink's target, or undefined. */
export async function linkTarget(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch {
    return undefined;
  }
}

/** True when a path exists (following symlinks). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
