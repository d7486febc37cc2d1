/**
 * The license's dates on one line: issued, signed, not before, now, expires,
 * the grace period and the maximum offline age. `timelineModel` is pure (the
 * sentences a support person reads, tested in Node); `timelineSvg` draws it.
 */
import type { License } from '../src/index.ts';
import { s } from './dom.ts';

const DAY = 86_400_000;

export type MarkKind = 'issued' | 'signed' | 'not-before' | 'now' | 'expires' | 'grace-end' | 'offline-end';

export interface Mark {
  readonly kind: MarkKind;
  readonly label: string;
  readonly ms: number;
}

export interface Band {
  readonly kind: 'valid' | 'grace' | 'offline';
  readonly label: string;
  readonly from: number;
  /** `null`: open-ended (a perpetual license). */
  readonly to: number | null;
  /** Whether `now` lies inside the band. */
  readonly holdsNow: boolean;
}

export interface Timeline {
  readonly marks: readonly Mark[];
  readonly bands: readonly Band[];
  /** What the picture shows, in words (also the SVG's description). */
  readonly facts: readonly string[];
}

/** What the timeline needs from the options. */
export interface TimelineOptions {
  readonly nowMs: number;
  readonly maxSignatureAgeDays?: number | undefined;
  readonly graceDays?: number | undefined;
}

/** A duration in words: "3 days", "7 months", "2 years". */
export function duration(ms: number): string {
  const a = Math.abs(ms);
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (a < 60_000) return unit(Math.round(a / 1000), 'second');
  if (a < 3_600_000) return unit(Math.round(a / 60_000), 'minute');
  if (a < 2 * DAY) return unit(Math.round(a / 3_600_000), 'hour');
  if (a < 60 * DAY) return unit(Math.round(a / DAY), 'day');
  if (a < 730 * DAY) return unit(Math.round(a / (30.44 * DAY)), 'month');
  return unit(Math.round(a / (365.25 * DAY)), 'year');
}

/** "3 days ago" or "in 3 days". */
export function relative(ms: number, nowMs: number): string {
  const d = ms - nowMs;
  if (Math.abs(d) < 1000) return 'now';
  return d < 0 ? `${duration(d)} ago` : `in ${duration(d)}`;
}

const time = (d: Date | null): number | null => (d === null ? null : d.getTime());

/** The marks, bands and sentences for a license evaluated at `nowMs`. */
export function timelineModel(license: License, o: TimelineOptions): Timeline {
  const now = o.nowMs;
  const issued = time(license.created);
  const signed = time(license.signDate);
  const notBefore = time(license.notBefore);
  const expires = time(license.expires);
  const own = license.maxSignatureAgeSeconds;
  const optionAge = o.maxSignatureAgeDays === undefined ? null : o.maxSignatureAgeDays * DAY;
  const maxAge = own === null ? optionAge : optionAge === null ? own * 1000 : Math.min(optionAge, own * 1000);
  const graceDays = license.graceDays ?? o.graceDays ?? null;
  const graceEnd = expires !== null && graceDays !== null && graceDays > 0 ? expires + graceDays * DAY : null;
  const offlineEnd = signed !== null && maxAge !== null ? signed + maxAge : null;

  const marks: Mark[] = [];
  // Issued and signed at the same instant (a fresh native license): one mark.
  if (issued !== null && issued !== signed) marks.push({ kind: 'issued', label: 'issued', ms: issued });
  if (signed !== null) marks.push({ kind: 'signed', label: issued === signed ? 'issued & signed' : 'signed', ms: signed });
  if (notBefore !== null) marks.push({ kind: 'not-before', label: 'not before', ms: notBefore });
  if (expires !== null) marks.push({ kind: 'expires', label: 'expires', ms: expires });
  if (graceEnd !== null) marks.push({ kind: 'grace-end', label: 'grace ends', ms: graceEnd });
  if (offlineEnd !== null) marks.push({ kind: 'offline-end', label: 'offline age ends', ms: offlineEnd });
  marks.push({ kind: 'now', label: 'now', ms: now });
  marks.sort((a, b) => a.ms - b.ms);

  const bands: Band[] = [];
  const start = notBefore ?? issued ?? signed;
  if (start !== null || expires !== null) {
    const from = start ?? Math.min(now, expires!) - 30 * DAY;
    bands.push({ kind: 'valid', label: expires === null ? 'valid (no expiry)' : 'valid', from, to: expires, holdsNow: from <= now && (expires === null || now < expires) });
  }
  if (expires !== null && graceEnd !== null) bands.push({ kind: 'grace', label: `grace ${graceDays} days`, from: expires, to: graceEnd, holdsNow: expires <= now && now < graceEnd });
  if (signed !== null && offlineEnd !== null) bands.push({ kind: 'offline', label: `max offline age ${duration(maxAge!)}`, from: signed, to: offlineEnd, holdsNow: signed <= now && now < offlineEnd });

  const facts: string[] = [];
  if (expires === null) facts.push('No expiry date.');
  else if (expires <= now) {
    if (graceEnd !== null && now < graceEnd) facts.push(`Expired ${relative(expires, now)}; in its grace period until ${relative(graceEnd, now)}.`);
    else facts.push(`Expired ${relative(expires, now)}${graceEnd !== null ? `; the grace period ended ${relative(graceEnd, now)}` : ''}.`);
  } else facts.push(`Expires ${relative(expires, now)}.`);
  if (notBefore !== null && notBefore > now) facts.push(`Not valid yet: it starts ${relative(notBefore, now)}.`);
  if (signed !== null) {
    if (signed > now) facts.push(`Signed ${duration(signed - now)} after the evaluation time: the customer's clock may be ${duration(signed - now)} behind (or the file is forged).`);
    else if (offlineEnd !== null) {
      facts.push(
        offlineEnd <= now
          ? `Signed ${relative(signed, now)}: older than the ${duration(maxAge!)} allowed (the file had to be refreshed ${relative(offlineEnd, now)}).`
          : `Signed ${relative(signed, now)}: within the ${duration(maxAge!)} allowed (refresh due ${relative(offlineEnd, now)}).`,
      );
    } else facts.push(`Signed ${relative(signed, now)}.`);
  }
  return { marks, bands, facts };
}

