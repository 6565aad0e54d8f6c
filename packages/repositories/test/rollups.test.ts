import {
  archivePartition,
  createDb,
  type Executor,
  type ExpiredPartition,
  expiredPartitions,
  maintainPartitions,
  queryRows,
  refreshRollups,
  rollupStatus,
  rollups,
  setLocalIdentity,
} from '@aclue/db';
import { hourlyRollupStatements, rollupTable, rollupTables } from '@aclue/db/objects';
import { testDrivers } from '@aclue/db/testing';
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsQueries } from '../src';
import { seedTraffic } from './traffic';
import { createWorld, startedSession, visitorId, type World } from './world';

const DAY = 86_400_000;
const utcDay = (daysAgo: number) => {
  const d = new Date(Date.now() - daysAgo * DAY);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
};
const at = (daysAgo: number, hours: number) => new Date(utcDay(daysAgo).getTime() + hours * 3.6e6);

/** Whole past days, ragged ends, one piece of one day, a period running into today, all of it. */
const periods = {
  'whole past days': { from: utcDay(20), to: utcDay(3) },
  'ragged ends': { from: at(20, 5.2), to: at(2, 7) },
  'hours of one day': { from: at(10, 1), to: at(10, 5) },
  'the last week, today included': { from: at(7, 0), to: new Date(Date.now() + DAY) },
  everything: { from: utcDay(40), to: new Date(Date.now() + DAY) },
};
type PeriodName = keyof typeof periods;

/** Every report over a period, as the analytics repository runs them. */
async function reports(db: Executor, period: { from: Date; to: Date }) {
  const q = analyticsQueries;
  return {
    attribution: await Promise.all(
      (['network', 'sourcePage', 'device', 'campaign'] as const).map((by) =>
        queryRows(db, q.revenueAttribution(period, by)),
      ),
    ),
    ctr: await queryRows(db, q.clickThroughRate(period)),
    funnel: await queryRows(db, q.funnel(period)),
    // 5 and 25: ranked among the products converting most (25 convert); 1000: every product.
    popularity: await Promise.all(
      [5, 25, 1000].map((limit) => queryRows(db, q.productPopularity(period, limit))),
    ),
    overTime: await Promise.all(
      (['day', 'week', 'month'] as const).map((g) => queryRows(db, q.revenueOverTime(period, g))),
    ),
    engagement: await queryRows(db, q.sessionEngagement(period)),
  };
}

