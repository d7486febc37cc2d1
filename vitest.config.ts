import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build-bundles.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Three test files at once on CI's 2 cores: many tests wait on child processes (the CLI, writers, Chromium), so a
    // third file keeps both cores busy. The whole suite took 464 s with the default and 250 s with three.
    maxWorkers: 3,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
