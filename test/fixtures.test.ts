/**
 * Golden fixtures: the committed files are exactly what the committed script
 * makes from the committed keys, and each verifies as its manifest (written by
 * hand in the script) says, with the same verdict on every backend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildFixtures, FIXTURES_DIR, type FixtureExpectation } from '../scripts/make-fixtures.ts';
import { verifyLicense, verifyLicenseSync } from '../src/index.node.ts';

const manifest = JSON.parse(readFileSync(join(FIXTURES_DIR, 'licenses', 'manifest.json'), 'utf8')) as FixtureExpectation[];
const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');

describe('golden fixtures', () => {
  test('the committed files are what npm run fixtures makes (byte for byte)', async () => {
    const built = await buildFixtures();
    expect(built.size).toBeGreaterThan(10);
    for (const [name, content] of built) expect(read(name), name).toBe(content);
  });

  test.each(manifest.map((m) => [m.file, m] as const))('%s verifies as the manifest says', (_, m) => {
    const verdict = verifyLicenseSync(read('licenses', m.file), { key: read('keys', m.key), now: new Date(m.now), ...m.options });
    expect(verdict.valid).toBe(m.valid);
    expect([...verdict.reasons].sort()).toEqual([...m.reasons].sort());
    expect(verdict.warnings).toEqual(m.warnings);
    expect(verdict.license === null).toBe(m.reasons.includes('SIGNATURE_INVALID'));
  });

  test.each(['webcrypto', 'purejs', 'forge'] as const)('every fixture gets the same verdict on the %s backend', async (backend) => {
    for (const m of manifest) {
      const verdict = await verifyLicense(read('licenses', m.file), { key: read('keys', m.key), now: new Date(m.now), ...m.options, backend });
      expect([verdict.valid, [...verdict.reasons].sort()], `${m.file} on ${backend}`).toEqual([m.valid, [...m.reasons].sort()]);
      expect(verdict.backend).toBe(backend);
    }
  });
});