const W = 800;
const PAD = 24;
const AXIS_Y = 150;
const ROW = 16;

/** The timeline as an accessible SVG (role img, title and description). */
export function timelineSvg(t: Timeline, formatDate: (ms: number) => string): SVGElement {
  const times = [...t.marks.map((m) => m.ms), ...t.bands.flatMap((b) => (b.to === null ? [b.from] : [b.from, b.to]))];
  let lo = Math.min(...times);
  let hi = Math.max(...times);
  if (hi - lo < DAY) {
    lo -= 15 * DAY;
    hi += 15 * DAY;
  }
  const margin = (hi - lo) * 0.06;
  lo -= margin;
  hi += margin;
  const x = (ms: number): number => PAD + ((ms - lo) / (hi - lo)) * (W - 2 * PAD);

  // Labels above the axis in rows, each in the first row where it does not overlap (about 7 px per character).
  const rows: number[] = [];
  const labelled = t.marks.map((m) => {
    const cx = x(m.ms);
    const width = m.label.length * 7 + 8;
    const left = Math.min(Math.max(cx - width / 2, 2), W - width - 2);
    let row = rows.findIndex((end) => end < left);
    if (row === -1) row = rows.length;
    rows[row] = left + width;
    return { m, cx, left, width, row };
  });
  const bandTop = AXIS_Y + 14;
  const height = bandTop + t.bands.length * (ROW + 8) + 8;
  const desc = t.facts.join(' ');
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': 'timeline-title timeline-desc', class: 'timeline', preserveAspectRatio: 'xMidYMid meet' },
    s('title', { id: 'timeline-title' }, 'Timeline of the license dates'),
    s('desc', { id: 'timeline-desc' }, desc),
    s('line', { x1: PAD, x2: W - PAD, y1: AXIS_Y, y2: AXIS_Y, class: 'axis' }),
    t.bands.map((b, i) => {
      const y = bandTop + i * (ROW + 8);
      const x1 = x(b.from);
      const x2 = b.to === null ? W - PAD : x(b.to);
      return s(
        'g',
        { class: `band band-${b.kind}${b.holdsNow ? ' holds-now' : ''}` },
        s('rect', { x: x1, y, width: Math.max(x2 - x1, 2), height: ROW, rx: 3 }),
        s('text', { x: Math.min(x1 + 4, W - 160), y: y + ROW - 4, class: 'band-label' }, b.to === null ? `${b.label} →` : b.label),
      );
    }),
    labelled.map(({ m, cx, left, width, row }) => {
      const ly = AXIS_Y - 14 - row * 30;
      return s(
        'g',
        { class: `mark mark-${m.kind}` },
        s('title', {}, `${m.label}: ${formatDate(m.ms)}`),
        s('line', { x1: cx, x2: cx, y1: ly + 4, y2: m.kind === 'now' ? height - 4 : AXIS_Y + 6, class: 'mark-line' }),
        s('circle', { cx, cy: AXIS_Y, r: m.kind === 'now' ? 5 : 4 }),
        s('text', { x: left + width / 2, y: ly - 10, 'text-anchor': 'middle', class: 'mark-label' }, m.label),
        s('text', { x: left + width / 2, y: ly + 2, 'text-anchor': 'middle', class: 'mark-date' }, new Date(m.ms).toISOString().slice(0, 10)),
      );
    }),
  );
  // Enough room above for the label rows.
  const top = AXIS_Y - 14 - Math.max(rows.length - 1, 0) * 30 - 24;
  svg.setAttribute('viewBox', `0 ${top} ${W} ${height - top}`);
  return svg;
}
