import { queryRows } from '@aclue/db';
import { interactionTypes, viewSources } from '@aclue/db/schema';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ValidationError, validate } from './errors';
import type { Runner } from './scope';

/** A reporting period: `from` before `to` (ISO times or dates). */
export const periodInput = z
  .object({
    from: z.coerce.date('from must be a date or time (ISO 8601, e.g. 2026-11-01)'),
    to: z.coerce.date('to must be a date or time (ISO 8601, e.g. 2026-11-30)'),
  })
  .refine((p) => p.from < p.to, { message: 'from must be before to', path: ['from'] });
export type Period = z.input<typeof periodInput>;

const attributionDimensions = {
  network: sql`affiliate_network`,
  sourcePage: sql`source_page`,
  device: sql`coalesce(device_type, 'unknown')`,
  campaign: sql`coalesce(utm_campaign, '(none)')`,
} as const;
export type AttributionDimension = keyof typeof attributionDimensions;

export const granularities = ['day', 'week', 'month'] as const;
export type Granularity = (typeof granularities)[number];
/** A time series holds at most this many buckets: choose a coarser granularity beyond. */
const MAX_BUCKETS = 1000;
const bucketDays: Record<Granularity, number> = { day: 1, week: 7, month: 28 };

const literalList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}::text`),
    sql`, `,
  );

/**
 * The analytics queries as SQL, one per report, each written so the schema's indexes serve it:
 * period filters lead with an indexed column (`view_source = ANY(all sources)` lets the
 * (view_source, view_timestamp) index serve a period on PostgreSQL 15, which has no skip scan).
 */
export const analyticsQueries = {
  revenueAttribution: (p: { from: Date; to: Date }, by: AttributionDimension) => sql`
    SELECT ${attributionDimensions[by]} AS key,
      count(*)::int AS clicks,
      (count(*) FILTER (WHERE is_converted))::int AS conversions,
      round((count(*) FILTER (WHERE is_converted))::numeric / count(*), 4)::float8 AS conversion_rate,
      coalesce(sum(expected_commission), 0)::float8 AS expected_commission,
      coalesce(sum(actual_commission), 0)::float8 AS actual_commission
    FROM affiliate_clicks
    WHERE click_timestamp >= ${p.from.toISOString()} AND click_timestamp < ${p.to.toISOString()}
    GROUP BY 1 ORDER BY actual_commission DESC, clicks DESC`,

  clickThroughRate: (p: { from: Date; to: Date }) => sql`
    SELECT view_source, view_position,
      count(*)::int AS views,
      (count(*) FILTER (WHERE has_clicked_affiliate))::int AS clicks,
      round((count(*) FILTER (WHERE has_clicked_affiliate))::numeric / count(*), 4)::float8 AS ctr
    FROM product_views
    WHERE view_source = ANY(ARRAY[${literalList(viewSources)}])
      AND view_timestamp >= ${p.from.toISOString()} AND view_timestamp < ${p.to.toISOString()}
    GROUP BY view_source, view_position ORDER BY view_source, view_position`,

  funnel: (p: { from: Date; to: Date }) => sql`
    SELECT
      (SELECT count(*) FROM session_analytics
        WHERE started_at >= ${p.from.toISOString()} AND started_at < ${p.to.toISOString()})::int AS sessions,
      (SELECT count(DISTINCT session_id) FROM product_views
        WHERE interaction_type = ANY(ARRAY[${literalList(interactionTypes)}])
          AND view_timestamp >= ${p.from.toISOString()} AND view_timestamp < ${p.to.toISOString()})::int AS sessions_with_views,
      (SELECT count(DISTINCT session_id) FROM affiliate_clicks
        WHERE click_timestamp >= ${p.from.toISOString()} AND click_timestamp < ${p.to.toISOString()})::int AS sessions_with_clicks,
      (SELECT count(*) FROM affiliate_clicks WHERE is_converted = true
        AND conversion_timestamp >= ${p.from.toISOString()} AND conversion_timestamp < ${p.to.toISOString()})::int AS conversions`,

  productPopularity: (p: { from: Date; to: Date }, limit: number) => sql`
    WITH views AS (
      SELECT product_id, count(*)::int AS views,
        (count(*) FILTER (WHERE interaction_type <> 'impression'))::int AS engagements
      FROM product_views
      WHERE interaction_type = ANY(ARRAY[${literalList(interactionTypes)}])
        AND view_timestamp >= ${p.from.toISOString()} AND view_timestamp < ${p.to.toISOString()}
      GROUP BY product_id),
    clicks AS (
      SELECT product_id, count(*)::int AS clicks,
        (count(*) FILTER (WHERE is_converted))::int AS conversions
      FROM affiliate_clicks
      WHERE click_timestamp >= ${p.from.toISOString()} AND click_timestamp < ${p.to.toISOString()}
        AND product_id IS NOT NULL
      GROUP BY product_id)
    SELECT p.id AS product_id, p.title, coalesce(v.views, 0) AS views,
      coalesce(v.engagements, 0) AS engagements, coalesce(c.clicks, 0) AS clicks,
      coalesce(c.conversions, 0) AS conversions
    FROM views v FULL JOIN clicks c ON c.product_id = v.product_id
    JOIN products p ON p.id = coalesce(v.product_id, c.product_id)
    ORDER BY coalesce(c.conversions, 0) DESC, coalesce(c.clicks, 0) DESC, coalesce(v.views, 0) DESC
    LIMIT ${limit}`,

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
      SELECT date_trunc(${granularity}, click_timestamp AT TIME ZONE 'UTC') AS bucket,
        count(*)::int AS clicks,
        (count(*) FILTER (WHERE is_converted))::int AS conversions,
        coalesce(sum(expected_commission), 0)::float8 AS expected_commission,
        coalesce(sum(actual_commission), 0)::float8 AS actual_commission
      FROM affiliate_clicks
      WHERE click_timestamp >= ${p.from.toISOString()} AND click_timestamp < ${p.to.toISOString()}
      GROUP BY 1)
    SELECT to_char(b.bucket, 'YYYY-MM-DD') AS bucket, coalesce(c.clicks, 0) AS clicks,
      coalesce(c.conversions, 0) AS conversions,
      coalesce(c.expected_commission, 0) AS expected_commission,
      coalesce(c.actual_commission, 0) AS actual_commission
    FROM buckets b LEFT JOIN clicks c USING (bucket) ORDER BY b.bucket`,

  sessionEngagement: (p: { from: Date; to: Date }) => sql`
    SELECT count(*)::int AS sessions,
      coalesce(round(avg(duration_seconds)), 0)::int AS average_duration_seconds,
      coalesce(round(avg(pages_viewed), 2), 0)::float8 AS average_pages,
      coalesce(round(avg(is_bounce::int), 4), 0)::float8 AS bounce_rate,
      coalesce(round(avg(has_converted::int), 4), 0)::float8 AS conversion_rate,
      coalesce(sum(conversion_value), 0)::float8 AS conversion_value
    FROM session_analytics
    WHERE started_at >= ${p.from.toISOString()} AND started_at < ${p.to.toISOString()}`,
} satisfies Record<string, (...args: never[]) => SQL>;

/** Business analytics over a period (service role). */
export class AnalyticsRepository {
  constructor(private readonly run: Runner) {}

  /** Clicks, conversions, conversion rate, expected vs actual commission by one dimension. */
  async revenueAttribution(input: Period & { by?: AttributionDimension }) {
    const p = validate(periodInput, input);
    const by = validate(
      z.enum(
        Object.keys(attributionDimensions) as [AttributionDimension],
        `by must be one of ${Object.keys(attributionDimensions).join(', ')}`,
      ),
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
    }>(analyticsQueries.productPopularity(validate(periodInput, input), input.limit ?? 20));
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
    return this.run((tx) => queryRows<Row>(tx, statement));
  }
}
