import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

const dbPackage = fileURLToPath(new URL('../../../packages/db/', import.meta.url));

describe.each(testDrivers())('aclue-db push on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('pushes an empty database to a state that passes verify', async () => {
    const run = await runCli(['push'], target.env);
    expect(run.stderr).toMatch(
      driver === 'pglite' ? /^aclue-db: creating a new embedded database at \S+\n$/ : /^$/,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/drizzle-kit push: \d+ statements/);
    expect(run.stdout).toMatch(/policies given back their USING \/ WITH CHECK: \d+/);
    expect(run.stdout).toMatch(/verified: \d+ checks, 0 failed/);
    expect((await runCli(['verify'], target.env)).code).toBe(0);
  });

  it('reports no changes the second time', async () => {
    const run = await runCli(['push', '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      schemaStatements: [],
      repairedPolicies: [],
      customObjectsApplied: false,
      partitioned: [],
    });
    // A month boundary between the two runs makes the next month "ahead": that partition is the
    // only change a second push may make.
    expect(report.changed).toBe(report.partitionsCreated.length > 0);
    expect(report.partitionsCreated.length).toBeLessThanOrEqual(1);
    expect(report.verification.failed).toBe(0);
  });

  it('repairs a policy expression and a trigger changed by hand', async () => {
    const db = await target.open();
    await db.execute(sql`ALTER POLICY product_views_select_own ON product_views USING (true)`);
    await db.execute(sql`DROP TRIGGER update_session_analytics_updated_at ON session_analytics`);
    await db.$close();
    const run = await runCli(['push'], target.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(product_views.product_views_select_own)');
    expect(run.stdout).toContain(
      'custom objects (trigger function, triggers, grants, comments, seed): applied',
    );
    expect((await runCli(['verify'], target.env)).code).toBe(0);
  });
});

describe.each(testDrivers())('aclue-db push on a database changed outside it, on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it("leaves a team's own table alone, composite key and rows included, and names it", async () => {
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
    const db = await target.open();
    await db.execute(sql`CREATE TABLE public.team_notes (a int, b int, PRIMARY KEY (a, b))`);
    await db.execute(sql`INSERT INTO public.team_notes VALUES (1, 2)`);
    await db.$close();
    const run = await runCli(['push'], target.env);
    // drizzle-kit's push API cannot read a table with a composite key: push compares only the
    // declared tables, and verification reports the extra one.
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/table team_notes: exists but is not in the schema/);
    const after = await target.open();
    const rows = await queryRows(after, sql`SELECT a, b FROM public.team_notes`);
    await after.$close();
    expect(rows).toEqual([{ a: 1, b: 2 }]);
  });
});

// drizzle-kit's own CLI runs against a server URL (drizzle.config.ts).
describe.runIf(testDrivers().includes('pg'))('after a bare drizzle-kit push', () => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget('pg');
  });
  afterAll(() => target?.dispose());

  it('drizzle-kit exits 0 on a failed push; aclue-db push finishes the database', async () => {
    const bare = spawnSync('npx', ['drizzle-kit', 'push', '--force'], {
      cwd: dbPackage,
      env: { ...process.env, ...target.env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    // Documented in packages/db/README.md: it failed (no auth schema on a plain server), and
    // still exits 0, leaving product_views a plain table and no policies' functions.
    expect(`${bare.stdout}${bare.stderr}`).toMatch(/schema "auth" does not exist/);
    expect(bare.status).toBe(0);
    expect(bare.stderr).toMatch(/aclue-db push/);
    const run = await runCli(['push'], target.env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/partitioned by month, rows kept: product_views/);
    expect(run.stdout).toMatch(/verified: \d+ checks, 0 failed/);
    expect(run.code).toBe(0);
    expect((await runCli(['drift'], target.env)).code).toBe(0);
  });
});