/** Runs `work` in a transaction that is rolled back afterwards, returning what it returned. */
async function rolledBack<T>(w: World, work: (tx: Executor) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await w.db
    .transaction(async (tx) => {
      result = await work(tx);
      tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
  return result as T;
}

/** The same reports computed from raw rows only: no day counts as refreshed in this transaction. */
const rawReports = (w: World, period: { from: Date; to: Date }) =>
  rolledBack(w, async (tx) => {
    await tx.execute(sql`DELETE FROM aclue_rollups.refreshed_days`);
    return reports(tx, period);
  });

const ctrViews = async (db: Executor, period: { from: Date; to: Date }) =>
  (await queryRows<{ views: number }>(db, analyticsQueries.clickThroughRate(period))).reduce(
    (sum, r) => sum + r.views,
    0,
  );

describe.each(testDrivers())('rollups on %s', (driver) => {
  let w: World;
  let before: Record<PeriodName, Awaited<ReturnType<typeof reports>>>;
  beforeAll(async () => {
    w = await createWorld(driver);
    await seedTraffic(w, { days: 30, sessions: 3_000, views: 20_000, clicks: 4_000 });
    before = {} as typeof before;
    for (const [name, period] of Object.entries(periods)) {
      before[name as PeriodName] = await reports(w.db, period);
    }
  }, 300_000);
  afterAll(() => w?.test.dispose());

  it('the seeded days are marked, and a refresh changes no report', async () => {
    const status = await rollupStatus(w.db);
    expect(status.map((s) => s.source).sort()).toEqual([
      'affiliate_clicks',
      'product_views',
      'session_analytics',
    ]);
    // Thirty days each (a source whose rows of today are all in the current hour: 29).
    for (const s of status) expect(s.dirtyDays).toBeGreaterThanOrEqual(29);

    const refreshed = await refreshRollups(w.db);
    for (const r of refreshed) {
      expect(r.deferred).toEqual([]);
      expect(r.refreshed.length).toBeGreaterThanOrEqual(29);
    }
    for (const rollup of rollups) {
      const [row] = await queryRows<{ n: number }>(
        w.db,
        sql.raw(`SELECT count(*)::int AS n FROM aclue_rollups."${rollup.name}"`),
      );
      expect(row?.n, rollup.name).toBeGreaterThan(0);
    }
    for (const [name, period] of Object.entries(periods)) {
      expect(await reports(w.db, period), name).toEqual(before[name as PeriodName]);
    }
    const [today] = await queryRows<{ through: string }>(
      w.db,
      sql`SELECT to_char(through AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS through
          FROM aclue_rollups.refreshed_days WHERE source = 'product_views' AND day = ${utcDay(0).toISOString().slice(0, 10)}::date`,
    );
    // Today's views are spread over the hours before now: today is refreshed up to the current
    // hour only (the hour still being written stays raw).
    if (new Date().getUTCHours() > 0) {
      expect(today?.through).toBe(new Date().toISOString().slice(0, 13));
    }
    // Only today's current hour is left marked.
    for (const s of await rollupStatus(w.db)) {
      expect(
        s.oldestDirtyDay === null || s.oldestDirtyDay >= utcDay(0).toISOString().slice(0, 10),
      ).toBe(true);
    }
  });

  it('reads refreshed whole days from the rollups and the rest from raw rows', async () => {
    // Rows slipped in behind the triggers' back are invisible where the rollup answers.
    const whole = periods['whole past days'];
    // Day 10's piece ends at 03:30: hours 0–2 are whole (the hourly rollup), 03:00–03:30 is raw.
    const ragged = { from: at(11, 1), to: at(10, 3.5) };
    const wholeBefore = await ctrViews(w.db, whole);
    const raggedBefore = await ctrViews(w.db, ragged);
    const viewsOfProduct = async (db: Executor, period: { from: Date; to: Date }) =>
      (
        await queryRows<{ product_id: string; views: number }>(
          db,
          analyticsQueries.productPopularity(period, 1000),
        )
      )
        .filter((r) => r.product_id === w.a.productId)
        .reduce((sum, r) => sum + r.views, 0);
    const productBefore = await viewsOfProduct(w.db, ragged);
    await rolledBack(w, async (tx) => {
      await tx.execute(sql`ALTER TABLE product_views DISABLE TRIGGER mark_rollup_days_on_insert`);
      await tx.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
          SELECT ${w.a.productId}, 'traffic-1', t, 'search', 'impression'
          FROM unnest(ARRAY[${at(10, 3.2).toISOString()}, ${at(10, 2.5).toISOString()}]::timestamptz[]) AS t,
            generate_series(1, 7)`);
      expect(await ctrViews(tx, whole)).toBe(wholeBefore);
      // Click-through rates keep hours: the rows of the whole hour 02:00 are not read.
      expect(await ctrViews(tx, ragged)).toBe(raggedBefore + 7);
      // Views per product keep days only: the ragged day is read raw, both hours.
      expect(await viewsOfProduct(tx, ragged)).toBe(productBefore + 14);
      // Day 11's piece (01:00 on) is most of it: the day's rollup minus the raw rows of 00:00–01:00.
      // Rows slipped into the piece are not read; rows slipped into the rest are taken away.
      await tx.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
          SELECT ${w.a.productId}, 'traffic-1', t, 'search', 'impression'
          FROM unnest(ARRAY[${at(11, 5).toISOString()}, ${at(11, 0.5).toISOString()}]::timestamptz[]) AS t,
            generate_series(1, 3)`);
      expect(await viewsOfProduct(tx, ragged)).toBe(productBefore + 14 - 3);
      // Today: the rollup answers up to the hour of the refresh, raw rows after it.
      const today = { from: utcDay(0), to: new Date(Date.now() + 60_000) };
      const todayBefore = await ctrViews(tx, today);
      const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
      await tx.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
          SELECT (SELECT id FROM products LIMIT 1), 'traffic-1', t, 'search', 'impression'
          FROM unnest(ARRAY[${utcDay(0).toISOString()}, ${new Date(Math.max(hourStart.getTime(), Date.now() - 1_000)).toISOString()}]::timestamptz[]) AS t`);
      expect(await ctrViews(tx, today)).toBe(
        todayBefore + (hourStart.getTime() > utcDay(0).getTime() ? 1 : 2),
      );
    });
  });

  it('counts every insert, update and delete into refreshed days at once, and after the next refresh', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const session = await startedSession(visitor);
    // An anonymous visitor's writes mark days too (through the marking function, as its owner).
    await visitor.productViews.recordProductViews([
      { productId: w.a.productId, sessionId: session, viewPosition: 3 },
    ]);
    const service = w.repos.asService();
    await service.productViews.recordProductViews(
      Array.from({ length: 25 }, (_, i) => ({
        productId: w.a.productId,
        sessionId: session,
        viewPosition: 1 + (i % 4),
        viewTimestamp: at(12, 1 + i / 10),
      })),
    );
    await w.db.execute(sql`UPDATE affiliate_clicks SET is_converted = true,
        conversion_timestamp = click_timestamp + interval '3 days', actual_commission = 4.5,
        order_id = 'late-' || id
      WHERE id IN (SELECT id FROM affiliate_clicks WHERE NOT is_converted
        AND click_timestamp < ${utcDay(15).toISOString()}::timestamptz ORDER BY id LIMIT 40)`);
    await w.db.execute(sql`UPDATE session_analytics SET duration_seconds = duration_seconds + 600
      WHERE session_id IN (SELECT session_id FROM session_analytics ORDER BY session_id LIMIT 50)`);
    await w.db.execute(sql`DELETE FROM product_views WHERE view_timestamp >= ${utcDay(8).toISOString()}::timestamptz
      AND view_timestamp < ${utcDay(7).toISOString()}::timestamptz AND view_position = 2`);
    await w.db.execute(sql`UPDATE product_views SET view_timestamp = view_timestamp - interval '2 days'
      WHERE id IN (SELECT id FROM product_views WHERE view_timestamp < ${utcDay(5).toISOString()}::timestamptz
        AND view_timestamp >= ${utcDay(6).toISOString()}::timestamptz ORDER BY id LIMIT 30)`);

    for (const [name, period] of Object.entries(periods)) {
      const now = await reports(w.db, period);
      expect(now, name).toEqual(await rawReports(w, period));
    }
    await refreshRollups(w.db);
    for (const [name, period] of Object.entries(periods)) {
      expect(await reports(w.db, period), name).toEqual(await rawReports(w, period));
    }
  });

  it('ranks products as counting their raw rows would, at every limit', async () => {
    const popularity = (period: { from: Date; to: Date }, limit: number) =>
      queryRows(w.db, analyticsQueries.productPopularity(period, limit));
    const counted = (period: { from: Date; to: Date }, limit: number) => {
      const [from, to] = [period.from.toISOString(), period.to.toISOString()];
      return queryRows(
        w.db,
        sql`WITH v AS (SELECT product_id, count(*)::int AS views,
            (count(*) FILTER (WHERE interaction_type <> 'impression'))::int AS engagements
          FROM product_views WHERE view_timestamp >= ${from}::timestamptz AND view_timestamp < ${to}::timestamptz
          GROUP BY 1),
        c AS (SELECT product_id, count(*)::int AS clicks, (count(*) FILTER (WHERE is_converted))::int AS conversions
          FROM affiliate_clicks WHERE click_timestamp >= ${from}::timestamptz AND click_timestamp < ${to}::timestamptz
          GROUP BY 1)
        SELECT p.id AS product_id, p.title, coalesce(v.views, 0) AS views,
          coalesce(v.engagements, 0) AS engagements, coalesce(c.clicks, 0) AS clicks,
          coalesce(c.conversions, 0) AS conversions
        FROM products p LEFT JOIN v ON v.product_id = p.id LEFT JOIN c ON c.product_id = p.id
        WHERE v.product_id IS NOT NULL OR c.product_id IS NOT NULL
        ORDER BY 6 DESC, 5 DESC, 3 DESC, p.id LIMIT ${limit}`,
      );
    };
    // Sixty more products convert once to three times, with a few more clicks and views each:
    // ranks tie on conversions, and on clicks, and are decided by what follows.
    await w.db.execute(sql`WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products
        ORDER BY id OFFSET 100 LIMIT 60)
      INSERT INTO affiliate_clicks (product_id, session_id, click_timestamp, source_page, device_type,
        affiliate_network, affiliate_url, expected_commission, is_converted, conversion_timestamp,
        actual_commission, order_id)
      SELECT p.id, 'traffic-' || g, t.at, '/gifts', 'mobile', 'awin', 'https://x.test/tie', 1.5,
        g <= 1 + p.n % 3, CASE WHEN g <= 1 + p.n % 3 THEN t.at + interval '1 minute' END,
        CASE WHEN g <= 1 + p.n % 3 THEN 2.25 END, CASE WHEN g <= 1 + p.n % 3 THEN 'tie-' || p.n || '-' || g END
      FROM p, generate_series(1, 2 + p.n % 4) g,
        LATERAL (SELECT now() - ((p.n * 7 + g * 13) % (29 * 24)) * interval '1 hour' - interval '2 minutes' AS at) t`);
    await w.db.execute(sql`WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products
        ORDER BY id OFFSET 100 LIMIT 60)
      INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
      SELECT p.id, 'traffic-' || g, now() - ((p.n * 5 + g * 17) % (29 * 24)) * interval '1 hour' - interval '3 minutes',
        'search', 'click'
      FROM p, generate_series(1, p.n % 5) g`);
    const random = (() => {
      let seed = 11;
      return () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
    })();
    const some = [...Object.values(periods)];
    for (let i = 0; i < 4; i++) {
      const from = Date.now() - random() * 31 * DAY;
      some.push({
        from: new Date(from),
        to: new Date(from + random() * (Date.now() + 3.6e6 - from)),
      });
    }
    // Written since the refresh, then refreshed.
    for (const period of Object.values(periods)) {
      for (const limit of [5, 26]) {
        expect(await popularity(period, limit), `${limit} ${JSON.stringify(period)}`).toEqual(
          await counted(period, limit),
        );
      }
    }
    await refreshRollups(w.db);
    for (const period of some) {
      for (const limit of [1, 5, 25, 26, 60, 1000]) {
        expect(await popularity(period, limit), `${limit} ${JSON.stringify(period)}`).toEqual(
          await counted(period, limit),
        );
      }
    }
    // An archived day's rollup can name a product deleted since: it sets no bar.
    const whole = periods['whole past days'];
    const top = await counted(whole, 5);
    await rolledBack(w, async (tx) => {
      await tx.execute(sql`INSERT INTO aclue_rollups.affiliate_clicks_by_product_daily
          (day, key, clicks, conversions, expected_commission, actual_commission)
        VALUES (${utcDay(10).toISOString().slice(0, 10)}::date, gen_random_uuid(), 900, 900, 0, 0)`);
      for (const limit of [1, 5]) {
        expect(await queryRows(tx, analyticsQueries.productPopularity(whole, limit))).toEqual(
          top.slice(0, limit),
        );
      }
    });
  });

  it('counts the sessions of any period distinct, from the hours each was last seen before it', async () => {
    const funnel = (db: Executor, period: { from: Date; to: Date }) =>
      queryRows<Record<string, number>>(db, analyticsQueries.funnel(period));
    const rawFunnel = (period: { from: Date; to: Date }) =>
      rolledBack(w, async (tx) => {
        await tx.execute(sql`DELETE FROM aclue_rollups.refreshed_days`);
        return funnel(tx, period);
      });
    // Sessions seen again hours and days later (views and clicks), some only in ragged pieces.
    await w.db.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
      SELECT ${w.a.productId}, 'recurring-' || (g % 37),
        now() - (g % 29) * interval '1 day' - (g * 7 % 1440) * interval '1 minute', 'search', 'impression'
      FROM generate_series(1, 600) g`);
    await w.db.execute(sql`INSERT INTO affiliate_clicks (product_id, session_id, click_timestamp, source_page, device_type,
        affiliate_network, affiliate_url, expected_commission)
      SELECT c.product_id, 'recurring-' || (g % 23),
        now() - (g % 29) * interval '1 day' - (g * 11 % 1440) * interval '1 minute',
        c.source_page, c.device_type, c.affiliate_network, c.affiliate_url, c.expected_commission
      FROM (SELECT * FROM affiliate_clicks ORDER BY id LIMIT 1) c, generate_series(1, 300) g`);
    await refreshRollups(w.db);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const randomPeriods = (n: number) =>
      Array.from({ length: n }, () => {
        const from = Date.now() - random() * 31 * DAY;
        return {
          from: new Date(from),
          to: new Date(from + random() * (Date.now() + 3.6e6 - from)),
        };
      });
    for (const period of [...Object.values(periods), ...randomPeriods(12)]) {
      expect(await funnel(w.db, period), JSON.stringify(period)).toEqual(await rawFunnel(period));
    }
    // Sessions leave hours and reappear earlier: the later hours' "last seen before" move.
    await w.db.execute(sql`DELETE FROM product_views WHERE session_id IN ('recurring-3', 'recurring-4')
      AND view_timestamp >= ${utcDay(15).toISOString()}::timestamptz AND view_timestamp < ${utcDay(12).toISOString()}::timestamptz`);
    await w.db.execute(sql`UPDATE product_views SET view_timestamp = view_timestamp - interval '26 hours'
      WHERE session_id = 'recurring-5' AND view_timestamp >= ${utcDay(20).toISOString()}::timestamptz`);
    await w.db.execute(sql`UPDATE product_views SET session_id = 'recurring-6'
      WHERE session_id = 'recurring-7' AND view_timestamp < ${utcDay(9).toISOString()}::timestamptz`);
    for (const period of randomPeriods(6)) {
      expect(await funnel(w.db, period), JSON.stringify(period)).toEqual(await rawFunnel(period));
    }
    await refreshRollups(w.db);
    for (const period of [...Object.values(periods), ...randomPeriods(12)]) {
      expect(await funnel(w.db, period), JSON.stringify(period)).toEqual(await rawFunnel(period));
    }
    // Whole refreshed days are counted from the firsts: a figure edited there shows.
    const whole = periods['whole past days'];
    const [before] = await funnel(w.db, whole);
    const future = { from: whole.from, to: new Date(Date.now() + 2 * DAY) };
    const [beforeFuture] = await funnel(w.db, future);
    expect([beforeFuture]).toEqual(await rawFunnel(future));
    await rolledBack(w, async (tx) => {
      // One row of sessions first seen in an hour of day 10 (which hour holds one depends on
      // when the traffic was seeded).
      await tx.execute(sql`UPDATE aclue_rollups.product_views_sessions_firsts SET keys_seen = keys_seen + 1
        WHERE ctid = (SELECT ctid FROM aclue_rollups.product_views_sessions_firsts
          WHERE previous_hour IS NULL AND day = ${utcDay(10).toISOString().slice(0, 10)}::date
          ORDER BY hour LIMIT 1)`);
      const [edited] = await funnel(tx, whole);
      expect(edited).toEqual({
        ...before,
        sessions_with_views: Number(before?.sessions_with_views) + 1,
      });
      // So are they for a period running into the future (this month, today included).
      const [editedFuture] = await funnel(tx, future);
      expect(editedFuture).toEqual({
        ...beforeFuture,
        sessions_with_views: Number(beforeFuture?.sessions_with_views) + 1,
      });
    });
  });

  it('refreshes the rest of a day last refreshed while it was today, and quiet days', async () => {
    const day = utcDay(4).toISOString().slice(0, 10);
    const through = async () =>
      (
        await queryRows<{ through: string }>(
          w.db,
          sql`SELECT to_char(through AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS through
            FROM aclue_rollups.refreshed_days WHERE source = 'product_views' AND day = ${day}::date`,
        )
      )[0]?.through;
    await w.db.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
      VALUES (${w.a.productId}, 'traffic-6', ${at(4, 1).toISOString()}::timestamptz, 'search', 'impression')`);
    // A refresh at 12:30 of that day (as on the day itself) reaches its noon only.
    await refreshRollups(w.db, { before: at(4, 12.5) });
    expect(await through()).toBe(`${day} 12`);
    await w.db.execute(sql`DELETE FROM aclue_rollups.refreshed_days
      WHERE source = 'product_views' AND day = ${utcDay(6).toISOString().slice(0, 10)}::date`);
    // One day a batch: both still taken, oldest first.
    const [views] = (await refreshRollups(w.db, { batchDays: 1 })).filter(
      (r) => r.source === 'product_views',
    );
    expect(views?.unwritten).toEqual([utcDay(6).toISOString().slice(0, 10), day]);
    expect(await through()).toBe(`${utcDay(3).toISOString().slice(0, 10)} 00`);
    const [again] = (await refreshRollups(w.db)).filter((r) => r.source === 'product_views');
    expect(again?.unwritten).toEqual([]);
  });

  it('reads nothing from the rollups of a table emptied by TRUNCATE', async () => {
    await refreshRollups(w.db);
    const whole = periods['whole past days'];
    expect(
      await queryRows(w.db, analyticsQueries.revenueAttribution(whole, 'network')),
    ).not.toEqual([]);
    await rolledBack(w, async (tx) => {
      await tx.execute(sql`TRUNCATE affiliate_clicks CASCADE`);
      expect(await queryRows(tx, analyticsQueries.revenueAttribution(whole, 'network'))).toEqual(
        [],
      );
    });
  });

  it('reads raw the hours of days refreshed before the hourly rollups existed', async () => {
    await refreshRollups(w.db);
    const ragged = periods['ragged ends'];
    const figures = await reports(w.db, ragged);
    await rolledBack(w, async (tx) => {
      // A database migrated and refreshed before 0009: no hourly tables, no flag.
      for (const { rollup, kind } of rollupTables.filter((t) => t.kind !== 'day')) {
        await tx.execute(sql.raw(`DROP TABLE ${rollupTable(rollup, kind)}`));
      }
      await tx.execute(sql`ALTER TABLE aclue_rollups.refreshed_days DROP COLUMN hourly`);
      for (const statement of hourlyRollupStatements) await tx.execute(sql.raw(statement));
      // Its days keep their daily figures (their raw rows may be archived): nothing is marked,
      // and their ragged pieces are read raw, not from the empty hourly tables.
      for (const s of await rollupStatus(tx)) expect(s.dirtyDays, s.source).toBe(0);
      expect(await reports(tx, ragged)).toEqual(figures);
      // Running them again (as `push` does every time) changes nothing.
      for (const statement of hourlyRollupStatements) await tx.execute(sql.raw(statement));
      expect(await reports(tx, ragged)).toEqual(figures);
    });
  });

  it("keeps an archived month's figures after retention drops its partition", async () => {
    const month = { from: new Date('2023-03-01T00:00:00Z'), to: new Date('2023-04-01T00:00:00Z') };
    await maintainPartitions(w.db, { from: month.from });
    await w.db.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, view_position, interaction_type, has_clicked_affiliate)
      SELECT (SELECT id FROM products ORDER BY id LIMIT 1), 'traffic-3',
        '2023-03-01T00:00:00Z'::timestamptz + g * interval '7 hours', 'trending', 1 + g % 3, 'impression', g % 4 = 0
      FROM generate_series(0, 99) g`);
    const figures = await reports(w.db, month);
    expect(await ctrViews(w.db, month)).toBe(100);
    await refreshRollups(w.db);
    const expired = (await expiredPartitions(w.db, { keepMonths: 24 })).find((e) =>
      e.partition.endsWith('_p2023_03'),
    );
    expect(expired).toBeDefined();
    let archived = 0;
    await archivePartition(w.db, expired as ExpiredPartition, async () => ({
      write: async (rows) => {
        archived += rows.length;
      },
      close: async () => {},
    }));
    expect(archived).toBe(100);
    const [left] = await queryRows<{ n: number }>(
      w.db,
      sql`SELECT count(*)::int AS n FROM product_views WHERE view_timestamp >= '2023-03-01' AND view_timestamp < '2023-04-01'`,
    );
    expect(left?.n).toBe(0);
    // The raw rows are gone; the reports over the month still answer, from the rollups.
    expect(await reports(w.db, month)).toEqual(figures);
  });

  it('keeps the rollups from the API roles and lets the service role only read them', async () => {
    const attempt = (identity: Parameters<typeof setLocalIdentity>[1], statement: string) =>
      w.db
        .transaction(async (tx: Executor) => {
          await setLocalIdentity(tx, identity);
          await tx.execute(sql.raw(statement));
        })
        .then(
          () => 'accepted',
          (error: { cause?: { code?: string }; code?: string }) =>
            error.cause?.code ?? error.code ?? 'error',
        );
    // Every table of every rollup, at every grain.
    const tables = rollupTables.map(({ rollup, kind }) => rollupTable(rollup, kind));
    for (const identity of [
      { role: 'anon' as const, anonymousId: visitorId() },
      { role: 'authenticated' as const, userId: w.a.userId },
    ]) {
      for (const statement of [
        ...tables.map((table) => `SELECT * FROM ${table} LIMIT 1`),
        `DELETE FROM ${tables.at(-1)}`,
        'SELECT * FROM aclue_rollups.dirty_days',
        "INSERT INTO aclue_rollups.dirty_days (source, day) VALUES ('product_views', '2020-01-01')",
        "DELETE FROM aclue_rollups.refreshed_days WHERE source = 'product_views'",
      ]) {
        expect(await attempt(identity, statement), `${identity.role}: ${statement}`).toBe('42501');
      }
    }
    const service = { role: 'service_role' as const };
    for (const table of tables) {
      expect(await attempt(service, `SELECT * FROM ${table} LIMIT 1`), table).toBe('accepted');
      expect(await attempt(service, `DELETE FROM ${table}`), table).toBe('42501');
      expect(await attempt(service, `UPDATE ${table} SET day = day + 1`), table).toBe('42501');
    }
    expect(
      await attempt(
        service,
        "DELETE FROM aclue_rollups.refreshed_days WHERE source = 'product_views'",
      ),
    ).toBe('42501');
  });

  it.runIf(driver === 'pg')(
    "counts a REPEATABLE READ writer whose snapshot predates the refresh that cleared its day's mark",
    async () => {
      const day = { from: utcDay(6), to: utcDay(5) };
      await refreshRollups(w.db);
      const before = await ctrViews(w.db, day);
      const other = await createDb({ url: w.test.url as string, poolSize: 1 });
      try {
        // The day is written to: marked.
        await w.db.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
          VALUES (${w.a.productId}, 'traffic-4', ${at(6, 2).toISOString()}::timestamptz, 'search', 'impression')`);
        await other.transaction(
          async (tx) => {
            // Its snapshot sees the mark; it holds no transaction id yet.
            await tx.execute(sql`SELECT count(*) FROM products`);
            // Meanwhile a refresh clears the mark and flags the day refreshed.
            await refreshRollups(w.db);
            await tx.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, interaction_type)
              VALUES (${w.a.productId}, 'traffic-4', ${at(6, 3).toISOString()}::timestamptz, 'search', 'impression')`);
          },
          { isolationLevel: 'repeatable read' },
        );
      } finally {
        await other.$close();
      }
      expect(await ctrViews(w.db, day)).toBe(before + 2);
      await refreshRollups(w.db);
      expect(await ctrViews(w.db, day)).toBe(before + 2);
    },
  );

  it.runIf(driver === 'pg')("does not wait for another database's transactions", async () => {
    const elsewhere = new URL(w.test.url as string);
    elsewhere.pathname = '/postgres';
    const other = await createDb({ url: elsewhere.toString(), poolSize: 1 });
    try {
      await w.db.execute(sql`UPDATE session_analytics SET pages_viewed = pages_viewed + 1
          WHERE session_id = 'traffic-5'`);
      await other.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_current_xact_id()`); // holds a transaction id, open
        const [sessions] = (await refreshRollups(w.db, { waitMs: 1_000 })).filter(
          (r) => r.source === 'session_analytics',
        );
        expect(sessions?.deferred).toEqual([]);
        expect(sessions?.refreshed.length).toBeGreaterThan(0);
      });
    } finally {
      await other.$close();
    }
  });

  it.runIf(driver === 'pg')(
    'loses no write made while a refresh runs: concurrent writers and refreshes, rows counted',
    async () => {
      const day = { from: utcDay(9), to: utcDay(8) };
      await refreshRollups(w.db);
      const before = await ctrViews(w.db, day);
      const dayName = day.from.toISOString().slice(0, 10);
      // Each write holds its transaction open a moment after its statement (and its day mark):
      // a refresh that cleared the mark then must wait for it, or the write would be lost. The
      // writers go on until the day has been refreshed under them a dozen times.
      const WANTED_REFRESHES = 12;
      let refreshesOfTheDay = 0;
      let written = 0;
      const writers = Array.from({ length: 4 }, (_, writer) =>
        (async () => {
          for (let i = 0; refreshesOfTheDay < WANTED_REFRESHES && i < 5_000; i++) {
            await w.db.transaction(async (tx) => {
              await tx.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, view_position, interaction_type)
                VALUES (${w.a.productId}, 'traffic-2', ${at(9, ((writer * 5_000 + i) % 20_000) / 1_000).toISOString()}::timestamptz, 'search', ${1 + (i % 5)}, 'impression')`);
              await new Promise((resolve) => setTimeout(resolve, 5 + ((i * 7 + writer * 3) % 15)));
            });
            written++;
          }
        })(),
      );
      // The refresh job has connections of its own, as it would in its own process.
      const job = await createDb({ url: w.test.url as string, poolSize: 2 });
      let refreshing = true;
      const refresher = (async () => {
        while (refreshing) {
          const [views] = (await refreshRollups(job, { waitMs: 5_000 })).filter(
            (r) => r.source === 'product_views',
          );
          if (views?.refreshed.includes(dayName)) refreshesOfTheDay++;
        }
      })();
      await Promise.all(writers);
      refreshing = false;
      await refresher.finally(() => job.$close());
      expect(refreshesOfTheDay).toBeGreaterThanOrEqual(WANTED_REFRESHES);
      expect(await ctrViews(w.db, day)).toBe(before + written);
      await refreshRollups(w.db);
      const status = await rollupStatus(w.db);
      expect(status.find((s) => s.source === 'product_views')?.oldestDirtyDay ?? '9999').not.toBe(
        day.from.toISOString().slice(0, 10),
      );
      // Served from the rollup now, and still every row.
      expect(await ctrViews(w.db, day)).toBe(before + written);
      const [raw] = await queryRows<{ n: number }>(
        w.db,
        sql`SELECT count(*)::int AS n FROM product_views
          WHERE view_timestamp >= ${day.from.toISOString()}::timestamptz AND view_timestamp < ${day.to.toISOString()}::timestamptz`,
      );
      expect(raw?.n).toBe(before + written);
    },
    120_000,
  );
});
