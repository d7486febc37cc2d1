/**
 * A fresh clone has no ../shared/vectors beside it: every suite that reads
 * vectors must then skip with its notice, and never fail to load. This runs
 * those suites in a child vitest with LICENSEKIT_VECTORS pointing to an empty
 * folder and reads its JSON report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const SUITES = ['test/core/wycheproof-core.test.ts', 'test/backends/wycheproof.test.ts', 'test/formats/cryptolens-vectors.test.ts'];

interface Report {
  success: boolean;
  numFailedTestSuites: number;
  numFailedTests: number;
  numPassedTests: number;
  numPendingTests: number;
  testResults: Array<{ name: string; status: string; message: string; assertionResults: Array<{ status: string; title: string }> }>;
}

test('with LICENSEKIT_VECTORS pointing to an empty folder, every vector suite skips with its notice and none fails', () => {
  const empty = mkdtempSync(join(tmpdir(), 'licensekit-no-vectors-'));
  const report = join(empty, 'report.json');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, LICENSEKIT_VECTORS: empty, LICENSEKIT_INNER_REPORT: report };
    delete env.CI;
    const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/setup/vitest.no-setup.config.ts', ...SUITES], {
      cwd: join(import.meta.dirname, '..'),
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const result = JSON.parse(readFileSync(report, 'utf8')) as Report;
    // A file that failed to load (the defect: reading vectors while collecting) is 'failed' with the error as its message.
    const files = result.testResults.map((f) => [f.name.slice(f.name.indexOf('test/')), f.status, f.message]).sort();
    expect(files).toEqual([...SUITES].sort().map((s) => [s, 'passed', '']));
    expect(result.testResults.flatMap((f) => f.assertionResults.map((a) => a.status))).toEqual(SUITES.map(() => 'skipped'));
    expect(result.numFailedTestSuites).toBe(0);
    expect(result.numFailedTests).toBe(0);
    expect(result.numPassedTests).toBe(0);
    expect(result.numPendingTests).toBe(SUITES.length);
    const titles = result.testResults.flatMap((f) => f.assertionResults.map((a) => a.title));
    expect(titles).toHaveLength(SUITES.length);
    for (const title of titles) expect(title).toMatch(/^needs .*licensekit-no-vectors-/);
    expect(run.stderr + run.stdout).toContain('conformance suite skipped (set LICENSEKIT_VECTORS)');
    expect(run.status).toBe(0);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
