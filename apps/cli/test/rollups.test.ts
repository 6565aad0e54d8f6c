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
    expect(runCli(['migrate'], target.env).code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('shows the days waiting, refreshes them, and has nothing left to do after', async () => {
    const db = await target.open();
    try {
      await db.execute(sql`INSERT INTO public.products (title) VALUES ('p')`);
      await db.execute(sql`INSERT INTO public.product_views (product_id, session_id, view_timestamp)
        SELECT id, 's', now() - g * interval '1 day' FROM public.products, generate_series(1, 3) g`);
    } finally {
      await db.$close();
    }
    const waiting = JSON.parse(runCli(['rollups', '--json'], target.env).stdout) as {
      rollups: Status[];
    };
    expect(waiting.rollups.find((s) => s.source === 'product_views')).toMatchObject({
      refreshedDays: 0,
      dirtyDays: 3,
    });

    const run = runCli(['rollups', 'refresh'], target.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Today, not written to, is refreshed too (up to this hour): reports need no raw rows there.
    const today = new Date().getUTCHours() > 0 ? 1 : 0;
    expect(run.stdout).toContain(
      `product_views: refreshed 3 days${today ? ' (and 1 with no writes)' : ''}`,
    );
    expect(run.stdout).toMatch(new RegExp(`product_views\\s+${3 + today}\\s+0\\s+-`));
    expect(runCli(['rollups', 'refresh'], target.env).stdout).toContain(
      'product_views: nothing to refresh',
    );
    expect(runCli(['verify', '--data'], target.env).code).toBe(0);
  });

  it('refuses a malformed or future --before in one line (exit 2)', () => {
    for (const before of ['2026-2-1', '2026-02-30', '2999-01-01']) {
      const run = runCli(['rollups', 'refresh', '--before', before], target.env);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('--before');
    }
  });
});
