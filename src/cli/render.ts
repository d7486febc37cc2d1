/**
 * Turning verdicts and licenses into CLI output: JSON-safe objects for
 * `--json`, and readable tables for people.
 */
import type { Verdict } from '../verify.ts';
import type { License } from '../license/model.ts';
import { renderTable } from './table.ts';

/** The license as plain JSON data (dates as ISO strings). */
export function licenseToJson(license: License | null): unknown {
  return license === null ? null : JSON.parse(JSON.stringify(license));
}

/** The `--json` line for one verified file. */
export function verdictToJson(file: string, verdict: Verdict): Record<string, unknown> {
  return {
    file,
    valid: verdict.valid,
    reasons: verdict.reasons,
    license: licenseToJson(verdict.license),
    status: verdict.status,
    checks: verdict.checks,
    warnings: verdict.warnings,
    now: verdict.now.toISOString(),
  };
}

/** A human report for one verified file: verdict line and a table of checks. */
export function renderVerdict(file: string, verdict: Verdict): string {
  const head = `${file}: ${verdict.valid ? 'VALID' : `NOT VALID (${verdict.reasons.join(', ')})`}`;
  const rows = verdict.checks.map((c) => [c.check, c.ok === null ? '-' : c.ok ? 'pass' : 'FAIL', c.reason ?? '', c.detail]);
  const lines = [head, renderTable(['check', 'result', 'reason', 'detail'], rows)];
  const l = verdict.license;
  if (l) {
    const flags = Object.entries(l.features).filter(([, v]) => v === true).map(([k]) => k).join(' ') || 'none';
    lines.push(`  license ${l.key ?? '?'} · product ${l.productId ?? '?'} · features ${flags} · status ${JSON.stringify(verdict.status)}`);
  }
  lines.push(`  ${verdict.algorithm} ${verdict.keyBits}-bit key via ${verdict.backend}, evaluated at ${verdict.now.toISOString()}${verdict.warnings.length ? ` · warnings: ${verdict.warnings.join(', ')}` : ''}`);
  return lines.join('\n');
}
