/**
 * Reading license and key files for the CLI, with the size limit applied
 * before the file is read (a 50 MiB file is refused, not loaded), and only
 * from regular files: a FIFO, a terminal or a device is refused without
 * waiting on it (opening a FIFO for reading blocks until a writer comes).
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { DEFAULT_MAX_INPUT_BYTES } from '../verify.ts';
import { FileReadError, LicenseInputError } from '../lib/errors.ts';

/** A file that could not be read at all (`ERR_FILE_UNREADABLE`); it lives with every other code in `lib/errors.ts`. */
export { FileReadError };

const FS_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links (or a symbolic link where none is followed)',
  ENAMETOOLONG: 'the path is too long',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** A file-system error in words, with its errno code: `no such file (ENOENT)`. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return (error as Error | undefined)?.message ?? String(error);
  return `${FS_PROBLEMS[code] ?? 'cannot be accessed'} (${code})`;
}

/** What kind of thing `stats` is, for a "not a regular file" message. */
function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

// O_NONBLOCK: a FIFO swapped in between the stat and the open still opens at once (and is then refused);
// O_NOCTTY: a terminal never becomes the controlling one. Both are 0 where the platform has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a regular file's bytes, refusing files larger than `maxBytes` without
 * reading them, and anything that is not a regular file without opening it.
 */
export async function readLimited(path: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Uint8Array> {
  let before;
  try {
    before = await stat(path);
  } catch (error) {
    throw new FileReadError(`cannot open ${path}: ${describeFsError(error)}`, { cause: error });
  }
  if (!before.isFile()) throw new FileReadError(`${path} is ${kindOf(before)}; expected a regular file`);
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw new FileReadError(`cannot open ${path}: ${describeFsError(error)}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileReadError(`${path} is ${kindOf(stats)}; expected a regular file`);
    if (stats.size > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `${path} is ${stats.size} bytes, above the limit of ${maxBytes}`);
    const buffer = new Uint8Array(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `${path} grew above the limit of ${maxBytes} bytes`);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
