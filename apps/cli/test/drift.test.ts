import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOfMigrations, freshTarget, keepFirstMigrations, runCli, type Target } from './run-cli';

describe('aclue-db drift on a clean clone', () => {
  it('refuses, with the way out, when the project has no database yet (exit 2)', async () => {
    const run = await runCli(['drift']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^aclue-db: no embedded database at .*aclue-db setup/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('with --scratch migrates a throwaway database and finds no drift (exit 0)', async () => {
    const run = await runCli(['drift', '--scratch']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✔ schema code = committed migrations');
    expect(run.stdout).toContain('✔ committed migrations = live database');
  });

  it('exits 1 and shows the SQL when the schema has changes no migration contains', async () => {
    // Committed migrations that stop before the schema was created: the schema is "unsaved".
    const folder = copyOfMigrations();
    keepFirstMigrations(folder, 1);
    for (const file of [
      '0001_deployment_schema.sql',
      '0002_database_objects.sql',
      'meta/0001_snapshot.json',
      'meta/0002_snapshot.json',
    ]) {
      rmSync(join(folder, file));
    }
    const run = await runCli(['drift', '--scratch', '--migrations-dir', folder]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✘ schema code has changes no migration contains');
    expect(run.stdout).toContain('+ CREATE TABLE "affiliate_clicks"');
  });
});

describe.each(testDrivers())('aclue-db drift against a live database on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('exits 1 showing a hand-added column and a policy whose USING clause was dropped', async () => {
    expect((await runCli(['drift'], target.env)).code).toBe(0);
    const db = await target.open();
    await db.execute(sql`ALTER TABLE session_analytics ADD COLUMN debug_flag boolean`);
    // What drizzle-kit push does to a policy: created again without its expression.
    await db.execute(sql`DROP POLICY affiliate_clicks_select_own ON affiliate_clicks`);
    await db.execute(
      sql`CREATE POLICY affiliate_clicks_select_own ON affiliate_clicks FOR SELECT TO authenticated`,
    );
    await db.$close();
    const run = await runCli(['drift'], target.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✘ the live database differs from the migrations');
    expect(run.stdout).toMatch(
      /~ session_analytics: column debug_flag: exists in the database but not in the schema/,
    );
    expect(run.stdout).toMatch(
      /~ affiliate_clicks: policy affiliate_clicks_select_own: expected .*"using":"\(user_id = \( SELECT auth\.uid\(\) AS uid\)\)".*found .*"using":null/,
    );
  });
});
