import { queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

describe.each(testDrivers())('aclue-db seed on %s', (driver) => {
  const targets: Target[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const target = await freshTarget(driver);
      expect((await runCli(['migrate'], target.env)).code).toBe(0);
      targets.push(target);
    }
  });
  afterAll(() => Promise.all(targets.map((t) => t.dispose())));

  it('inserts plausible data that passes every check, the same for the same seed', async () => {
    const runs = [];
    for (const t of targets) {
      runs.push(
        await runCli(['seed', '--users', '30', '--days', '14', '--seed', '7', '--json'], t.env),
      );
    }
    for (const run of runs) expect(run.code).toBe(0);
    const [first, second] = runs.map((r) => JSON.parse(r.stdout));
    expect(first.rows).toEqual(second.rows);
    expect(first.rows.users).toBe(30);
    // A funnel: views far above clicks, clicks far above conversions.
    expect(first.rows.views).toBeGreaterThan(first.rows.clicks * 3);
    const db = await targets[0]?.open();
    if (!db) throw new Error('no database');
    const [funnel] = await queryRows<{ clicks: number; conversions: number; ids: string }>(
      db,
      sql`SELECT count(*)::int AS clicks, (count(*) FILTER (WHERE is_converted))::int AS conversions,
            md5(string_agg(id::text, ',' ORDER BY id)) AS ids FROM affiliate_clicks`,
    );
    await db.$close();
    expect(funnel?.conversions).toBeGreaterThan(0);
    expect(funnel?.clicks).toBeGreaterThan((funnel?.conversions ?? 0) * 5);
    expect((await runCli(['verify'], targets[0]?.env)).code).toBe(0);
  });

  it('refuses the same seed twice with one line, writing nothing, and bad flags with exit 2', async () => {
    const again = await runCli(['seed', '--users', '5', '--seed', '7'], targets[1]?.env);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      'aclue-db: this database already holds the data of --seed 7; use another --seed or an empty database (nothing was written)',
    );
    for (const value of ['many', '1e3', '0x10', ' 7', '7.0', '0']) {
      const bad = await runCli(['seed', '--users', value], targets[1]?.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe(
        `aclue-db: --users takes a whole number of at least 1, got "${value}"`,
      );
    }
    // Ten years at most: each month is a partition created in the seed's one transaction.
    const far = await runCli(['seed', '--days', '99999'], targets[1]?.env);
    expect(far.code).toBe(2);
    expect(far.stderr.trim()).toBe(
      'aclue-db: --days takes at most 3650 (ten years: every month of history is a partition, all created in one transaction), got 99999',
    );
  });

  it('says to migrate first on a database that is not migrated, writing nothing', async () => {
    const empty = await freshTarget(driver);
    try {
      const run = await runCli(['seed', '--users', '5'], empty.env);
      expect(run.code).toBe(2);
      // A server database that exists but is empty, or an embedded folder that holds none.
      expect(run.stderr.trim()).toMatch(
        driver === 'pg'
          ? /^aclue-db: .* is not migrated \(\d+ of its migrations are not applied\): run `aclue-db migrate` first$/
          : /^aclue-db: no embedded database at \S+: run `aclue-db setup` to create it/,
      );
    } finally {
      await empty.dispose();
    }
  });
});
