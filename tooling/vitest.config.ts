import { defineConfig } from 'vitest/config';

/** The test setup every package shares: database suites, so generous timeouts. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each embedded database takes ~1 GB; two at a time fit the 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
