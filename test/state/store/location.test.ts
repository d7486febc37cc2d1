/**
 * defaultStateDirectory: each OS's per-user data folder with injected
 * environment and home folder, names escaped into one folder each (no path
 * traversal), and the escaping injective.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { OptionError } from '../../../src/lib/errors.ts';
import { defaultStateDirectory, folderName } from '../../../src/state/store/location.ts';

const base = { program: 'acme-cad', vendorKeyId: 'kid_1' };

describe('defaultStateDirectory', () => {
  test('Linux: $XDG_DATA_HOME, else ~/.local/share (an empty or relative XDG_DATA_HOME is ignored, as the XDG spec says)', () => {
    const linux = (env: Record<string, string | undefined>) => defaultStateDirectory({ ...base, platform: 'linux', env, homedir: '/home/ann' });
    expect(linux({ XDG_DATA_HOME: '/data/ann/' })).toBe('/data/ann/licensekit/acme-cad/kid_1');
    expect(linux({})).toBe('/home/ann/.local/share/licensekit/acme-cad/kid_1');
    expect(linux({ XDG_DATA_HOME: '' })).toBe('/home/ann/.local/share/licensekit/acme-cad/kid_1');
    expect(linux({ XDG_DATA_HOME: 'relative/dir' })).toBe('/home/ann/.local/share/licensekit/acme-cad/kid_1');
    expect(defaultStateDirectory({ ...base, platform: 'freebsd', env: {}, homedir: '/usr/home/bo' })).toBe('/usr/home/bo/.local/share/licensekit/acme-cad/kid_1');
    expect(defaultStateDirectory({ ...base, platform: 'linux', env: {}, homedir: '/' })).toBe('/.local/share/licensekit/acme-cad/kid_1');
  });

  test('macOS: ~/Library/Application Support (XDG_DATA_HOME does not apply)', () => {
    expect(defaultStateDirectory({ ...base, platform: 'darwin', env: { XDG_DATA_HOME: '/x' }, homedir: '/Users/ann' })).toBe('/Users/ann/Library/Application Support/licensekit/acme-cad/kid_1');
  });

  test('Windows: %LOCALAPPDATA% (not roaming), else ~\\AppData\\Local', () => {
    const win = (env: Record<string, string | undefined>, homedir = 'C:\\Users\\ann') => defaultStateDirectory({ ...base, platform: 'win32', env, homedir });
    expect(win({ LOCALAPPDATA: 'D:\\Local\\', APPDATA: 'C:\\Roaming' })).toBe('D:\\Local\\licensekit\\acme-cad\\kid_1');
    expect(win({})).toBe('C:\\Users\\ann\\AppData\\Local\\licensekit\\acme-cad\\kid_1');
    expect(win({ LOCALAPPDATA: 'relative' })).toBe('C:\\Users\\ann\\AppData\\Local\\licensekit\\acme-cad\\kid_1');
    expect(win({ LOCALAPPDATA: '\\\\server\\share\\ann' })).toBe('\\\\server\\share\\ann\\licensekit\\acme-cad\\kid_1');
  });

  test('only own properties of env count (a polluted prototype sets no folder)', () => {
    const env = Object.create({ XDG_DATA_HOME: '/evil' }) as Record<string, string>;
    expect(defaultStateDirectory({ ...base, platform: 'linux', env, homedir: '/home/ann' })).toBe('/home/ann/.local/share/licensekit/acme-cad/kid_1');
  });

  test('program names never leave the folder: separators, dots, drive letters and device names are escaped', () => {
    const dir = (program: string) => defaultStateDirectory({ program, vendorKeyId: 'k', platform: 'linux', env: {}, homedir: '/h' });
    expect(dir('../../etc')).toBe('/h/.local/share/licensekit/%2E.%2F..%2Fetc/k');
    expect(dir('..')).toBe('/h/.local/share/licensekit/%2E%2E/k');
    expect(dir('.hidden')).toBe('/h/.local/share/licensekit/%2Ehidden/k');
    expect(dir('C:\\Windows')).toBe('/h/.local/share/licensekit/C%3A%5CWindows/k');
    expect(dir('My App 2.0')).toBe('/h/.local/share/licensekit/My%20App%202.0/k');
    expect(folderName('CON')).toBe('%43ON');
    expect(folderName('nul.txt')).toBe('%6Eul.txt');
    expect(folderName('trailing.')).toBe('trailing%2E');
    expect(folderName('é')).toBe('%C3%A9');
    expect(folderName('100%')).toBe('100%25');
  });

  test('bad input is ERR_OPTION_INVALID: empty names, a relative home, a name too long', () => {
    const attempts = [
      () => defaultStateDirectory({ ...base, program: '', platform: 'linux', env: {}, homedir: '/h' }),
      () => defaultStateDirectory({ ...base, vendorKeyId: '', platform: 'linux', env: {}, homedir: '/h' }),
      () => defaultStateDirectory({ ...base, platform: 'linux', env: {}, homedir: 'home/ann' }),
      () => defaultStateDirectory({ ...base, platform: 'darwin', env: {}, homedir: '' }),
      () => defaultStateDirectory({ ...base, platform: 'win32', env: {}, homedir: '/home/ann' }),
      () => defaultStateDirectory({ ...base, program: 'x'.repeat(161), platform: 'linux', env: {}, homedir: '/h' }),
      () => defaultStateDirectory({ ...base, program: undefined as unknown as string, platform: 'linux', env: {}, homedir: '/h' }),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(OptionError);
      try {
        attempt();
      } catch (error) {
        expect((error as OptionError).code).toBe('ERR_OPTION_INVALID');
      }
    }
  });
});

describe('folderName laws', () => {
  test.prop([fc.string({ minLength: 1, maxLength: 40, unit: 'binary' })])('one safe segment: no separator, not . or .., no leading dot, no trailing dot or space, no device name', (text) => {
    const name = folderName(text);
    expect(name).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9_%.-]*$/);
    expect(name).not.toMatch(/[.]$/);
    expect(name.split('.')[0]).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i);
  });

  test.prop([fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }), fc.string({ minLength: 1, maxLength: 20, unit: 'binary' })])('injective: two names share a folder only when they are equal', (a, b) => {
    expect(folderName(a) === folderName(b)).toBe(a === b);
  });
});
