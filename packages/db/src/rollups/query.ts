import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import {
  dirtyDaysTable,
  refreshedDaysTable,
  rollupTable,
  rollupTableColumns,
} from '../objects/rollups';
import { quoteIdent } from '../objects/sql-text';
import type { Grain, Rollup } from './declarations';

const DAY_MS = 86_400_000;

/**
 * The UTC days a period touches, each as the piece of it inside the period, whatever the
 * session's time zone. The LIMIT is the number of days, counted here: it tells the planner how
 * many pieces there are (it guesses 1000 rows for any generate_series, which makes every plan
 * look expensive enough to JIT-compile).
 */
const periodPieces = (from: Date, to: Date) => {
  const first = Math.floor(from.getTime() / DAY_MS);
  const days = Math.max(1, Math.ceil(to.getTime() / DAY_MS) - first + 1);
  const f = from.toISOString();
  const t = to.toISOString();
  return sql`
  SELECT d::date AS piece_day,
    greatest(d AT TIME ZONE 'UTC', ${f}::timestamptz) AS piece_from,
    least((d + interval '1 day') AT TIME ZONE 'UTC', ${t}::timestamptz) AS piece_to
  FROM generate_series(date_trunc('day', ${f}::timestamptz AT TIME ZONE 'UTC'),
    ${t}::timestamptz AT TIME ZONE 'UTC', interval '1 day') AS d
  LIMIT ${sql.raw(String(days))}`;
};

/**
 * Disjoint intervals (`piece_from`, `piece_to`) merged where one ends as the next begins, as the
 * ranges (`range_from`, `range_to`) to read raw: one index range scan per island, not per piece.
 */
const mergedRanges = (intervals: SQL) => sql`SELECT min(piece_from) AS range_from,
      max(piece_to) AS range_to
    FROM (SELECT piece_from, piece_to, count(*) FILTER (WHERE starts) OVER (
            ORDER BY piece_from ROWS UNBOUNDED PRECEDING) AS island
          FROM (SELECT piece_from, piece_to,
                  piece_from IS DISTINCT FROM lag(piece_to) OVER (ORDER BY piece_from) AS starts
                FROM (${intervals}) AS pieces_left) AS marked) AS islands
    GROUP BY island`;

/** A rollup's columns in table order — `day` (`hour`), the keys, the measures — as a SQL list. */
export const rollupColumns = (rollup: Rollup, grain: Grain = 'day'): SQL =>
  sql.raw(
    rollupTableColumns(rollup, grain)
      .map((c) => quoteIdent(c.name))
      .join(', '),
  );

/** The moment (timestamptz) an hour of a UTC day starts: rollup rows and marks name hours so. */
export const hourStart = (day: string, hour: string): SQL =>
  sql.raw(`(${day} + make_interval(hours => ${hour})) AT TIME ZONE 'UTC'`);

/**
 * True while no write has marked an hour of `day` (of `source`) before `through`: the rule by
 * which a refreshed day's rollup answers for [day, through). Queries and verification share it.
 */
export const unmarkedBefore = (source: SQL, day: SQL, through: SQL): SQL =>
  sql`NOT EXISTS (SELECT 1 FROM ${sql.raw(dirtyDaysTable)} m
    WHERE m.source = ${source} AND m.day = ${day}
      AND ${hourStart('m.day', 'm.hour')} < ${through})`;

/**
 * The source rows of `rollup` within each range of `ranges` (columns `range_from`, `range_to`),
 * summarised per UTC day (or hour) and key exactly as the rollup stores them: the refresh job writes this,
 * and queries read it for the days the rollup cannot answer for. LATERAL: one index range scan per
 * range with its bounds as parameters (reaching only the partitions they cover), never a plan
 * that reads the whole period and filters.
 */
