import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { literal } from '../objects/sql-text';
import { affiliateClicks } from '../schema/affiliate-clicks';
import { interactionTypes, productViews, viewSources } from '../schema/product-views';
import { sessionAnalytics } from '../schema/session-analytics';

/**
 * Where rollups live: a schema the API does not expose. The service role reads it (analytics);
 * anon and authenticated have no USAGE; only the owner writes (the refresh job, and the triggers
 * marking days dirty, which run as their owner).
 */
export const rollupSchema = 'aclue_rollups';

/** One column of a rollup: its SQL name, type, and the expression over the source's rows. */
export interface RollupColumn {
  name: string;
  type: string;
  expression: string;
}

/**
 * A daily summary of one source table: for each UTC day of the `day` column, one row per value of
 * `keys`, holding `measures`. Every measure is additive (counts and sums), so days combine by
 * `sum`, and raw rows of the days a rollup cannot answer for combine with it the same way. A
 * rollup with keys and no measures holds the distinct keys of each day (`count(DISTINCT …)` over
 * days stays exact, at the cost of one row per key and day).
 */
export interface Rollup {
  /** Its table in `aclue_rollups`. */
  name: string;
  /** The table it summarises (in `public`). */
  source: PgTable;
  /** The event-time column whose UTC day a row counts under. */
  day: string;
  /** Which source rows count (SQL over the source's columns). */
  where?: string;
  keys: readonly RollupColumn[];
  measures: readonly RollupColumn[];
  /**
   * Also kept per UTC hour: a period's ragged first and last days, and a day written to since its
   * refresh, then read whole hours from here and only the rest of an hour raw. Worth it where an
   * hour holds far fewer keys than rows (not per product: nearly every view is its own
   * product-hour).
   */
  hourly?: boolean;
  /**
   * For an hourly rollup of one key and no measures (the distinct sessions of each hour): each
   * hour's keys are also counted by the hour each was last seen before it, so the distinct keys of
   * a period are the keys of its hours last seen before the period began — O(hours) rows, not one
   * per key (see `distinctKeys`).
   */
  firsts?: boolean;
  /**
   * Indexes a report reads the daily table by, besides `day` (every rollup has that one): `on`
   * the columns, `include` more for an index-only scan, `where` for a partial index.
   */
  indexes?: readonly RollupIndex[];
}

/** An index of a daily rollup table, named `<table>_<name>`. */
export interface RollupIndex {
  name: string;
  on: readonly string[];
  include?: readonly string[];
  where?: string;
}

/**
 * The same rollup reading only the named measures: every read of it then selects no other
 * column, so a covering index (one that includes just those) serves it without the heap.
 */
export function withMeasures(rollup: Rollup, names: readonly string[]): Rollup {
  const unknown = names.filter((n) => !rollup.measures.some((m) => m.name === n));
  if (unknown.length > 0) throw new Error(`${rollup.name} has no measure ${unknown.join(', ')}`);
  return { ...rollup, measures: rollup.measures.filter((m) => names.includes(m.name)) };
}

/** The grains a rollup is stored at: `day` always, `hour` where declared. */
export type Grain = 'day' | 'hour';
export const grainsOf = (rollup: Rollup): readonly Grain[] =>
  rollup.hourly ? ['day', 'hour'] : ['day'];

/** A rollup's tables: one per grain, and the hourly keys' `firsts` where declared. */
export type RollupTableKind = Grain | 'firsts';
export const tableKindsOf = (rollup: Rollup): readonly RollupTableKind[] => [
  ...grainsOf(rollup),
  ...(rollup.firsts ? (['firsts'] as const) : []),
];

/** A rollup's table name: `…_daily`, its `…_hourly` twin and its `…_firsts`. */
export const rollupTableName = (rollup: Rollup, kind: RollupTableKind = 'day') =>
  kind === 'day'
    ? rollup.name
    : rollup.name.replace(/_daily$/, kind === 'hour' ? '_hourly' : '_firsts');

