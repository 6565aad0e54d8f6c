import {
  clickRollups,
  clickSessionRollup,
  conversionRollup,
  convertingRows,
  distinctKeys,
  queryRows,
  rollupRows,
  sessionRollup,
  viewPositionRollup,
  viewProductRollup,
  viewSessionRollup,
  withMeasures,
} from '@aclue/db';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ValidationError, validate } from './errors';
import type { Runner } from './scope';
import { pageLimit } from './sql';

/** A reporting period: `from` before `to` (ISO times or dates). */
export const periodInput = z
  .object({
    from: z.coerce.date('from must be a date or time (ISO 8601, e.g. 2026-11-01)'),
    to: z.coerce.date('to must be a date or time (ISO 8601, e.g. 2026-11-30)'),
  })
  .refine((p) => p.from < p.to, { message: 'from must be before to', path: ['from'] });
export type Period = z.input<typeof periodInput>;

/** The dimensions revenue is attributed by (products have their own report). */
const attributionDimensions = ['network', 'sourcePage', 'device', 'campaign'] as const;
export type AttributionDimension = (typeof attributionDimensions)[number];

export const granularities = ['day', 'week', 'month'] as const;
export type Granularity = (typeof granularities)[number];
/** A time series holds at most this many buckets: choose a coarser granularity beyond. */
const MAX_BUCKETS = 1000;
const bucketDays: Record<Granularity, number> = { day: 1, week: 7, month: 28 };

/**
 * The analytics queries as SQL, one per report. Each reads the daily rollups for the whole days
 * they answer for and the raw rows for the rest (see `rollupRows`): exact at every moment, and
 * O(days) rows once the rollups are refreshed. Every measure is a sum of the rollups' sums.
 */
