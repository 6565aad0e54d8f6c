import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target, tempDir } from './run-cli';

describe.each(testDrivers())('aclue-db verify on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
    const setup = await runCli(['setup'], target.env);
    expect(setup.stdout).toMatch(/verified: \d+ checks, 0 failed/);
    expect(setup.code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('passes on a freshly set-up database with a one-line summary (exit 0)', async () => {
    const run = await runCli(['verify'], target.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d{3,} checks, 0 failed \(schema public, \d+ ms\)$/m);
    expect(run.stdout).toMatch(/✔ affiliate_clicks: \d+ checks, 0 failed/);
  });

  it('reports as JSON and as JUnit XML', async () => {
    const junit = join(tempDir(), 'verify.xml');
    const run = await runCli(['verify', '--json', '--junit', junit], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.failed).toBe(0);
    expect(report.results.some((r: { category: string }) => r.category === 'probes')).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(
      `<testsuites name="aclue-db verify" tests="${report.checks}" failures="0">`,
    );
    expect(xml).toContain('<testsuite name="affiliate_clicks"');
  });

  it('with --data also proves the stored rows intact (amcheck, keys, checks)', async () => {
    expect((await runCli(['seed', '--users', '5', '--days', '2'], target.env)).code).toBe(0);
    const run = await runCli(['verify', '--data', '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { failed: number; results: { category: string }[] };
    expect(report.failed).toBe(0);
    expect(report.results.filter((r) => r.category === 'data').length).toBeGreaterThan(50);
  });

  it('filters by table, and refuses an unknown table with exit 2', async () => {
    const only = await runCli(['verify', '--table', 'product_views', '--json'], target.env);
    expect(only.code).toBe(0);
    const tables = new Set(JSON.parse(only.stdout).results.map((r: { table: string }) => r.table));
    expect([...tables]).toEqual(['product_views']);
    const unknown = await runCli(['verify', '--table', 'no_such_table'], target.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^aclue-db: no declared table no_such_table/);
  });

  it('refuses an unknown schema and an unwritable --junit path before checking anything', async () => {
    const bogus = await runCli(['verify', '--schema', 'bogus'], target.env);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr.trim()).toBe('aclue-db: --schema: the database has no schema "bogus"');
    const junit = await runCli(['verify', '--junit', '/nonexistent/dir/x.xml'], target.env);
    expect(junit.code).toBe(2);
    expect(junit.stderr.trim()).toBe(
      'aclue-db: --junit: cannot write into /nonexistent/dir (missing or not writable)',
    );
  });

  it('fails with exit 1 and names the object after a hand change', async () => {
    const db = await target.open();
    await db.execute(sql`DROP INDEX idx_affiliate_clicks_session_id`);
    await db.$close();
    const run = await runCli(['verify'], target.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✘ \[indexes\] index idx_affiliate_clicks_session_id: missing/);
    expect(run.stdout).toMatch(/\d+ checks, 1 failed/);
  });
});