const sqlList = (values: readonly string[]) => `ARRAY[${values.map(literal).join(', ')}]::text[]`;

const clickMeasures: readonly RollupColumn[] = [
  { name: 'clicks', type: 'bigint', expression: 'count(*)' },
  { name: 'conversions', type: 'bigint', expression: 'count(*) FILTER (WHERE is_converted)' },
  {
    name: 'expected_commission',
    type: 'numeric',
    expression: 'coalesce(sum(expected_commission), 0)',
  },
  { name: 'actual_commission', type: 'numeric', expression: 'coalesce(sum(actual_commission), 0)' },
];

/**
 * The clicks that count towards conversions, as the per-product click rollup's rows (`stored`)
 * and as source rows (`source`): popularity sums only those to set its bar, each through a
 * partial index on the same condition (the rollup's below, `affiliate_clicks`' converted clicks
 * by click time); a condition must match its index's for the index to serve.
 */
export const convertingRows = { stored: 'conversions <> 0', source: 'is_converted = true' };

/** The dimensions revenue is attributed by, each a rollup keyed by `key`. */
export const clickDimensions = {
  network: { type: 'text', expression: 'affiliate_network', hourly: true },
  sourcePage: { type: 'text', expression: 'source_page', hourly: true },
  device: { type: 'text', expression: "coalesce(device_type, 'unknown')", hourly: true },
  campaign: { type: 'text', expression: "coalesce(utm_campaign, '(none)')", hourly: true },
  product: {
    type: 'uuid',
    expression: 'product_id',
    where: 'product_id IS NOT NULL',
    hourly: false,
    // Popularity ranks products by conversions first: it sums the rows that have some (one click
    // in twenty converts), then reads clicks and views of the few products that can rank.
    indexes: [
      {
        name: 'converting',
        on: ['day'],
        include: ['key', 'conversions'],
        where: convertingRows.stored,
      },
      { name: 'key', on: ['key', 'day'] },
    ],
  },
} as const satisfies Record<
  string,
  {
    type: string;
    expression: string;
    where?: string;
    hourly: boolean;
    indexes?: readonly RollupIndex[];
  }
>;
export type ClickDimension = keyof typeof clickDimensions;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Clicks, conversions and commission per day of the click, by each dimension. */
export const clickRollups = Object.fromEntries(
  Object.entries(clickDimensions).map(([dimension, key]): [string, Rollup] => [
    dimension,
    {
      name: `affiliate_clicks_by_${snake(dimension)}_daily`,
      source: affiliateClicks,
      day: 'click_timestamp',
      ...('where' in key ? { where: key.where } : {}),
      hourly: key.hourly,
      ...('indexes' in key ? { indexes: key.indexes } : {}),
      keys: [{ name: 'key', type: key.type, expression: key.expression }],
      measures: clickMeasures,
    },
  ]),
) as Record<ClickDimension, Rollup>;

/** Conversions per day of the conversion (the funnel's last step). */
export const conversionRollup: Rollup = {
  name: 'affiliate_conversions_daily',
  source: affiliateClicks,
  day: 'conversion_timestamp',
  where: 'is_converted = true',
  keys: [],
  measures: [{ name: 'conversions', type: 'bigint', expression: 'count(*)' }],
  hourly: true,
};

/** The sessions that clicked, per day (the funnel counts them distinct over the period). */
export const clickSessionRollup: Rollup = {
  name: 'affiliate_clicks_sessions_daily',
  source: affiliateClicks,
  day: 'click_timestamp',
  keys: [{ name: 'session_id', type: 'text', expression: 'session_id' }],
  measures: [],
  hourly: true,
  firsts: true,
};

// `= ANY(every value)` lets the (view_source | interaction_type, view_timestamp) indexes serve a
// time range on PostgreSQL 15, which has no skip scan.
const everySource = `view_source = ANY(${sqlList(viewSources)})`;
const everyInteraction = `interaction_type = ANY(${sqlList(interactionTypes)})`;

