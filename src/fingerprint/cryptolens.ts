/**
 * Machine codes of the official Cryptolens Node client (`cryptolens` on npm,
 * `Helpers.GetMachineCode()` and `GetMachineCodeShort()`), reproduced without
 * running a command, so licenses activated with that client keep working.
 *
 * What the client hashes (SHA-256, lower-case hex of the UTF-8 bytes):
 * - Linux: the stdout of `findmnt --output=UUID --noheadings --target=/boot`,
 *   trailing newline included: the file system UUID of the mount holding /boot
 *   (the root file system when /boot is not separate) and `\n`; just `\n` when
 *   findmnt finds no UUID (no udev database and no permission to probe the
 *   device, as in most containers): every such machine then shares one code.
 * - Windows: `(Get-CimInstance -Class Win32_ComputerSystemProduct).UUID`,
 *   trimmed (the client's `substring(indexOf("UUID"))` finds no "UUID" in a
 *   bare value and keeps it whole).
 * - macOS: `system_profiler SPHardwareDataType | awk '/UUID/ { print $3; }'`:
 *   the hardware UUID and `\n`.
 * The short form is the first 20 characters.
 *
 * Linux is read directly, as findmnt does: /proc/self/mountinfo for the mount
 * holding /boot, then the udev database entry of its device
 * (`/run/udev/data/b<major>:<minor>`, `ID_FS_UUID_ENC`), then
 * /dev/disk/by-uuid links, then the file system superblock (ext2/3/4, XFS,
 * Btrfs, FAT), which only root can read, like blkid. Windows and macOS read
 * the UUID through systeminformation (upper-cased, as WMI and system_profiler
 * print it; implemented from the client's source, not verified on those systems).
 */
import { createHash } from 'node:crypto';
import { open, readFile, readdir, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FingerprintError } from '../lib/errors.ts';
import { parseMountinfoLine } from './environment.ts';

/** The official clients' machine code variants licensekit reproduces. */
export type CryptolensCompat = 'cryptolens-node' | 'cryptolens-node-short';

/** The variants, for argument checks and the CLI. */
export const CRYPTOLENS_COMPAT_VARIANTS: readonly CryptolensCompat[] = Object.freeze(['cryptolens-node', 'cryptolens-node-short']);

/** Options of {@link cryptolensMachineCode}. */
export interface CryptolensMachineCodeOptions {
  /** Which client's code. */
  readonly compat: CryptolensCompat;
  /**
   * When no UUID can be found, return what the official client returns anyway
   * (the hash of an empty line on Linux, of nothing on macOS), a code every
   * such machine shares. Default false: `ERR_FINGERPRINT_UNAVAILABLE`.
   */
  readonly allowEmptyUuid?: boolean;
  /** Directory standing in for `/` on Linux, for tests with a fake tree. Default `/`. */
  readonly root?: string;
  /** Default `process.platform`. */
  readonly platform?: string;
}

/**
 * The official Node client's machine code for a UUID as its command prints it:
 * SHA-256 hex of `uuid + "\n"` on Linux and macOS, of the trimmed UUID on
 * Windows. Pure; for tests and for codes computed elsewhere.
 *
 * @example
 * cryptolensNodeDigest('linux', '4f1c2a9e-0b7d-4c3e-9a21-6c0d8e7f1b2a') // sha256("4f1c…1b2a\n")
 */
export function cryptolensNodeDigest(platform: string, uuid: string): string {
  const printed = platform === 'win32' ? uuid.trim() : platform === 'darwin' && uuid === '' ? '' : `${uuid}\n`;
  return createHash('sha256').update(printed, 'utf8').digest('hex');
}

