/**
 * Reading license and key files for the CLI, with the size limit applied
 * before the file is read (a 50 MiB file is refused, not loaded).
 */
import { open } from 'node:fs/promises';
import { DEFAULT_MAX_INPUT_BYTES } from '../verify.ts';
import { FileReadError, LicenseInputError } from '../lib/errors.ts';

/** A file that could not be read at all (`ERR_FILE_UNREADABLE`); it lives with every other code in `lib/errors.ts`. */
export { FileReadError };

/** Reads a file's bytes, refusing files larger than `maxBytes` without reading them. */
export async function readLimited(path: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FileReadError(`cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new FileReadError(`${path} is not a regular file`);
    if (stat.size > maxBytes) throw new LicenseInputError('ERR_INPUT_TOO_LARGE', `${path} is ${stat.size} bytes, above the limit of ${maxBytes}`);
    const buffer = new Uint8Array(Math.min(stat.size, maxBytes) + 1);
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