/** Views and affiliate clicks by list position and view source (click-through rate). */
export const viewPositionRollup: Rollup = {
  name: 'product_views_by_position_daily',
  source: productViews,
  day: 'view_timestamp',
  where: everySource,
  hourly: true,
  keys: [
    { name: 'view_source', type: 'text', expression: 'view_source' },
    { name: 'view_position', type: 'integer', expression: 'view_position' },
  ],
  measures: [
    { name: 'views', type: 'bigint', expression: 'count(*)' },
    { name: 'clicks', type: 'bigint', expression: 'count(*) FILTER (WHERE has_clicked_affiliate)' },
  ],
};

/** Views and engagements (anything but an impression) per product. */
export const viewProductRollup: Rollup = {
  name: 'product_views_by_product_daily',
  source: productViews,
  day: 'view_timestamp',
  where: everyInteraction,
  // Popularity reads the views of its few ranking products.
  indexes: [{ name: 'product', on: ['product_id', 'day'] }],
  keys: [{ name: 'product_id', type: 'uuid', expression: 'product_id' }],
  measures: [
    { name: 'views', type: 'bigint', expression: 'count(*)' },
    {
      name: 'engagements',
      type: 'bigint',
      expression: "count(*) FILTER (WHERE interaction_type <> 'impression')",
    },
  ],
};

/** The sessions that viewed products, per day. */
export const viewSessionRollup: Rollup = {
  name: 'product_views_sessions_daily',
  source: productViews,
  day: 'view_timestamp',
  where: everyInteraction,
  // A session views many products within an hour: ten views or so per session-hour.
  hourly: true,
  firsts: true,
  keys: [{ name: 'session_id', type: 'text', expression: 'session_id' }],
  measures: [],
};

/** Sessions by the day they started, with the sums their averages and rates are made of. */
export const sessionRollup: Rollup = {
  name: 'session_analytics_daily',
  source: sessionAnalytics,
  day: 'started_at',
  hourly: true,
  keys: [],
  measures: [
    { name: 'sessions', type: 'bigint', expression: 'count(*)' },
    { name: 'timed_sessions', type: 'bigint', expression: 'count(duration_seconds)' },
    {
      name: 'duration_seconds',
      type: 'bigint',
      expression: 'coalesce(sum(duration_seconds), 0)',
    },
    { name: 'pages_viewed', type: 'bigint', expression: 'coalesce(sum(pages_viewed), 0)' },
    { name: 'bounces', type: 'bigint', expression: 'count(*) FILTER (WHERE is_bounce)' },
    { name: 'conversions', type: 'bigint', expression: 'count(*) FILTER (WHERE has_converted)' },
    {
      name: 'conversion_value',
      type: 'numeric',
      expression: 'coalesce(sum(conversion_value), 0)',
    },
  ],
};

/** Every rollup, in refresh order. */
export const rollups: readonly Rollup[] = [
  ...Object.values(clickRollups),
  conversionRollup,
  clickSessionRollup,
  viewPositionRollup,
  viewProductRollup,
  viewSessionRollup,
  sessionRollup,
];

/** A table rollups summarise: a write to it marks the UTC days of its `dayColumns` dirty. */
export interface RollupSource {
  /** Its SQL name in `public`. */
  table: string;
  dayColumns: readonly string[];
  rollups: readonly Rollup[];
}

/** The source tables, derived from the rollups. */
export const rollupSources: readonly RollupSource[] = [
  ...new Set(rollups.map((r) => r.source)),
].map((source) => {
  const own = rollups.filter((r) => r.source === source);
  return {
    table: getTableConfig(source).name,
    dayColumns: [...new Set(own.map((r) => r.day))],
    rollups: own,
  };
});

export const sourceOf = (rollup: Rollup): RollupSource =>
  rollupSources.find((s) => s.rollups.includes(rollup)) as RollupSource;
