import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { dirtyDaysTable, refreshedDaysTable, rollupTable } from '../objects/rollups';
import { quoteIdent } from '../objects/sql-text';
import type { Rollup } from './declarations';
import { hourStart, rawRollupRows, rollupRows } from './query';

// Distinct keys over a period (the funnel's sessions), from the hourly rollups' `firsts`.

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The one key of a `firsts` rollup (declared with one key and no measures). */
export const firstsKey = (rollup: Rollup) => {
  const [key, ...more] = rollup.keys;
  if (!(rollup.firsts && rollup.hourly && key && more.length === 0 && !rollup.measures.length)) {
    throw new Error(`${rollup.name}: firsts need an hourly rollup of one key and no measures`);
  }
  return sql.raw(quoteIdent(key.name));
};

/**
 * What a `firsts` table holds for the hours `hours` (columns `day`, `hour`), from the hourly
 * rollup: each hour's keys counted by the hour each was last seen before (null: never). The
 * refresh job writes this; verification compares it with what is stored.
 */
export function firstsRows(rollup: Rollup, hours: SQL): SQL {
  const key = firstsKey(rollup);
  const hourly = sql.raw(rollupTable(rollup, 'hour'));
  return sql`SELECT h.day, h.hour, p.previous_hour, count(*)::bigint AS keys_seen
    FROM ${hourly} h
    LEFT JOIN LATERAL (
      SELECT ${hourStart('x.day', 'x.hour')} AS previous_hour
      FROM ${hourly} x WHERE x.${key} = h.${key} AND (x.day, x.hour) < (h.day, h.hour)
      ORDER BY x.day DESC, x.hour DESC LIMIT 1) AS p ON true
    WHERE (h.day, h.hour) IN (${hours})
    GROUP BY 1, 2, 3`;
}

/**
 * How many distinct keys (sessions) a rollup of one key and no measures saw in a period, exact at
 * every moment. With `firsts`: the period's whole hours from its first one up to the first hour
 * the rollups cannot answer for form a block; a key counts in the block at the hour it was last
 * seen before the block began — one `firsts` row per hour and previous hour, O(hours) — and the
 * keys of the rest (the piece of an hour before the block, what follows it: the hours since the
 * last refresh) are read raw and count when the block's hourly rows do not hold them. When the
 * block is empty or more than a day of the past follows it (a late write to an hour of the last
 * day moves the block's end back until the next refresh), every key is counted from `rollupRows`.
 */
export function distinctKeys(rollup: Rollup, period: { from: Date; to: Date }): SQL {
  const every = sql`SELECT count(*) FROM (SELECT DISTINCT ${sql.raw(quoteIdent(rollup.keys[0]?.name ?? ''))}
      FROM (${rollupRows(rollup, period)}) AS r) AS d`;
  const first = Math.ceil(period.from.getTime() / HOUR_MS) * HOUR_MS;
  const last = Math.floor(period.to.getTime() / HOUR_MS) * HOUR_MS;
  if (!rollup.firsts || first >= last) return every;
  const key = firstsKey(rollup);
  const source = getTableConfig(rollup.source).name;
  const day = sql.raw(`s.${quoteIdent(rollup.day)}`);
  const from = sql`${period.from.toISOString()}::timestamptz`;
  const to = sql`${period.to.toISOString()}::timestamptz`;
  const blockFrom = sql`${new Date(first).toISOString()}::timestamptz`;
  const outsideRanges = sql`SELECT ${from} AS range_from, ${blockFrom} AS range_to
    UNION ALL SELECT block_to, ${to} FROM block`;
  // The block's days, each as the whole hours of it inside [first, last): the block ends at the
  // first hour a day cannot answer for — all of a day without hourly rows, the hours from its
  // rollup's end on, an hour a write has marked since. Per day, not per hour, so a period of
  // years costs its days.
  const days = Math.ceil(last / DAY_MS) - Math.floor(first / DAY_MS);
  const lastHour = sql`${new Date(last).toISOString()}::timestamptz`;
  return sql`WITH block_days AS MATERIALIZED (
      SELECT d::date AS day, greatest(d AT TIME ZONE 'UTC', ${blockFrom}) AS day_from,
        least((d + interval '1 day') AT TIME ZONE 'UTC', ${lastHour}) AS day_to
      FROM generate_series((${blockFrom} AT TIME ZONE 'UTC')::date,
        (${lastHour} - interval '1 hour') AT TIME ZONE 'UTC', interval '1 day') AS d
      LIMIT ${sql.raw(String(days))}),
    block AS MATERIALIZED (
      SELECT coalesce(min(unanswered), ${lastHour}) AS block_to FROM (
        SELECT CASE WHEN r.hourly IS NOT TRUE THEN w.day_from ELSE least(
            CASE WHEN date_trunc('hour', r.through AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' < w.day_to
              THEN greatest(w.day_from,
                date_trunc('hour', r.through AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') END,
            (SELECT min(${hourStart('m.day', 'm.hour')}) FROM ${sql.raw(dirtyDaysTable)} m
              WHERE m.source = ${source} AND m.day = w.day
                AND ${hourStart('m.day', 'm.hour')} >= w.day_from
                AND ${hourStart('m.day', 'm.hour')} < w.day_to)) END AS unanswered
        FROM block_days w
        LEFT JOIN ${sql.raw(refreshedDaysTable)} r ON r.source = ${source} AND r.day = w.day) AS d),
    outside AS MATERIALIZED (
      SELECT DISTINCT r.${key} AS key FROM (${rawRollupRows(
        rollup,
        outsideRanges,
        sql`${day} >= ${from} AND ${day} < ${to}`,
      )}) AS r)
    SELECT CASE
      WHEN (SELECT block_to FROM block) > ${blockFrom}
        AND least(${to}, pg_catalog.statement_timestamp()) - (SELECT block_to FROM block)
          <= interval '1 day'
      THEN (SELECT coalesce(sum(f.keys_seen), 0) FROM ${sql.raw(rollupTable(rollup, 'firsts'))} f
              WHERE f.day BETWEEN ${utcDate(first)}::date AND ${utcDate(last - HOUR_MS)}::date
                AND ${hourStart('f.day', 'f.hour')} >= ${blockFrom}
                AND ${hourStart('f.day', 'f.hour')} < (SELECT block_to FROM block)
                AND (f.previous_hour IS NULL OR f.previous_hour < ${blockFrom}))
        -- One index probe per key outside (a subquery, not an anti-join that would hash the
        -- block's every row).
        + (SELECT count(*) FILTER (WHERE (
              SELECT 1 FROM ${sql.raw(rollupTable(rollup, 'hour'))} x
              WHERE x.${key} = o.key
                AND x.day BETWEEN (${blockFrom} AT TIME ZONE 'UTC')::date
                  AND ((b.block_to - interval '1 hour') AT TIME ZONE 'UTC')::date
                AND x.day + make_interval(hours => x.hour) >= ${blockFrom} AT TIME ZONE 'UTC'
                AND x.day + make_interval(hours => x.hour) < b.block_to AT TIME ZONE 'UTC'
              LIMIT 1) IS NULL)
            FROM outside o, block b)
      ELSE (${every}) END AS keys`;
}