/** Decodes udev's `\xNN` escapes (findmnt's unhexmangle). */
function unhexmangle(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const match = /^\\x([0-9a-fA-F]{2})/.exec(text.slice(i, i + 4));
    if (match !== null) {
      bytes.push(parseInt(match[1]!, 16));
      i += 3;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

async function text(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The mount point findmnt --target picks for a path: the longest mount point containing it, the last one mounted there. */
function mountFor(mountinfo: string, target: string): { source: string; majorMinor: string } | undefined {
  let best: { point: string; source: string; majorMinor: string } | undefined;
  for (const line of mountinfo.split('\n')) {
    const mount = parseMountinfoLine(line);
    if (mount === undefined) continue;
    const point = mount.mountPoint;
    const contains = point === '/' || target === point || target.startsWith(`${point}/`);
    if (!contains || (best !== undefined && point.length < best.point.length)) continue;
    const fields = line.trim().split(' ');
    best = { point, source: fields[fields.indexOf('-') + 2] ?? '', majorMinor: fields[2] ?? '' };
  }
  return best;
}

const hex = (bytes: Buffer) => bytes.toString('hex');
const uuidString = (b: Buffer) => `${hex(b.subarray(0, 4))}-${hex(b.subarray(4, 6))}-${hex(b.subarray(6, 8))}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`;

/**
 * The file system UUID in a device's first 70 KiB, formatted as blkid prints
 * it: ext2/3/4, XFS and Btrfs as lower-case 8-4-4-4-12, FAT as `ABCD-1234`.
 * Undefined when none of these is recognised.
 */
export function probeFilesystemUuid(head: Buffer): string | undefined {
  if (head.length >= 1024 + 0x78 && head.readUInt16LE(1024 + 0x38) === 0xef53) return uuidString(head.subarray(1024 + 0x68, 1024 + 0x78));
  if (head.length >= 48 && head.toString('latin1', 0, 4) === 'XFSB') return uuidString(head.subarray(32, 48));
  if (head.length >= 0x10048 && head.toString('latin1', 0x10040, 0x10048) === '_BHRfS_M') return uuidString(head.subarray(0x10020, 0x10030));
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) {
    const at = head.toString('latin1', 0x52, 0x5a) === 'FAT32   ' ? 0x43 : head.toString('latin1', 0x36, 0x39) === 'FAT' ? 0x27 : -1;
    if (at >= 0) return [head[at + 3], head[at + 2], '-', head[at + 1], head[at]].map((b) => (typeof b === 'string' ? b : b!.toString(16).padStart(2, '0').toUpperCase())).join('');
  }
  return undefined;
}

async function readHead(path: string, length: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * The UUID `findmnt --output=UUID --noheadings --target=/boot` prints on this
 * Linux machine (without its newline), or '' when it would print an empty line.
 */
export async function linuxBootFilesystemUuid(root = '/'): Promise<string> {
  const inRoot = (path: string) => join(root, path);
  const outOfRoot = (path: string) => (root === '/' ? path : path.startsWith(root) ? `/${path.slice(root.length).replace(/^\/+/, '')}` : path);
  const target = await realpath(inRoot('boot')).then(outOfRoot, () => '/');
  const mount = mountFor((await text(inRoot('proc/self/mountinfo'))) ?? '', target);
  if (mount === undefined || !mount.source.startsWith('/')) return '';
  const device = await realpath(inRoot(mount.source)).then(outOfRoot, () => mount.source);
  const name = basename(device);
  const majorMinor = (await text(inRoot(`sys/class/block/${name}/dev`)))?.trim() ?? (mount.majorMinor.startsWith('0:') ? undefined : mount.majorMinor);
  if (majorMinor !== undefined) {
    const db = await text(inRoot(`run/udev/data/b${majorMinor}`));
    const line = db?.split('\n').find((l) => l.startsWith('E:ID_FS_UUID_ENC='));
    if (line !== undefined) return unhexmangle(line.slice('E:ID_FS_UUID_ENC='.length));
  }
  const byUuid = inRoot('dev/disk/by-uuid');
  for (const link of (await readdir(byUuid).catch(() => [] as string[])).sort()) {
    const resolved = await realpath(join(byUuid, link)).then(outOfRoot, () => undefined);
    if (resolved === device) return unhexmangle(link);
  }
  const head = await readHead(inRoot(device), 0x10048);
  return head === undefined ? '' : (probeFilesystemUuid(head) ?? '');
}

async function systeminformationUuid(platform: string): Promise<string> {
  const module = (await import('systeminformation')) as typeof import('systeminformation') & { default?: typeof import('systeminformation') };
  const si = module.default ?? module;
  if (platform === 'win32') return ((await si.system()).uuid ?? '').trim().toUpperCase();
  return ((await si.uuid()).hardware ?? '').trim().toUpperCase();
}

/**
 * This machine's code as the official Cryptolens Node client computes it:
 * `cryptolens-node` is `Helpers.GetMachineCode()` (64 lower-case hex),
 * `cryptolens-node-short` is `GetMachineCodeShort()` (its first 20).
 *
 * @throws {FingerprintError} `ERR_FINGERPRINT_UNAVAILABLE` when no UUID can be
 *   read (unless `allowEmptyUuid`), or on a platform the client does not support.
 * @throws {RangeError} for an unknown `compat`.
 * @example
 * const mid = await cryptolensMachineCode({ compat: 'cryptolens-node' }); // as Helpers.GetMachineCode()
 */
export async function cryptolensMachineCode(options: CryptolensMachineCodeOptions): Promise<string> {
  const compat = options?.compat;
  if (!CRYPTOLENS_COMPAT_VARIANTS.includes(compat)) throw new RangeError(`"compat" expected one of ${CRYPTOLENS_COMPAT_VARIANTS.join(', ')}, got ${String(compat)}`);
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux' && platform !== 'win32' && platform !== 'darwin') {
    throw new FingerprintError('ERR_FINGERPRINT_UNAVAILABLE', `the official Cryptolens Node client has no machine code on ${platform}`);
  }
  const uuid = platform === 'linux' ? await linuxBootFilesystemUuid(options.root) : await systeminformationUuid(platform);
  if (uuid === '' && options.allowEmptyUuid !== true) {
    throw new FingerprintError(
      'ERR_FINGERPRINT_UNAVAILABLE',
      platform === 'linux'
        ? 'no file system UUID found for /boot (no udev database entry, no /dev/disk/by-uuid link, superblock unreadable): the official client would hash an empty line, a code every such machine shares (pass allowEmptyUuid to get it anyway)'
        : `no hardware UUID readable on ${platform}: the official client would hash an empty value (pass allowEmptyUuid to get it anyway)`,
    );
  }
  const code = cryptolensNodeDigest(platform, uuid);
  return compat === 'cryptolens-node-short' ? code.slice(0, 20) : code;
}
