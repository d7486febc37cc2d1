import { defineConfig } from 'vitest/config';

/**
 * A config for vitest runs started by tests themselves (see
 * test/vectors-absent.test.ts): no global set-up (the bundles are already
 * built by the outer run) and a JSON report to the path the outer test gives,
 * never to the CI report the outer run writes.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: process.env.LICENSEKIT_INNER_REPORT ?? 'test-results/inner.json' },
  },
});
