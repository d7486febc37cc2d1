/**
 * Where a program's state lives by default: the per-user data folder of each
 * OS, then `licensekit/<program>/<vendorKeyId>`. A pure function of its
 * inputs (no `node:*` import, no environment read here): the Node entry
 * passes `process.platform`, `process.env` and `os.homedir()`.
 */
import { OptionError } from '../../lib/errors.ts';

/** Inputs of {@link defaultStateDirectory}. */
export interface StateDirectoryInput {
  /** The program's name (any text; escaped into one safe folder name). */
  readonly program: string;
  /** The vendor key's id (for example its RFC 7638 thumbprint), escaped likewise. */
  readonly vendorKeyId: string;
  /** `process.platform`: `'win32'`, `'darwin'`, anything else follows XDG. */
  readonly platform: string;
  /** The environment (`XDG_DATA_HOME`, `LOCALAPPDATA`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder (absolute). */
  readonly homedir: string;
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const MAX_SEGMENT = 160;

/**
 * One folder name for any text, the same on every OS, and different for
 * different texts (injective): ASCII letters, digits, `_` and `-` stay, as
 * does `.` inside the name; every other UTF-8 byte becomes `%HH`, and so does
 * the first letter of a Windows device name (`CON`, `nul`, `COM1`…). So
 * `..`, `a/b`, `C:\x` and a trailing dot or space never reach the path.
 *
 * @example
 * folderName('My App/2') // 'My%20App%2F2'
 * folderName('..')       // '%2E%2E'
 */
export function folderName(text: string, what = 'name'): string {
  if (typeof text !== 'string' || text.length === 0) throw new OptionError(`"${what}" expected a non-empty string`);
  let out = '';
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const c = String.fromCharCode(b);
    const plain = /[A-Za-z0-9_-]/.test(c) || (c === '.' && i > 0 && i < bytes.length - 1);
    out += plain ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  const stem = out.split('.')[0]!;
  if (WINDOWS_DEVICE.test(stem)) out = `%${out.charCodeAt(0).toString(16).toUpperCase()}${out.slice(1)}`;
  if (out.length > MAX_SEGMENT) throw new OptionError(`"${what}" is too long for a folder name (${out.length} characters once escaped, at most ${MAX_SEGMENT})`);
  return out;
}

const isAbsolutePosix = (p: string): boolean => p.startsWith('/');
const isAbsoluteWindows = (p: string): boolean => /^[A-Za-z]:[\\/]/.test(p) || /^[\\/]{2}[^\\/]+[\\/][^\\/]+/.test(p);

function join(separator: '/' | '\\', base: string, ...segments: string[]): string {
  const trimmed = separator === '\\' ? base.replace(/[\\/]+$/, '') : base.replace(/\/+$/, '');
  return [trimmed === '' ? '' : trimmed, ...segments].join(separator) || separator;
}

/**
 * The default state folder of `program` under the vendor key `vendorKeyId`:
 *
 * - Linux and other Unixes: `$XDG_DATA_HOME/licensekit/<program>/<vendorKeyId>`,
 *   or `~/.local/share/…` when `XDG_DATA_HOME` is unset, empty or relative
 *   (the XDG Base Directory spec says to ignore a relative one);
 * - macOS: `~/Library/Application Support/licensekit/…`;
 * - Windows: `%LOCALAPPDATA%\licensekit\…` (machine-local, not roaming: the
 *   state is bound to this machine), or `~\AppData\Local\…` when unset.
 *
 * Names are escaped by {@link folderName}, so no program name leaves the folder.
 * Throws `ERR_OPTION_INVALID` for an empty name or a home folder that is not absolute.
 *
 * @example
 * defaultStateDirectory({ program: 'acme', vendorKeyId: 'kid1', platform: 'linux', env: {}, homedir: '/home/ann' })
 * // '/home/ann/.local/share/licensekit/acme/kid1'
 */
export function defaultStateDirectory(input: StateDirectoryInput): string {
  const program = folderName(input.program, 'program');
  const vendorKeyId = folderName(input.vendorKeyId, 'vendorKeyId');
  const { platform, env, homedir } = input;
  const own = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined);
  if (platform === 'win32') {
    const local = own('LOCALAPPDATA');
    let base: string;
    if (local !== undefined && isAbsoluteWindows(local)) base = local;
    else if (typeof homedir === 'string' && isAbsoluteWindows(homedir)) base = join('\\', homedir, 'AppData', 'Local');
    else throw new OptionError(`"homedir" expected an absolute Windows path when LOCALAPPDATA is not set, got ${JSON.stringify(homedir)}`);
    return join('\\', base, 'licensekit', program, vendorKeyId);
  }
  const home = (): string => {
    if (typeof homedir !== 'string' || !isAbsolutePosix(homedir)) throw new OptionError(`"homedir" expected an absolute path, got ${JSON.stringify(homedir)}`);
    return homedir;
  };
  if (platform === 'darwin') return join('/', home(), 'Library', 'Application Support', 'licensekit', program, vendorKeyId);
  const xdg = own('XDG_DATA_HOME');
  const base = xdg !== undefined && isAbsolutePosix(xdg) ? xdg : join('/', home(), '.local', 'share');
  return join('/', base, 'licensekit', program, vendorKeyId);
}
