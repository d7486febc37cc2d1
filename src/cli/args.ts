/**
 * Argument parsing for commands, over node:util's parseArgs, turning its
 * errors into usage errors (exit 2) and offering strict value readers.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliExit, EXIT } from './io.ts';
import { isRealDateTime } from '../lib/calendar.ts';
import type { FeatureNumber } from '../license/model.ts';

/** Parses `args` against `options`; unknown flags and missing values are usage errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliExit(EXIT.USAGE, (error as Error).message);
  }
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
  if (n !== undefined && (n < 1 || n > 8)) throw new CliExit(EXIT.USAGE, `--${name} must be between 1 and 8`);
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
