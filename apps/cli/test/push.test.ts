import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

describe.each(testDrivers())('aclue-db push on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('pushes an empty database to a state that passes verify', () => {
    const run = runCli(['push'], target.env);
    expect(run.stderr).toMatch(
      driver === 'pglite' ? /^aclue-db: creating a new embedded database at \S+\n$/ : /^$/,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/drizzle-kit push: \d+ statements/);
    expect(run.stdout).toMatch(/policies given back their USING \/ WITH CHECK: \d+/);
    expect(run.stdout).toMatch(/verified: \d+ checks, 0 failed/);
    expect(runCli(['verify'], target.env).code).toBe(0);
  });

  it('reports no changes the second time', () => {
    const run = runCli(['push', '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      changed: false,
      schemaStatements: [],
      repairedPolicies: [],
      customObjectsApplied: false,
    });
    expect(report.verification.failed).toBe(0);
  });

  it('repairs a policy expression and a trigger changed by hand', async () => {
    const db = await target.open();
    await db.execute(sql`ALTER POLICY product_views_select_own ON product_views USING (true)`);
    await db.execute(sql`DROP TRIGGER update_session_analytics_updated_at ON session_analytics`);
    await db.$close();
    const run = runCli(['push'], target.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(product_views.product_views_select_own)');
    expect(run.stdout).toContain(
      'custom objects (trigger function, triggers, grants, comments, seed): applied',
    );
    expect(runCli(['verify'], target.env).code).toBe(0);
  });
});
