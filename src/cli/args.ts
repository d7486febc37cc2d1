/**
 * Argument parsing for commands, and strict value readers. Every problem is a
 * usage error (exit 2) whose message names the flag, says what was wrong and
 * what is expected, and suggests the closest option for a typo. Values may
 * start with a single dash (`--days -1` reads "-1", then refused by the
 * reader as a negative number, not as an "ambiguous argument").
 */
import { CliExit, EXIT } from './io.ts';
import { closest } from './did-you-mean.ts';
import { isRealDateTime } from '../lib/calendar.ts';
import type { FeatureNumber } from '../license/model.ts';

/** One flag of a command. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (values collected in order). */
  readonly multiple?: boolean;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** How the value is shown in messages: `--key KEYFILE`. */
  readonly value?: string;
}

/** The flags a command takes, by long name (without `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parsed flag values: booleans, strings, or string arrays for `multiple` flags. */
export type FlagValues<T extends FlagSpecs> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K]['multiple'] extends true ? string[] : string;
};

/** What a command accepts besides its flags. */
export interface ParseSettings {
  /** The command's name, for "see licensekit NAME --help". */
  readonly command: string;
  /** Whether positional arguments (files) are accepted; default false. */
  readonly positionals?: boolean;
  /** Old flag names that are refused with a pointer to the new one: `{ 'fingerprint-salt': 'product' }`. */
  readonly renamed?: Readonly<Record<string, string>>;
}

function usage(settings: ParseSettings, message: string): CliExit {
  return new CliExit(EXIT.USAGE, `${message} (see licensekit ${settings.command} --help)`);
}

function shown(name: string, spec: FlagSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? 'VALUE'}`;
}

/**
 * Parses `args` against `options`. `--name value`, `--name=value`, `-h` and
 * `--` (everything after it is positional) are understood; an unknown or
 * renamed flag, a missing value, a value on a boolean flag, a flag given twice
 * (unless `multiple`) and an unexpected positional argument are usage errors.
 */
export function parseCommandArgs<const T extends FlagSpecs>(args: readonly string[], options: T, settings: ParseSettings): { values: FlagValues<T>; positionals: string[] } {
  const values: Record<string, string | boolean | string[]> = Object.create(null);
  const positionals: string[] = [];
  const names = Object.keys(options);
  const take = (arg: string): void => {
    if (!settings.positionals) throw usage(settings, `unexpected argument "${arg}"; ${settings.command} takes no file or other positional argument`);
    positionals.push(arg);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (const rest of args.slice(i + 1)) take(rest);
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const short = names.find((n) => options[n]!.short === arg.slice(1));
      if (short === undefined) throw usage(settings, `unknown option ${arg}`);
      name = short;
    } else {
      take(arg);
      continue;
    }
    const spec = Object.hasOwn(options, name) ? options[name]! : undefined;
    if (spec === undefined) {
      const renamed = settings.renamed !== undefined && Object.hasOwn(settings.renamed, name) ? settings.renamed[name]! : undefined;
      if (renamed !== undefined) throw usage(settings, `--${name} was renamed: use ${shown(renamed, options[renamed]!)}`);
      const guess = closest(name, names);
      throw usage(settings, `unknown option --${name}${guess === undefined ? '' : `; did you mean --${guess}?`}`);
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw usage(settings, `--${name} takes no value, got "${arg}"`);
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined) throw usage(settings, `${shown(name, spec)}: the value is missing`);
      if (next.startsWith('--')) throw usage(settings, `${shown(name, spec)}: the value is missing before ${next} (write --${name}=${next} if that is the value)`);
      value = next;
      i++;
    }
    if (spec.multiple) {
      ((values[name] ??= []) as string[]).push(value);
    } else {
      if (values[name] !== undefined) throw usage(settings, `--${name} was given twice ("${values[name]}" and "${value}"); give it once`);
      values[name] = value;
    }
  }
  return { values: values as FlagValues<T>, positionals };
}

/** Reads a whole-number flag value, or exits 2. */
export function integerFlag(name: string, value: string | undefined, min = Number.MIN_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new CliExit(EXIT.USAGE, `--${name} must be a whole number${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}, got "${value}"`);
  }
  return Number(value);
}

/** Reads a feature-number flag value (1–8), or exits 2. */
export function featureNumberFlag(name: string, value: string | undefined): FeatureNumber | undefined {
  const n = integerFlag(name, value);
  if (n !== undefined && (n < 1 || n > 8)) throw new CliExit(EXIT.USAGE, `--${name} must be between 1 and 8, got "${value}"`);
  return n as FeatureNumber | undefined;
}

/** Reads a non-negative number flag value, or exits 2. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliExit(EXIT.USAGE, `--${name} must be a non-negative number, got "${value}"`);
  return n;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Reads an ISO-8601 date flag (date-only or date-time; no zone means UTC), or exits 2. */
export function dateFlag(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (!ISO_8601.test(value)) throw new CliExit(EXIT.USAGE, `--${name} must be an ISO-8601 date such as 2026-11-22T12:00:00Z, got "${value}"`);
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [hour = 0, minute = 0, second = 0] = (/T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value) ?? []).slice(1).map((v) => Number(v ?? 0));
  if (!isRealDateTime(year, month, day, hour, minute, second)) throw new CliExit(EXIT.USAGE, `--${name} is not a real date: "${value}"`);
  const zoned = /T.*(Z|[+-]\d{2}:\d{2})$/.test(value) || !value.includes('T') ? value : `${value}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new CliExit(EXIT.USAGE, `--${name} is not a real date: "${value}"`);
  return new Date(ms);
}
