import { explainPlan, queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsQueries, ValidationError } from '../src';
import { seedTraffic } from './traffic';
import { createWorld, type World } from './world';

const DAY = 86_400_000;
const week = { from: new Date(Date.now() - 7 * DAY), to: new Date(Date.now() + DAY) };

describe.each(testDrivers({ pooled: true }))('analytics on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
    await seedTraffic(w);
  }, 300_000);
  afterAll(() => w?.test.dispose());

  const queries: [string, SQL][] = [
    ['revenue attribution', analyticsQueries.revenueAttribution(week, 'network')],
    ['click-through rate', analyticsQueries.clickThroughRate(week)],
    ['funnel', analyticsQueries.funnel(week)],
    ['product popularity', analyticsQueries.productPopularity(week, 20)],
    ['session engagement', analyticsQueries.sessionEngagement(week)],
  ];

  it.each(queries)(
    '%s over a week never scans product_views or affiliate_clicks sequentially',
    async (_name, query) => {
      const scans = (await explainPlan(w.db, query))
        .filter((n) => n['Node Type'] === 'Seq Scan')
        .map((n) => n['Relation Name']);
      expect(scans.filter((t) => t === 'product_views' || t === 'affiliate_clicks')).toEqual([]);
    },
  );

  it('attributes revenue by network with expected vs actual commission', async () => {
    const rows = await w.repos.asService().analytics.revenueAttribution({ ...week, by: 'network' });
    expect(rows.map((r) => r.key).sort()).toEqual(['amazon', 'awin', 'rakuten']);
    const [truth] = await queryRows<{ clicks: number; conversions: number }>(
      w.db,
      sql`SELECT count(*)::int AS clicks,
      (count(*) FILTER (WHERE is_converted))::int AS conversions FROM affiliate_clicks
      WHERE click_timestamp >= ${week.from.toISOString()} AND click_timestamp < ${week.to.toISOString()}`,
    );
    expect(rows.reduce((s, r) => s + r.clicks, 0)).toBe(truth?.clicks);
    expect(rows.reduce((s, r) => s + r.conversions, 0)).toBe(truth?.conversions);
    for (const r of rows) {
      expect(r.conversion_rate).toBeCloseTo(r.conversions / r.clicks, 4);
      expect(r.actual_commission).toBeCloseTo(r.conversions * 2.25, 2);
      expect(r.expected_commission).toBeCloseTo(r.clicks * 1.5, 2);
    }
    const byCampaign = await w.repos
      .asService()
      .analytics.revenueAttribution({ ...week, by: 'campaign' });
    expect(byCampaign).toHaveLength(4);
  });

  it('reports CTR by position and source, the funnel, popularity and engagement', async () => {
    const analytics = w.repos.asService().analytics;
    const ctr = await analytics.clickThroughRate(week);
    expect(ctr.length).toBeGreaterThan(0);
    for (const r of ctr) expect(r.ctr).toBeCloseTo(r.clicks / r.views, 4);
    const funnel = await analytics.funnel(week);
    expect(funnel?.sessions).toBeGreaterThan(0);
    expect(funnel?.conversions).toBeLessThanOrEqual(funnel?.sessions_with_clicks ?? 0);
    const popular = await analytics.productPopularity({ ...week, limit: 5 });
    expect(popular).toHaveLength(5);
    expect(popular[0]?.conversions).toBeGreaterThanOrEqual(popular[4]?.conversions ?? 0);
    // Its limit is a page size: a whole number from 1 to 1,000, named when it is not.
    for (const limit of [0, -5, 1.5, 1001, Number.NaN, '10']) {
      await expect(
        analytics.productPopularity({ ...week, limit: limit as number }),
      ).rejects.toThrow(/limit must be/);
    }
    const engagement = await analytics.sessionEngagement(week);
    expect(engagement?.bounce_rate).toBeGreaterThan(0);
    expect(engagement?.bounce_rate).toBeLessThan(1);
  });

  it('reports revenue over time: every UTC bucket of the period, totals equal to attribution', async () => {
    const analytics = w.repos.asService().analytics;
    const to = new Date(new Date().toISOString().slice(0, 10));
    const from = new Date(to.getTime() - 14 * DAY);
    const days = await analytics.revenueOverTime({ from, to, granularity: 'day' });
    expect(days.map((d) => d.bucket)).toEqual(
      Array.from({ length: 14 }, (_, i) =>
        new Date(from.getTime() + i * DAY).toISOString().slice(0, 10),
      ),
    );
    const attributed = await analytics.revenueAttribution({ from, to, by: 'network' });
    const sum = (rows: { clicks: number; actual_commission: number }[]) => ({
      clicks: rows.reduce((s, r) => s + r.clicks, 0),
      commission: Math.round(rows.reduce((s, r) => s + r.actual_commission, 0) * 100),
    });
    expect(sum(days)).toEqual(sum(attributed));
    const months = await analytics.revenueOverTime({ from, to, granularity: 'month' });
    expect(sum(months)).toEqual(sum(attributed));
    expect(months.length).toBeLessThanOrEqual(2);
    await expect(
      analytics.revenueOverTime({ from: new Date('2001-01-01'), to, granularity: 'day' }),
    ).rejects.toThrow(/more than 1000 days/);
    await expect(
      analytics.revenueOverTime({ from, to, granularity: 'hour' as 'day' }),
    ).rejects.toThrow(/granularity must be day, week or month/);
  });

  it('is the service role’s alone, and refuses a backwards period', async () => {
    await expect(
      w.repos.asService().analytics.funnel({ from: week.to, to: week.from }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect('analytics' in w.repos.asUser(w.a.userId)).toBe(false);
  });
});
