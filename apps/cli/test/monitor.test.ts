import { queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

const titles = [
  'table and index sizes',
  'index usage',
  'indexes never used (not backing a key)',
  'sequential scans on large tables',
  'cache hit ratio',
  'dead tuples and vacuum age',
  'connections',
  'business: last day and last week',
  'slowest statements (pg_stat_statements)',
  'policies calling auth.* per row (not wrapped in a select)',
];

describe.each(testDrivers())('aclue-db monitor on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
    expect((await runCli(['seed', '--users', '10', '--days', '7'], target.env)).code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('prints every section as an aligned table, or says why it cannot', async () => {
    const run = await runCli(['monitor'], target.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const title of titles) expect(run.stdout).toContain(title);
    expect(run.stdout).toMatch(/product_views\s+\d+\s+\d+(\.\d+)? \w?B/);
    expect(run.stdout).toMatch(
      /pg_stat_statements is not installed|calls\s+mean_ms|not collected by the embedded database/,
    );
  });

  it('reports the business metrics the data holds, as JSON', async () => {
    const run = await runCli(['monitor', '--json'], target.env);
    const report = JSON.parse(run.stdout);
    const business = report.sections.find((s: { title: string }) => s.title.startsWith('business'));
    const week = business.rows.find((r: { period: string }) => r.period === 'last week');
    const db = await target.open();
    const [truth] = await queryRows<{ clicks: number }>(
      db,
      sql`SELECT count(*)::int AS clicks FROM affiliate_clicks WHERE click_timestamp > now() - interval '7 days'`,
    );
    await db.$close();
    expect(week.clicks).toBe(truth?.clicks);
    expect(week.clicks).toBeGreaterThan(0);
  });

  it('counts real rows on either engine, and says which sections the embedded one cannot fill', async () => {
    const report = JSON.parse((await runCli(['monitor', '--json'], target.env)).stdout) as {
      sections: { title: string; rows: { table?: string; live_rows?: number }[]; note?: string }[];
    };
    const sizes = report.sections.find((s) => s.title === 'table and index sizes');
    const views = sizes?.rows.find((r) => r.table === 'product_views');
    const db = await target.open();
    const [truth] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM product_views`,
    );
    await db.$close();
    expect(truth?.n).toBeGreaterThan(0);
    const statistical = report.sections.filter((s) =>
      ['index usage', 'cache hit ratio', 'dead tuples and vacuum age'].includes(s.title),
    );
    if (driver === 'pglite') {
      expect(Number(views?.live_rows)).toBe(truth?.n);
      for (const section of statistical) {
        expect(section.rows).toEqual([]);
        expect(section.note).toMatch(/not collected by the embedded database/);
      }
    } else {
      expect(statistical.every((s) => s.note === undefined)).toBe(true);
    }
  });

  it('refreshes with --watch, as often as --iterations says', async () => {
    const run = await runCli(['monitor', '--watch', '0.2', '--iterations', '2'], target.env);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/table and index sizes/g)).toHaveLength(2);
    expect((await runCli(['monitor', '--watch', 'soon'], target.env)).code).toBe(2);
  });
});
