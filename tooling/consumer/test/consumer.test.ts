import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmptyServerDatabase, testDrivers } from '@aclue/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPublishable, publishablePackages } from '../../pack-packages.ts';

/**
 * What a backend team does: `npm pack` every package meant to be published, `npm install` the
 * tarballs into a project outside this workspace (no workspace links, no TypeScript loader, no
 * sources on the module path), then use them with plain node, strict tsc and the installed CLI.
 * Both temporary folders are removed afterwards (the install is about 160 MB).
 */
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixture/', import.meta.url));

function npm(args: string[], cwd: string) {
  return spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, DATABASE_URL: '' },
  });
}

/** Runs a command in the consumer project, without this workspace's DATABASE_URL or data folder. */
function inProject(command: string, args: string[], env: Record<string, string> = {}) {
  const {
    DATABASE_URL: _url,
    ACLUE_DATA_DIR: _dir,
    NODE_OPTIONS: _options,
    ...inherited
  } = process.env;
  return spawnSync(command, args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...inherited, ...env },
  });
}

let project: string;
let packDir: string;
let packages: { name: string }[];

afterAll(() => {
  for (const dir of [project, packDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  packages = publishablePackages();
  // prepack builds each package's dist/ first, exactly as `npm publish` would.
  packDir = mkdtempSync(join(tmpdir(), 'aclue-pack-'));
  const tarballs = packPublishable(packDir);
  for (const tarball of tarballs) expect(existsSync(tarball), tarball).toBe(true);
  expect(tarballs).toHaveLength(packages.length);

  project = mkdtempSync(join(tmpdir(), 'aclue-consumer-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  cpSync(fixture, project, { recursive: true });
  const install = npm(
    ['install', '--prefer-offline', ...tarballs, 'typescript@5.9', '@types/node@20'],
    project,
  );
  expect(install.status, install.stderr).toBe(0);
}, 600_000);

describe('the packages installed from tarballs outside the workspace', () => {
  it('are real copies of the published files: no workspace links, no TypeScript sources run', () => {
    for (const { name } of packages) {
      const installed = join(project, 'node_modules', name);
      expect(lstatSync(installed).isSymbolicLink(), name).toBe(false);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      expect(manifest.exports['.'].import, name).toMatch(/^\.\/dist\/.+\.mjs$/);
      expect(existsSync(join(installed, manifest.exports['.'].import)), name).toBe(true);
    }
    // The CLI runs compiled JavaScript: no tsx among its dependencies or in its bin (drizzle-kit
    // brings its own tsx for loading drizzle configs, which the CLI never asks it to do).
    const cli = join(project, 'node_modules/@aclue/cli');
    const cliManifest = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
    expect(Object.keys(cliManifest.dependencies)).not.toContain('tsx');
    const bin = readFileSync(join(cli, cliManifest.bin['aclue-db']), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(bin).not.toMatch(/tsx|\.ts['"]/);
    expect(existsSync(join(project, 'node_modules', '@aclue/db/drizzle/meta/_journal.json'))).toBe(
      true,
    );
  });

  it('plain node migrates an embedded database and records a click through the repositories', () => {
    const run = inProject(process.execPath, ['app.mjs']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ driver: 'pglite', sessionCounted: true });
    expect(result.migrationsApplied).toBeGreaterThan(0);
    expect(result.visitorSees).toEqual([result.clickId]);
    expect(existsSync(join(project, '.aclue/pglite/PG_VERSION'))).toBe(true);
  });

  it('a CommonJS service can require() them too (Node 20.19+ loads ES modules from require)', () => {
    const run = inProject(process.execPath, [
      '-e',
      "const { createDb } = require('@aclue/db'); const { createRepositories } = require('@aclue/repositories'); console.log(typeof createDb, typeof createRepositories)",
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('function function');
  });

  it('strict tsc type-checks a consumer file against the inferred row types', () => {
    const tsc = inProject(process.execPath, [
      join(project, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.json',
    ]);
    // An unused @ts-expect-error is itself an error: exit 0 means the wrong type is still refused.
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('the installed aclue-db CLI sets up and verifies a database', () => {
    const version = inProject('npx', ['--no-install', 'aclue-db', '--version']);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(workspaceRoot, 'apps/cli/package.json'), 'utf8')).version,
    );
    const setup = inProject('npx', ['--no-install', 'aclue-db', 'setup'], {
      ACLUE_DATA_DIR: join(project, 'cli-db'),
    });
    expect(setup.status, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/verified: \d+ checks, 0 failed/);
  });

  it.runIf(testDrivers().includes('pg'))(
    'the same script runs against the PostgreSQL server',
    async () => {
      const { url, drop } = await createEmptyServerDatabase();
      try {
        const run = inProject(process.execPath, ['app.mjs'], { DATABASE_URL: url });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const result = JSON.parse(run.stdout);
        expect(result).toMatchObject({ driver: 'pg', sessionCounted: true });
        expect(result.visitorSees).toEqual([result.clickId]);
      } finally {
        await drop();
      }
    },
  );

  it('every publishable package passes npm publish --dry-run without a warning', () => {
    for (const { name } of packages) {
      // dist/ was just built by pack; the only warning allowed is that nobody is logged in.
      const publish = npm(['publish', '--dry-run', '--ignore-scripts', '-w', name], workspaceRoot);
      expect(publish.status, publish.stderr).toBe(0);
      const warnings = publish.stderr
        .split('\n')
        .filter((line) => line.includes('warn') && !line.includes('requires you to be logged in'));
      expect(warnings, name).toEqual([]);
    }
  });
});
