/**
 * Turning verdicts and licenses into CLI output: JSON-safe objects for
 * `--json`, and readable tables for people. Every string in a human table
 * passes through {@link terminalSafe}; `--json` output is exact except that
 * parts nested deeper than {@link MAX_JSON_DEPTH} levels (only an unsigned or
 * absurd file has them) are replaced by {@link DEPTH_MARKER}, so any depth
 * prints instead of overflowing the stack.
 */
import type { Verdict } from '../verify.ts';
import type { License } from '../license/model.ts';
import { renderTable } from './table.ts';
import { terminalSafe } from './terminal-text.ts';

/** How deep `--json` and the human tables print nested values (a real license is under 10 deep). */
export const MAX_JSON_DEPTH = 64;

/** What stands for a value nested deeper than {@link MAX_JSON_DEPTH}. */
export const DEPTH_MARKER = `[nested deeper than ${MAX_JSON_DEPTH} levels: not shown]`;

/**
 * `value` as plain JSON data, as `JSON.parse(JSON.stringify(value))` would
 * give it (`toJSON` honoured, so dates become ISO strings; `undefined` and
 * functions dropped, or `null` in arrays), except that anything below
 * `maxDepth` levels of arrays and objects becomes {@link DEPTH_MARKER}. The
 * recursion is bounded by `maxDepth`, so no input can overflow the stack.
 */
export function boundedJson(value: unknown, maxDepth = MAX_JSON_DEPTH): unknown {
  const copy = (v: unknown, depth: number, key: string): unknown => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(key: string): unknown }).toJSON(key);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null; // -0 prints as 0, as JSON does
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined; // undefined, functions, symbols
    if (depth >= maxDepth) return DEPTH_MARKER;
    if (Array.isArray(v)) return v.map((item, i) => copy(item, depth + 1, String(i)) ?? null);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const item = copy((v as Record<string, unknown>)[k], depth + 1, k);
      if (item !== undefined) Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return copy(value, 0, '');
}

/** A value for one cell of a human table: dates as ISO strings, objects as (depth-bounded) JSON, escaped for the terminal. */
export function cellText(v: unknown): string {
  const text = v === null || v === undefined ? '' : v instanceof Date ? (Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()) : typeof v === 'object' ? JSON.stringify(boundedJson(v)) : String(v);
  return terminalSafe(text);
}

/** The license as plain JSON data (dates as ISO strings). */
export function licenseToJson(license: License | null): unknown {
  return license === null ? null : boundedJson(license);
}

/** The `--json` line for one verified file. */
export function verdictToJson(file: string, verdict: Verdict): Record<string, unknown> {
  return {
    file,
    valid: verdict.valid,
    reasons: verdict.reasons,
    format: verdict.format,
    algorithm: verdict.algorithm,
    keyId: verdict.keyId,
    licenseKeyId: verdict.licenseKeyId,
    license: licenseToJson(verdict.license),
    status: verdict.status,
    checks: verdict.checks,
    warnings: verdict.warnings,
    now: verdict.now.toISOString(),
  };
}

/** A human report for one verified file: verdict line and a table of checks. */
export function renderVerdict(file: string, verdict: Verdict): string {
  const head = `${cellText(file)}: ${verdict.valid ? 'VALID' : `NOT VALID (${verdict.reasons.join(', ')})`}`;
  const rows = verdict.checks.map((c) => [c.check, c.ok === null ? '-' : c.ok ? 'pass' : 'FAIL', c.reason ?? '', cellText(c.detail)]);
  const lines = [head, renderTable(['check', 'result', 'reason', 'detail'], rows)];
  const l = verdict.license;
  if (l) {
    const flags = Object.entries(l.features).filter(([, v]) => v === true).map(([k]) => k).join(' ') || 'none';
    const named = l.entitlements.length > 0 ? ` · entitlements ${cellText(l.entitlements.join(', '))}` : '';
    const status = verdict.status === null ? '' : ` · status ${JSON.stringify(verdict.status)}`;
    lines.push(`  license ${cellText(l.key ?? '?')} · product ${cellText(l.product ?? '?')} · features ${flags}${cellText(named)}${status}`);
  }
  const key = verdict.keyId === null ? '' : ` ${verdict.keyId}`;
  lines.push(`  ${verdict.format} license, ${verdict.algorithm}, ${verdict.keyBits}-bit key${key} via ${verdict.backend}, evaluated at ${verdict.now.toISOString()}${verdict.warnings.length ? ` · warnings: ${verdict.warnings.join(', ')}` : ''}`);
  return lines.join('\n');
}
