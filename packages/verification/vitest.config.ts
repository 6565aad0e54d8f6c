import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each embedded database takes ~1 GB; two at a time fit the 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
