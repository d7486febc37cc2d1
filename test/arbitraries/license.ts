/** Shared fast-check arbitraries for license tests. */
import fc from 'fast-check';
import type { FeatureNumber } from '../../src/license/model.ts';

/** A set of granted feature numbers. */
export const featureSet = fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 8 }).map((a) => a as FeatureNumber[]);

/** A feature number 1–8. */
export const featureNumber = fc.integer({ min: 1, max: 8 }).map((n) => n as FeatureNumber);

/** Instants between 1990 and 2200, as valid Dates. */
export const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });

/** Random casing of a word. */
export function anyCase(word: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
}