export function rawRollupRows(
  rollup: Rollup,
  ranges: SQL,
  extraWhere?: SQL,
  grain: Grain = 'day',
): SQL {
  const source = getTableConfig(rollup.source).name;
  const day = `s.${quoteIdent(rollup.day)}`;
  const period = [
    `(${day} AT TIME ZONE 'UTC')::date AS day`,
    ...(grain === 'hour'
      ? [`pg_catalog.date_part('hour', ${day} AT TIME ZONE 'UTC')::integer AS hour`]
      : []),
  ];
  const columns = [
    ...period,
    ...rollup.keys.map((k) => `${k.expression} AS ${quoteIdent(k.name)}`),
    ...rollup.measures.map((m) => `${m.expression} AS ${quoteIdent(m.name)}`),
  ];
  const groupBy = [...period, ...rollup.keys].map((_, i) => String(i + 1)).join(', ');
  return sql`SELECT a.* FROM (${ranges}) AS r
    CROSS JOIN LATERAL (
      SELECT ${sql.raw(columns.join(', '))}
      FROM public.${sql.raw(quoteIdent(source))} AS s
      WHERE ${sql.raw(day)} >= r.range_from AND ${sql.raw(day)} < r.range_to
        AND ${sql.raw(rollup.where ?? 'true')}${extraWhere ? sql` AND ${extraWhere}` : sql``}
      GROUP BY ${sql.raw(groupBy)}) AS a`;
}

/**
 * A rollup's rows for a period, exact at every moment: days the rollup holds and no write has
 * touched since come from it (today up to the hour of its last refresh); for the other pieces (a
 * period's ragged start and end, a day written to since its refresh, a day never refreshed), an
 * hourly rollup answers for the whole hours it holds unmarked, and everything else (the current
 * hour, a piece of an hour, a rollup without hours) is summarised from the raw rows in the same
 * statement, so in the same snapshot. Consecutive raw pieces are read as one range.
 * A daily-only rollup with measures answers for most of a refreshed day as the day's rows minus
 * the raw rows of the rest of it, so a key can sum to nothing (all its rows fell outside the
 * period): drop those after summing.
 * Columns: `day`, the keys, the measures — combine them with `sum` (or `count(DISTINCT key)` for
 * a rollup without measures). Filters, each applied in every branch so that the rollup tables'
 * declared indexes serve them: `keys` (a rollup of one key) keeps the rows of the keys a subquery
 * returns, filtering the raw rows too before they are summed (the source's index on the key then
 * serves them); `where` (over the columns) keeps the rows it holds for, and must keep sums exact
 * (a measure being non-zero: subtracted rows are negative); `sourceWhere` (over the source's
 * columns) keeps only the raw rows it holds for before they are summed (a partial index of the
 * source's on the same condition then serves them), so only the measures it leaves exact may
 * be read (the clicks that converted: conversions, not clicks).
 */