export const analyticsQueries = {
  revenueAttribution: (p: { from: Date; to: Date }, by: AttributionDimension) => sql`
    SELECT key, sum(clicks)::int AS clicks, sum(conversions)::int AS conversions,
      round(sum(conversions)::numeric / sum(clicks), 4)::float8 AS conversion_rate,
      sum(expected_commission)::float8 AS expected_commission,
      sum(actual_commission)::float8 AS actual_commission
    FROM (${rollupRows(clickRollups[by], p)}) AS r
    GROUP BY 1 ORDER BY actual_commission DESC, clicks DESC, key`,

  clickThroughRate: (p: { from: Date; to: Date }) => sql`
    SELECT view_source, view_position, sum(views)::int AS views, sum(clicks)::int AS clicks,
      round(sum(clicks)::numeric / sum(views), 4)::float8 AS ctr
    FROM (${rollupRows(viewPositionRollup, p)}) AS r
    GROUP BY view_source, view_position ORDER BY view_source, view_position`,

  /**
   * Sessions started → sessions with product views → with affiliate clicks → conversions. The two
   * distinct counts read each hour's sessions by the hour each was last seen (`distinctKeys`).
   */
  funnel: (p: { from: Date; to: Date }) => sql`
    SELECT
      (SELECT coalesce(sum(sessions), 0) FROM (${rollupRows(sessionRollup, p)}) AS r)::int AS sessions,
      (${distinctKeys(viewSessionRollup, p)})::int AS sessions_with_views,
      (${distinctKeys(clickSessionRollup, p)})::int AS sessions_with_clicks,
      (SELECT coalesce(sum(conversions), 0) FROM (${rollupRows(conversionRollup, p)}) AS r)::int AS conversions`,

  /**
   * The products ranked by conversions, then clicks, then views. Ranking every product sums
   * every product's rows of every day; instead, the products with conversions are summed from
   * the rollup rows that have some (a partial index), and when at least `limit` products
   * converted, only those converting as often as the `limit`-th can rank: clicks and views are
   * read for them alone. Fewer converting products than `limit`: every product is ranked.
   */
  productPopularity: (p: { from: Date; to: Date }, limit: number) => {
    const ranked = (among?: SQL) => sql`
      WITH views AS (
        SELECT product_id, sum(views)::int AS views, sum(engagements)::int AS engagements
        FROM (${rollupRows(viewProductRollup, p, { keys: among })}) AS r
        GROUP BY product_id HAVING sum(views) > 0),
      clicks AS (
        SELECT key AS product_id, sum(clicks)::int AS clicks, sum(conversions)::int AS conversions
        FROM (${rollupRows(withMeasures(clickRollups.product, ['clicks', 'conversions']), p, { keys: among })}) AS r
        GROUP BY key HAVING sum(clicks) > 0)
      SELECT p.id AS product_id, p.title, coalesce(v.views, 0) AS views,
        coalesce(v.engagements, 0) AS engagements, coalesce(c.clicks, 0) AS clicks,
        coalesce(c.conversions, 0) AS conversions
      FROM views v FULL JOIN clicks c ON c.product_id = v.product_id
      JOIN products p ON p.id = coalesce(v.product_id, c.product_id)
      ORDER BY 6 DESC, 5 DESC, 3 DESC, p.id
      LIMIT ${limit}`;
    // Conversions per product, from the converted clicks alone (one in twenty) and the rollup
    // rows that have some: enough to set the bar, not to rank. Conversions only, so the partial
    // index that includes them answers without the heap.
    const converting = rollupRows(withMeasures(clickRollups.product, ['conversions']), p, {
      where: sql.raw(convertingRows.stored),
      sourceWhere: sql.raw(convertingRows.source),
    });
    return sql`
    WITH converting AS MATERIALIZED (
      SELECT key AS product_id, sum(conversions) AS conversions
      FROM (${converting}) AS r
      GROUP BY key HAVING sum(conversions) > 0),
    -- The bar: the limit-th product's conversions, among products still in the catalogue (an
    -- archived day's rollup can name a deleted one). Counted down the ranking as it goes, so
    -- only the first products are looked up; a later row with the same count has as many or
    -- fewer conversions: a lower bar, more candidates, the same ranking.
    cut AS MATERIALIZED (
      SELECT conversions FROM (
        SELECT c.conversions, count(*) FILTER (
            WHERE EXISTS (SELECT 1 FROM products x WHERE x.id = c.product_id))
          OVER (ORDER BY c.conversions DESC ROWS UNBOUNDED PRECEDING) AS listed
        FROM converting c) AS ranked
      WHERE listed = ${limit}::bigint LIMIT 1),
    -- Picked once: every branch of both rollups' reads filters by them.
    candidates AS MATERIALIZED (
      SELECT c.product_id FROM converting c WHERE c.conversions >= (SELECT x.conversions FROM cut x))
    SELECT * FROM (
      SELECT * FROM (${ranked(sql`SELECT product_id FROM candidates`)}) AS among_candidates
      WHERE EXISTS (SELECT 1 FROM cut)
      UNION ALL
      SELECT * FROM (${ranked()}) AS every WHERE NOT EXISTS (SELECT 1 FROM cut)) AS top
    ORDER BY conversions DESC, clicks DESC, views DESC, product_id`;
  },

  /**
   * Clicks, conversions and commission per UTC day, week or month of the clicks' time (a click's
   * conversion counts where the click was), every bucket of the period present, empty ones as 0.
   */
  revenueOverTime: (p: { from: Date; to: Date }, granularity: Granularity) => sql`
    WITH buckets AS (
      SELECT bucket FROM generate_series(
        date_trunc(${granularity}, ${p.from.toISOString()}::timestamptz AT TIME ZONE 'UTC'),
        (${p.to.toISOString()}::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
        ${`1 ${granularity}`}::interval) AS bucket),
    clicks AS (
      SELECT date_trunc(${granularity}, day::timestamp) AS bucket,
        sum(clicks)::int AS clicks, sum(conversions)::int AS conversions,
        sum(expected_commission)::float8 AS expected_commission,
        sum(actual_commission)::float8 AS actual_commission
      FROM (${rollupRows(clickRollups.network, p)}) AS r
      GROUP BY 1)
    SELECT to_char(b.bucket, 'YYYY-MM-DD') AS bucket, coalesce(c.clicks, 0) AS clicks,
      coalesce(c.conversions, 0) AS conversions,
      coalesce(c.expected_commission, 0) AS expected_commission,
      coalesce(c.actual_commission, 0) AS actual_commission
    FROM buckets b LEFT JOIN clicks c USING (bucket) ORDER BY b.bucket`,

  sessionEngagement: (p: { from: Date; to: Date }) => sql`
    SELECT coalesce(sum(sessions), 0)::int AS sessions,
      coalesce(round(sum(duration_seconds)::numeric / nullif(sum(timed_sessions), 0)), 0)::int
        AS average_duration_seconds,
      coalesce(round(sum(pages_viewed)::numeric / nullif(sum(sessions), 0), 2), 0)::float8 AS average_pages,
      coalesce(round(sum(bounces)::numeric / nullif(sum(sessions), 0), 4), 0)::float8 AS bounce_rate,
      coalesce(round(sum(conversions)::numeric / nullif(sum(sessions), 0), 4), 0)::float8 AS conversion_rate,
      coalesce(sum(conversion_value), 0)::float8 AS conversion_value
    FROM (${rollupRows(sessionRollup, p)}) AS r`,
} satisfies Record<string, (...args: never[]) => SQL>;

