/**
 * The cold-start benchmark (bench/cold-start.ts) measures what it says: both
 * scripts run against the BUILT package resolved by name and print the
 * expected verdict (a run that fails to verify throws instead of timing), and
 * the median is the median. No timing is asserted here.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { measureColdStart, median } from '../../bench/cold-start.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('median of odd and even counts, unsorted input', () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([7])).toBe(7);
});

test('one interleaved pair runs both scripts to a valid verdict against the built package', async () => {
  const times = await measureColdStart(root, 1, 0);
  expect(times.plainMs).toHaveLength(1);
  expect(times.licensekitMs).toHaveLength(1);
  for (const ms of [...times.plainMs, ...times.licensekitMs]) expect(ms).toBeGreaterThan(0);
});

test('a package that cannot verify makes the run fail, not look fast', async () => {
  // A folder without dist/ (nor package.json exports): `import 'licensekit'` fails, and so must the measurement.
  await expect(measureColdStart(fileURLToPath(new URL('../../fixtures/', import.meta.url)), 1, 0)).rejects.toThrow(/licensekit\.mjs exited/);
});
