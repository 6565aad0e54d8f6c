import { defineConfig, type UserConfig } from 'tsdown';

/**
 * How every package builds for publishing: ESM for Node, `.d.mts` with declaration maps, source
 * maps. Dependencies stay external (tsdown's default), so PGlite finds its WebAssembly beside
 * itself and drizzle-orm is the consumer's own copy. Inside the workspace nothing needs a build:
 * the `@aclue/source` export condition points TypeScript, vitest and tsx at `src/`.
 */
export function packageBuild(entry: Record<string, string>, overrides: UserConfig = {}) {
  return defineConfig({
    entry,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    outDir: 'dist',
    clean: true,
    sourcemap: true,
    dts: { sourcemap: true },
    // package.json's `exports` is written by hand (the source condition comes first); publint
    // checks that it and `files` match what was built.
    publint: true,
    ...overrides,
  });
}