export function rollupRows(
  rollup: Rollup,
  period: { from: Date; to: Date },
  { where, keys, sourceWhere }: { where?: SQL; keys?: SQL; sourceWhere?: SQL } = {},
): SQL {
  const [key, ...moreKeys] = rollup.keys;
  if (keys && (!key || moreKeys.length > 0)) {
    throw new Error(`${rollup.name}: a keys filter needs a rollup of one key`);
  }
  const storedFilter = [
    ...(where ? [where] : []),
    ...(keys && key ? [sql`${sql.raw(quoteIdent(key.name))} IN (${keys})`] : []),
  ];
  const filtered = (rows: SQL, filters: SQL[]) =>
    filters.length > 0
      ? sql`SELECT * FROM (${rows}) AS kept WHERE ${sql.join(filters, sql` AND `)}`
      : rows;
  const kept = (rows: SQL) => filtered(rows, storedFilter);
  // Raw rows are summed after `keys` and `sourceWhere` picked them, and kept after by `where`.
  const keptRaw = (rows: SQL) => filtered(rows, where ? [where] : []);
  const rawFilter = sql.join([
    ...(keys && key ? [sql` AND ${sql.raw(key.expression)} IN (${keys})`] : []),
    ...(sourceWhere ? [sql` AND ${sourceWhere}`] : []),
  ]);
  const unionAll = (arms: SQL[]) =>
    sql.join(
      arms,
      sql`
    UNION ALL
    `,
    );
  const source = getTableConfig(rollup.source).name;
  const day = sql.raw(`s.${quoteIdent(rollup.day)}`);
  const columns = rollupColumns(rollup);
  // A piece that starts at its midnight can take the day's rollup when the rollup reaches no
  // further than the piece and no write has marked an hour before the rollup's end; the rest of
  // the piece (today: from the hour of the last refresh) is read raw.
  const served = sql`SELECT p.piece_day, r.through FROM pieces p
      JOIN ${sql.raw(refreshedDaysTable)} r ON r.source = ${source} AND r.day = p.piece_day
      WHERE p.piece_from = p.piece_day::timestamp AT TIME ZONE 'UTC' AND r.through <= p.piece_to
        AND ${unmarkedBefore(sql`${source}`, sql`p.piece_day`, sql`r.through`)}`;
  const afterServed = sql`SELECT s.through, p.piece_to FROM served s JOIN pieces p USING (piece_day)
      WHERE s.through < p.piece_to`;
  const raw = (ranges: SQL) =>
    rawRollupRows(
      rollup,
      ranges,
      // The period itself, as constants: the planner prunes partitions outside it at plan time.
      sql`${day} >= ${period.from.toISOString()}::timestamptz AND ${day} < ${period.to.toISOString()}::timestamptz${rawFilter}`,
    );
  const daily = kept(sql`SELECT ${columns} FROM ${sql.raw(rollupTable(rollup))}
      WHERE day IN (SELECT piece_day FROM served)`);
  if (!rollup.hourly) {
    // A piece covering most of a day whose rollup answers for all of it (a period's ragged first
    // or last day): the day's rows minus the raw rows of the rest of the day, the shorter read.
    // Measures add up, so they subtract; a rollup of distinct keys has none and reads raw.
    const subtracted = rollup.measures.length
      ? sql`SELECT p.piece_day, p.piece_from, p.piece_to,
          p.piece_day::timestamp AT TIME ZONE 'UTC' AS day_from, r.through AS day_to
        FROM pieces p
        JOIN ${sql.raw(refreshedDaysTable)} r ON r.source = ${source} AND r.day = p.piece_day
        WHERE p.piece_day NOT IN (SELECT piece_day FROM served)
          AND r.through = (p.piece_day + 1)::timestamp AT TIME ZONE 'UTC'
          AND p.piece_to - p.piece_from > interval '12 hours'
          AND ${unmarkedBefore(sql`${source}`, sql`p.piece_day`, sql`r.through`)}`
      : sql`SELECT NULL::date AS piece_day, NULL::timestamptz AS piece_from,
          NULL::timestamptz AS piece_to, NULL::timestamptz AS day_from,
          NULL::timestamptz AS day_to WHERE false`;
    const negated = [
      'day',
      ...rollup.keys.map((k) => quoteIdent(k.name)),
      ...rollup.measures.map((m) => `-${quoteIdent(m.name)} AS ${quoteIdent(m.name)}`),
    ].join(', ');
    const dayBounds = (d: Date, end: boolean) =>
      new Date((Math.floor(d.getTime() / DAY_MS) + (end ? 1 : 0)) * DAY_MS).toISOString();
    const rest = rawRollupRows(
      rollup,
      sql`SELECT day_from AS range_from, piece_from AS range_to FROM subtracted
        UNION ALL SELECT piece_to, day_to FROM subtracted`,
      // The days the period touches, as constants: partitions pruned at plan time.
      sql`${day} >= ${dayBounds(period.from, false)}::timestamptz AND ${day} < ${dayBounds(period.to, true)}::timestamptz${rawFilter}`,
    );
    // Islands of consecutive pieces the rollup cannot answer for, and what follows the rollup's
    // end in a piece it answers for.
    return sql`WITH pieces AS MATERIALIZED (${periodPieces(period.from, period.to)}),
    served AS MATERIALIZED (${served}),
    subtracted AS MATERIALIZED (${subtracted})
    ${unionAll([
      daily,
      kept(sql`SELECT ${columns} FROM ${sql.raw(rollupTable(rollup))}
      WHERE day IN (SELECT piece_day FROM subtracted)`),
      keptRaw(sql`SELECT ${sql.raw(negated)} FROM (${rest}) AS rest`),
      keptRaw(
        raw(sql`${mergedRanges(sql`SELECT piece_from, piece_to FROM pieces
        WHERE piece_from < piece_to
          AND piece_day NOT IN (SELECT piece_day FROM served)
          AND piece_day NOT IN (SELECT piece_day FROM subtracted)`)}
    UNION ALL ${afterServed}`),
      ),
    ])}`;
  }
  // The pieces the days cannot answer for, cut at the hours where the day has hourly rows (a
  // day never refreshed has none: it stays one piece, read raw, so a period of years the
  // rollups never reached costs its days, not 24 rows each); a whole hour before its day's
  // rollup end that no write has marked since comes from the hourly rollup.
  const hourlyDay = (day: SQL) => sql`EXISTS (SELECT 1 FROM ${sql.raw(refreshedDaysTable)} r
        WHERE r.source = ${source} AND r.day = ${day} AND r.hourly)`;
  const hours = sql`SELECT p.piece_day, h.hour, h.hour_from,
        greatest(p.piece_from, h.hour_from) AS piece_from,
        least(p.piece_to, h.hour_from + interval '1 hour') AS piece_to
      FROM pieces p
      CROSS JOIN LATERAL (SELECT g AS hour, ${hourStart('p.piece_day', 'g')} AS hour_from
        FROM generate_series(0, 23) AS g) AS h
      WHERE p.piece_day NOT IN (SELECT piece_day FROM served) AND ${hourlyDay(sql`p.piece_day`)}
        AND h.hour_from < p.piece_to AND h.hour_from + interval '1 hour' > p.piece_from`;
  const servedHours = sql`SELECT h.piece_day, h.hour FROM hours h
      JOIN ${sql.raw(refreshedDaysTable)} r ON r.source = ${source} AND r.day = h.piece_day
      WHERE r.hourly AND h.piece_from = h.hour_from AND h.piece_to = h.hour_from + interval '1 hour'
        AND h.piece_to <= r.through
        AND NOT EXISTS (SELECT 1 FROM ${sql.raw(dirtyDaysTable)} m
          WHERE m.source = ${source} AND m.day = h.piece_day AND m.hour = h.hour)`;
  // What is left: the hours no hourly row answers for and the days without hourly rows.
  const leftOver = sql`SELECT h.piece_from, h.piece_to FROM hours h
      WHERE h.piece_from < h.piece_to AND NOT EXISTS (SELECT 1 FROM served_hours x
        WHERE x.piece_day = h.piece_day AND x.hour = h.hour)
    UNION ALL
    SELECT p.piece_from, p.piece_to FROM pieces p
      WHERE p.piece_from < p.piece_to AND p.piece_day NOT IN (SELECT piece_day FROM served)
        AND NOT ${hourlyDay(sql`p.piece_day`)}`;
  return sql`WITH pieces AS MATERIALIZED (${periodPieces(period.from, period.to)}),
    served AS MATERIALIZED (${served}),
    hours AS MATERIALIZED (${hours}),
    served_hours AS MATERIALIZED (${servedHours})
    ${unionAll([
      daily,
      kept(sql`SELECT ${columns} FROM ${sql.raw(rollupTable(rollup, 'hour'))}
      WHERE (day, hour) IN (SELECT piece_day, hour FROM served_hours)`),
      keptRaw(
        raw(sql`${mergedRanges(leftOver)}
    UNION ALL ${afterServed}`),
      ),
    ])}`;
}
