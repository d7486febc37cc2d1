/**
 * Calendar validity, checked by hand: `Date.parse` and `Date.UTC` roll
 * impossible dates over (2026-02-30 becomes March 2) instead of refusing them.
 */

/** True when the fields name a real proleptic-Gregorian date and time (seconds 0–59). */
export function isRealDateTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}
