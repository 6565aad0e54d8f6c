import { readMigrations, tables } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyOfMigrations,
  editMigration,
  freshTarget,
  runCli,
  spawnCli,
  type Target,
} from './run-cli';

const migrationCount = readMigrations().length;

describe.each(testDrivers())('aclue-db setup and migrate on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('prints the SQL of a dry run and changes nothing', async () => {
    const run = await runCli(['migrate', '--dry-run'], target.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`would apply ${migrationCount} migrations`);
    expect(run.stdout).toContain('CREATE TABLE "affiliate_clicks"');
    const again = await runCli(['migrate', '--dry-run', '--json'], target.env);
    expect(JSON.parse(again.stdout).applied).toHaveLength(migrationCount);
  });

  it('sets up the database and summarises tables, indexes and policies', async () => {
    const run = await runCli(['setup'], target.env);
    // A new embedded database is announced; a server's database already exists.
    expect(run.stderr).toMatch(
      driver === 'pglite' ? /^aclue-db: creating a new embedded database at \S+\n$/ : /^$/,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`applied ${migrationCount} migrations`);
    expect(run.stdout).toMatch(/affiliate_clicks \*\s+on/);
    expect(run.stdout).toContain(`${tables.length} tables (RLS on ${tables.length})`);
  });

  it('applies nothing and succeeds the second time', async () => {
    const run = await runCli(['setup', '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.migration.applied).toEqual([]);
    expect(report.tables).toHaveLength(tables.length);
  });

  it('refuses to migrate after an applied migration was edited, naming the file (exit 1)', async () => {
    const folder = copyOfMigrations();
    editMigration(folder, '0002_database_objects.sql', (text) =>
      text.replace('pg_catalog.now()', 'now()'),
    );
    const run = await runCli(['migrate', '--migrations-dir', folder], target.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^aclue-db: migration 0002_database_objects\.sql was edited/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('aclue-db with a bad configuration', () => {
  it.each([
    ['a non-PostgreSQL URL', 'mysql://root@localhost/app', /must be a PostgreSQL URL/],
    ['something that is not a URL', 'not a url', /is not a URL/],
    ['an unreachable server', 'postgres://postgres@127.0.0.1:1/app', /connection refused/],
    [
      'a database that does not exist',
      'postgres://postgres@127.0.0.1:5432/aclue_no_such_db',
      /database "aclue_no_such_db" does not exist/,
    ],
  ])('fails on %s with one line and exit 2', async (_case, url, message) => {
    const run = await runCli(['migrate'], { DATABASE_URL: url });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('hides the password of the URL it reports', async () => {
    const run = await runCli(['migrate'], { DATABASE_URL: 'mysql://root:hunter2@localhost/app' });
    expect(run.stderr).not.toContain('hunter2');
  });

  it('prints a stack trace only with --verbose', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/app';
    const run = await runCli(['migrate', '--verbose'], { DATABASE_URL: url });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it.each([
    [['migrate', '--no-such-flag'], /^aclue-db: unknown option '--no-such-flag'/],
    [['no-such-command'], /^aclue-db: unknown command 'no-such-command'/],
    [['verify', '--junit'], /^aclue-db: option '--junit <file>' argument missing/],
    [['seed', '--user', '5'], /^aclue-db: unknown option '--user' \(Did you mean --users\?\)/],
  ])('refuses %j in one prefixed line with exit 2', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
  });

  it('prints short usage on stdout when run bare, and its version', async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(0);
    expect(bare.stderr).toBe('');
    expect(bare.stdout).toMatch(/^Usage: aclue-db/);
    expect(bare.stdout.split('\n').length).toBeLessThan(20);
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("lists the global flags in a command's help", async () => {
    const help = await runCli(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Global Options:');
    expect(help.stdout).toContain('--database-url <url>');
  });

  it('reports a failed migration in one line, without its SQL', async () => {
    const folder = copyOfMigrations();
    editMigration(
      folder,
      '0001_deployment_schema.sql',
      (text) => `${text}--> statement-breakpoint\nSELECT no_such_column FROM products;`,
    );
    const run = await runCli(['migrate', '--migrations-dir', folder]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^aclue-db: migration 0001_deployment_schema.sql failed at statement \d+ of \d+, nothing was applied: column "no_such_column" does not exist$/,
    );
    expect(run.stderr).not.toContain('CREATE TABLE');
  });
});

describe('the aclue-db binary', () => {
  it('exits with the code main returns, its failure on stderr in one line', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/app';
    const run = await spawnCli(['status', '--database-url', url]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'aclue-db: cannot reach PostgreSQL at 127.0.0.1:1: connection refused (is the server running?)\n',
    });
    const version = await spawnCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('every command with an unreachable database', () => {
  it.each([
    ['setup'],
    ['migrate'],
    ['status'],
    ['verify'],
    ['drift'],
    ['push'],
    ['seed', '--users', '1'],
    ['monitor'],
    ['rollback', '--yes', '--export-dir', '/tmp/aclue-never-written'],
  ])('%s fails with one line and exit 2', async (...args) => {
    const run = await runCli([...args, '--database-url', 'postgres://postgres@127.0.0.1:1/app']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'aclue-db: cannot reach PostgreSQL at 127.0.0.1:1: connection refused (is the server running?)',
    ]);
  });
});
