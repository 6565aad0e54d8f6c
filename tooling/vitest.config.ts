import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `@aclue/source` export condition),
// so tests never need a build and never run a stale dist/. The rest are Vite's server defaults.
const conditions = ['@aclue/source', 'module', 'node', 'development|production'];

/** The test setup every package shares: database suites, so generous timeouts. */
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each embedded database takes ~1 GB; two at a time fit the 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    // Server test databases are copies of one migrated template (see server-template.ts).
    globalSetup: [fileURLToPath(new URL('./server-template.ts', import.meta.url))],
  },
});
