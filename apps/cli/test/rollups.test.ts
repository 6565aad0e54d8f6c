import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

interface Status {
  source: string;
  refreshedDays: number;
  dirtyDays: number;
  oldestDirtyDay: string | null;
}

describe.each(testDrivers())('aclue-db rollups on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('shows the days waiting, refreshes them, and has nothing left to do after', async () => {
    // Fixed days and a fixed --before: the refresh does not depend on today's date or hour.
    const db = await target.open();
    try {
      await db.execute(sql`INSERT INTO public.products (title) VALUES ('p')`);
      await db.execute(sql`INSERT INTO public.product_views (product_id, session_id, view_timestamp)
        SELECT id, 's', timestamptz '2026-03-01 12:00:00+00' - g * interval '1 day'
        FROM public.products, generate_series(1, 3) g`);
    } finally {
      await db.$close();
    }
    expect((await runCli(['partitions', 'maintain', '--from', '2026-02'], target.env)).code).toBe(
      0,
    );
    const waiting = JSON.parse((await runCli(['rollups', '--json'], target.env)).stdout) as {
      rollups: Status[];
    };
    expect(waiting.rollups.find((s) => s.source === 'product_views')).toMatchObject({
      refreshedDays: 0,
      dirtyDays: 3,
      oldestDirtyDay: '2026-02-26',
    });

    const run = await runCli(['rollups', 'refresh', '--before', '2026-03-01'], target.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The days written to; the quiet days after the first of them (none here) would follow. The
    // sources never written to refresh the 366 quiet days before --before.
    expect(run.stdout).toMatch(/^product_views: refreshed 3 days$/m);
    expect(run.stdout).toContain('affiliate_clicks: refreshed 0 days (and 366 with no writes)');
    expect(run.stdout).toMatch(/product_views\s+3\s+0\s+-/);
    const again = await runCli(['rollups', 'refresh', '--before', '2026-03-01'], target.env);
    expect(again.stdout).toContain('product_views: nothing to refresh');
    const verified = await runCli(['verify', '--data'], target.env);
    expect(verified.code, verified.stdout).toBe(0);
  });

  it('refuses a malformed or future --before in one line (exit 2)', async () => {
    for (const before of ['2026-2-1', '2026-02-30', '2999-01-01']) {
      const run = await runCli(['rollups', 'refresh', '--before', before], target.env);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('--before');
    }
  });
});
