/**
 * Clock rollback: a `now` earlier than the latest trusted time the local state
 * saw (less the tolerance) fails, and so does a first run on a machine that
 * holds evidence of a later time (a file modified after `now` + tolerance).
 * Pure: the state layer reads the mark and the evidence and passes them as facts.
 */
import { check, type CheckResult } from './check-result.ts';
import { isoDateTime as iso } from './iso-date.ts';
import type { ResolvedFacts } from './options.ts';

/** True when the facts give the clock rule something to check. */
export function clockApplies(facts: ResolvedFacts | null): facts is ResolvedFacts {
  return facts !== null && (facts.trustedTimeMs !== null || facts.clockEvidence !== null);
}

/**
 * The clock check (`CLOCK_ROLLED_BACK`): fails when `nowMs < trustedTimeMs − tolerance`,
 * or when `clockEvidence.ms > nowMs + tolerance`; the detail says which, and what the evidence was.
 */
export function clockCheck(facts: ResolvedFacts, nowMs: number, toleranceMs: number): CheckResult {
  const mark = facts.trustedTimeMs;
  const evidence = facts.clockEvidence;
  const problems: string[] = [];
  const fine: string[] = [];
  if (mark !== null) {
    if (nowMs < mark - toleranceMs) problems.push(`now ${iso(nowMs)} is before the latest trusted time ${iso(mark)}`);
    else fine.push(`not before the latest trusted time ${iso(mark)}`);
  }
  if (evidence !== null) {
    if (evidence.ms > nowMs + toleranceMs) problems.push(`${evidence.source} was modified ${iso(evidence.ms)}, after now ${iso(nowMs)}`);
    else fine.push(`no evidence of a later time (latest: ${evidence.source}, ${iso(evidence.ms)})`);
  }
  return problems.length > 0
    ? check('clock', false, 'CLOCK_ROLLED_BACK', `${problems.join('; ')}: the clock was set back`)
    : check('clock', true, undefined, `now ${iso(nowMs)}: ${fine.join('; ')}`);
}