/** Business analytics over a period (service role). */
export class AnalyticsRepository {
  constructor(private readonly run: Runner) {}

  /** Clicks, conversions, conversion rate, expected vs actual commission by one dimension. */
  async revenueAttribution(input: Period & { by?: AttributionDimension }) {
    const p = validate(periodInput, input);
    const by = validate(
      z.enum(attributionDimensions, `by must be one of ${attributionDimensions.join(', ')}`),
      input.by ?? 'network',
    );
    return this.query<{
      key: string;
      clicks: number;
      conversions: number;
      conversion_rate: number;
      expected_commission: number;
      actual_commission: number;
    }>(analyticsQueries.revenueAttribution(p, by));
  }

  /** Clicks, conversions and commission per day, week or month of the period (UTC). */
  async revenueOverTime(input: Period & { granularity?: Granularity }) {
    const p = validate(periodInput, input);
    const granularity = validate(
      z.enum(granularities, 'granularity must be day, week or month').default('day'),
      input.granularity,
    );
    const days = (p.to.getTime() - p.from.getTime()) / 86_400_000;
    if (days / bucketDays[granularity] > MAX_BUCKETS) {
      throw new ValidationError([
        {
          field: 'granularity',
          message: `the period holds more than ${MAX_BUCKETS} ${granularity}s: choose a coarser granularity or a shorter period`,
        },
      ]);
    }
    return this.query<{
      bucket: string;
      clicks: number;
      conversions: number;
      expected_commission: number;
      actual_commission: number;
    }>(analyticsQueries.revenueOverTime(p, granularity));
  }

  /** Views, affiliate clicks and click-through rate by list position and view source. */
  async clickThroughRate(input: Period) {
    return this.query<{
      view_source: string;
      view_position: number | null;
      views: number;
      clicks: number;
      ctr: number;
    }>(analyticsQueries.clickThroughRate(validate(periodInput, input)));
  }

  /** Sessions → sessions with product views → sessions with affiliate clicks → conversions. */
  async funnel(input: Period) {
    const [row] = await this.query<{
      sessions: number;
      sessions_with_views: number;
      sessions_with_clicks: number;
      conversions: number;
    }>(analyticsQueries.funnel(validate(periodInput, input)));
    return row;
  }

  /** The products that convert, get clicked and get viewed the most. */
  async productPopularity(input: Period & { limit?: number }) {
    return this.query<{
      product_id: string;
      title: string;
      views: number;
      engagements: number;
      clicks: number;
      conversions: number;
    }>(
      analyticsQueries.productPopularity(
        validate(periodInput, input),
        pageLimit(input.limit ?? 20),
      ),
    );
  }

  /** Duration, pages, bounce and conversion rates of the sessions that started in the period. */
  async sessionEngagement(input: Period) {
    const [row] = await this.query<{
      sessions: number;
      average_duration_seconds: number;
      average_pages: number;
      bounce_rate: number;
      conversion_rate: number;
      conversion_value: number;
    }>(analyticsQueries.sessionEngagement(validate(periodInput, input)));
    return row;
  }

  private query<Row>(statement: SQL): Promise<Row[]> {
    return this.run(
      async (tx) => {
        // A report is many small index scans: JIT compiling it (PostgreSQL's default, above a cost
        // long periods reach) would cost more than it saves, up to a second per report.
        await tx.execute(sql`SET LOCAL jit = off`);
        return queryRows<Row>(tx, statement);
      },
      { readOnly: true },
    );
  }
}
