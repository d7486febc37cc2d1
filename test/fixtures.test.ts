/**
 * Golden fixtures: the committed files are exactly what the committed script
 * makes from the committed keys, and each verifies as its manifest (written by
 * hand in the script) says, with the same verdict on every backend. Native
 * licenses come as armoured text and as binary files (read as bytes); a
 * manifest entry with `error` expects that typed error instead of a verdict.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildFixtures, FIXTURES_DIR, MANIFESTS, readFixtureLicense, readManifests, type FixtureExpectation } from '../scripts/make-fixtures.ts';
import { isLicenseKitError, verifyLicense, verifyLicenseSync, type VerifyOptions, type Verdict } from '../src/index.node.ts';
import { purejsBackend } from '../src/backends/purejs/index.ts';

const manifest = readManifests();
const natives = manifest.filter((m) => m.file.startsWith('native/'));
const readKey = (m: FixtureExpectation): string => readFileSync(join(FIXTURES_DIR, 'keys', m.key), 'utf8');
const optionsOf = (m: FixtureExpectation, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({ key: readKey(m), now: new Date(m.now), ...m.options, ...extra }) as VerifyOptions;

/** What a verification gave, comparable with the manifest: `[valid, sorted reasons, warnings]`, or the error code. */
type Outcome = readonly [boolean, readonly string[], readonly string[]] | { readonly error: string };
const expected = (m: FixtureExpectation): Outcome => (m.error === undefined ? [m.valid, [...m.reasons].sort(), m.warnings] : { error: m.error });
const outcomeOf = (v: Verdict): Outcome => [v.valid, [...v.reasons].sort(), v.warnings];
function caught(error: unknown): Outcome {
  if (!isLicenseKitError(error)) throw error;
  return { error: error.code };
}
const asyncOutcome = (run: () => Promise<Verdict>): Promise<Outcome> => run().then(outcomeOf, caught);

describe('golden fixtures', () => {
  test('the committed files are what npm run fixtures makes (byte for byte; binary files as bytes)', async () => {
    const built = await buildFixtures();
    expect(built.size).toBeGreaterThan(30);
    for (const m of MANIFESTS) expect(built.has(m), m).toBe(true);
    for (const [name, content] of built) {
      const path = join(FIXTURES_DIR, name);
      if (typeof content === 'string') expect(readFileSync(path, 'utf8'), name).toBe(content);
      else expect(new Uint8Array(readFileSync(path)), name).toEqual(content);
    }
  });

  test('every manifest entry names a file the generator makes, and binary entries hold bytes', async () => {
    const built = await buildFixtures();
    for (const m of manifest) {
      const content = built.get(`licenses/${m.file}`);
      expect(content, m.file).toBeDefined();
      expect(content instanceof Uint8Array, m.file).toBe(m.binary === true);
      expect(built.has(`keys/${m.key}`) || readKey(m).length > 0, m.key).toBe(true);
      if (m.error !== undefined) expect([m.valid, m.reasons], m.file).toEqual([false, []]);
    }
    // The native set covers both forms, valid and tampered, and an expected error.
    expect(natives.filter((m) => m.binary).map((m) => m.valid)).toEqual([true, false]);
    expect(natives.some((m) => m.error === 'ERR_KEY_UNKNOWN_KID')).toBe(true);
  });

  test.each(manifest.map((m) => [m.file, m] as const))('%s verifies as the manifest says', (_, m) => {
    let verdict: Verdict;
    try {
      verdict = verifyLicenseSync(readFixtureLicense(m), optionsOf(m));
    } catch (error) {
      expect(caught(error)).toEqual(expected(m));
      return;
    }
    expect(m.error).toBeUndefined();
    expect(verdict.valid).toBe(m.valid);
    expect([...verdict.reasons].sort()).toEqual([...m.reasons].sort());
    expect(verdict.warnings).toEqual(m.warnings);
    expect(verdict.license === null).toBe(m.reasons.includes('SIGNATURE_INVALID'));
    if (m.file.startsWith('native/')) expect(verdict.format).toBe('native');
  });

  test.each(['webcrypto', 'purejs', 'forge'] as const)('every fixture gets the same verdict on the %s backend', async (backend) => {
    for (const m of manifest) {
      const outcome = await asyncOutcome(() => verifyLicense(readFixtureLicense(m), optionsOf(m, { backend })));
      expect(outcome, `${m.file} on ${backend}`).toEqual(expected(m));
      if (m.error === undefined) expect((await verifyLicense(readFixtureLicense(m), optionsOf(m, { backend }))).backend).toBe(backend);
    }
  });

  test.each(natives.map((m) => [m.file, m] as const))('%s: node:crypto, WebCrypto and pure JS (sync and async) give one verdict, checks and signer', async (_, m) => {
    const input = readFixtureLicense(m);
    const detail = (v: Verdict) => ({ valid: v.valid, reasons: v.reasons, warnings: v.warnings, checks: v.checks, keyId: v.keyId, licenseKeyId: v.licenseKeyId, algorithm: v.algorithm, license: v.license?.toJSON() ?? null });
    const runs: Array<[string, () => Verdict | Promise<Verdict>]> = [
      ['node (sync)', () => verifyLicenseSync(input, optionsOf(m))],
      ['purejs (sync)', () => verifyLicenseSync(input, optionsOf(m, { backend: purejsBackend }))],
      ['node', () => verifyLicense(input, optionsOf(m, { backend: 'node' }))],
      ['webcrypto', () => verifyLicense(input, optionsOf(m, { backend: 'webcrypto' }))],
      ['purejs', () => verifyLicense(input, optionsOf(m, { backend: 'purejs' }))],
    ];
    const results: Record<string, unknown> = {};
    for (const [name, run] of runs) {
      try {
        results[name] = detail(await run());
      } catch (error) {
        results[name] = caught(error);
      }
    }
    const first = results['node (sync)'];
    expect(first).toEqual(m.error === undefined ? expect.objectContaining({ valid: m.valid }) : { error: m.error });
    for (const [name] of runs) expect(results[name], name).toEqual(first);
  });

  test('an armoured fixture gives the same verdict as text, as its UTF-8 bytes and as the binary file', () => {
    const text = natives.find((m) => m.file === 'native/valid.lic')!;
    const bytes = natives.find((m) => m.file === 'native/valid-binary.lic')!;
    const armoured = readFixtureLicense(text) as string;
    const verdicts = [armoured, new TextEncoder().encode(armoured), readFixtureLicense(bytes)].map((input) => verifyLicenseSync(input, optionsOf(text)));
    for (const v of verdicts) expect([v.valid, v.checks, v.license!.toJSON()]).toEqual([true, verdicts[0]!.checks, verdicts[0]!.license!.toJSON()]);
  });
});
