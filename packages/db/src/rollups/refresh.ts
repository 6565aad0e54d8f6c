import { type SQL, sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from '../client';
import { dirtyDaysTable, refreshedDaysTable, rollupTable } from '../objects/rollups';
import { quoteIdent } from '../objects/sql-text';
import { grainsOf, type Rollup, type RollupSource, rollupSources } from './declarations';
import { rawRollupRows, rollupColumns } from './query';

/** The advisory lock class a refresh takes per source: two refresh jobs take turns. */
export const ROLLUP_LOCK_CLASS = 73460113;

export interface RefreshRollupsOptions {
  /** Hours before this one's are refreshed (default now: the current hour stays raw, it is still written). */
  before?: Date;
  /** Days recomputed per transaction (default 31). */
  batchDays?: number;
  /** How long to wait for writes that were in flight when a batch began (default 10 s). */
  waitMs?: number;
}

export interface RollupRefresh {
  source: string;
  /** The days recomputed, `YYYY-MM-DD`. */
  refreshed: string[];
  /** Days left for the next run: a write in flight did not finish within `waitMs`. */
  deferred: string[];
}

const dayList = (days: readonly string[]) =>
  sql.join(
    days.map((d) => sql`${d}::date`),
    sql`, `,
  );

/** `hour` (a UTC hour, ISO) as the UTC wall-clock timestamp SQL compares marks with. */
const wallClock = (hour: string) => sql`(${hour}::timestamptz AT TIME ZONE 'UTC')`;

/** Where a day's rollup ends: its next midnight, or `hour` for the day `hour` falls in. */
const throughOf = (day: SQL, hour: string) =>
  sql`least((${day} + 1)::timestamp, ${wallClock(hour)}) AT TIME ZONE 'UTC'`;

/** The days as the ranges `rawRollupRows` reads: each from its midnight to its `through`. */
const dayRanges = (days: readonly string[], hour: string): SQL => sql`
  SELECT d::timestamp AT TIME ZONE 'UTC' AS range_from, ${throughOf(sql`d`, hour)} AS range_to
  FROM unnest(ARRAY[${dayList(days)}]::date[]) AS d`;

/** The daily rows of `days` summed from the hourly rollup's rows of those days. */
function daysFromHours(rollup: Rollup, days: readonly string[]): SQL {
  const keys = rollup.keys.map((k) => quoteIdent(k.name));
  const measures = rollup.measures.map((m) => `sum(${quoteIdent(m.name)})::${m.type}`);
  return sql`SELECT ${sql.raw(['day', ...keys, ...measures].join(', '))}
    FROM ${sql.raw(rollupTable(rollup, 'hour'))} WHERE day IN (${dayList(days)})
    GROUP BY ${sql.raw(['day', ...keys].join(', '))}`;
}

/**
 * Recomputes the rollups of every day a write has marked, oldest first, in batches: past days
 * whole, today up to the current hour (the hour still being written stays raw). Exactness rests
 * on the order: a batch first clears its days' marks (those before the hour) and "refreshed"
 * flags (one commit; queries read those days raw from here on), then waits until every
 * transaction in flight at that commit has ended (a writer that saw the old mark before it was
 * cleared did not mark again), then recomputes and flags the days in a second transaction whose
 * snapshot holds every such write. Anything written after the first commit marks its hour again,
 * so the day stays raw.
 */
export async function refreshRollups(
  db: Database,
  { before = new Date(), batchDays = 31, waitMs = 10_000 }: RefreshRollupsOptions = {},
): Promise<RollupRefresh[]> {
  if (!(Number.isInteger(batchDays) && batchDays > 0)) {
    throw new RangeError('batchDays must be a whole number above 0');
  }
  if (Number.isNaN(before.getTime())) throw new RangeError('before must be a valid date');
  const hour = new Date(Math.floor(before.getTime() / 3_600_000) * 3_600_000).toISOString();
  const results: RollupRefresh[] = [];
  for (const source of rollupSources) {
    const result: RollupRefresh = { source: source.table, refreshed: [], deferred: [] };
    results.push(result);
    for (;;) {
      // A day written to again while this run refreshed it waits for the next run: a run ends.
      const days = await takeDirtyDays(db, source, hour, batchDays, result.refreshed);
      if (days.length === 0) break;
      if (!(await writersInFlightEnded(db, waitMs))) {
        await markDirty(db, source, days);
        result.deferred.push(...days);
        break;
      }
      await db.transaction(async (tx) => {
        await lockSource(tx, source);
        await tx.execute(sql`SET LOCAL jit = off`);
        for (const rollup of source.rollups) {
          // The finest grain from the raw rows, the days from their hours (every measure adds up).
          for (const grain of [...grainsOf(rollup)].reverse()) {
            const table = sql.raw(rollupTable(rollup, grain));
            const rows =
              grain === 'day' && rollup.hourly
                ? daysFromHours(rollup, days)
                : rawRollupRows(rollup, dayRanges(days, hour), undefined, grain);
            await tx.execute(sql`DELETE FROM ${table} WHERE day IN (${dayList(days)})`);
            await tx.execute(sql`INSERT INTO ${table} (${rollupColumns(rollup, grain)}) ${rows}`);
          }
        }
        await tx.execute(sql`INSERT INTO ${sql.raw(refreshedDaysTable)} (source, day, through, hourly)
          SELECT ${source.table}, d, ${throughOf(sql`d`, hour)}, true
          FROM unnest(ARRAY[${dayList(days)}]::date[]) AS d
          ON CONFLICT (source, day) DO UPDATE
            SET through = excluded.through, hourly = true, refreshed_at = pg_catalog.now()`);
      });
      result.refreshed.push(...days);
    }
  }
  return results;
}

/**
 * Clears the marks before `hour` of up to `limit` of the oldest days that have any, and those
 * days' refreshed flags; returns the days.
 */
function takeDirtyDays(
  db: Database,
  source: RollupSource,
  hour: string,
  limit: number,
  done: readonly string[],
): Promise<string[]> {
  const marked = sql`(day + make_interval(hours => hour)) < ${wallClock(hour)}`;
  return db.transaction(async (tx) => {
    await lockSource(tx, source);
    const rows = await queryRows<{ day: string }>(
      tx,
      sql`DELETE FROM ${sql.raw(dirtyDaysTable)} WHERE source = ${source.table} AND ${marked}
            AND day IN (
              SELECT DISTINCT day FROM ${sql.raw(dirtyDaysTable)}
              WHERE source = ${source.table} AND ${marked}
                ${done.length > 0 ? sql`AND day NOT IN (${dayList(done)})` : sql``}
              ORDER BY day LIMIT ${limit})
          RETURNING to_char(day, 'YYYY-MM-DD') AS day`,
    );
    const days = [...new Set(rows.map((r) => r.day))].sort();
    if (days.length > 0) {
      await tx.execute(sql`DELETE FROM ${sql.raw(refreshedDaysTable)}
        WHERE source = ${source.table} AND day IN (${dayList(days)})`);
    }
    return days;
  });
}

/** Takes the source's refresh lock, giving up after 30 s (anyone may hold an advisory lock). */
async function lockSource(tx: Executor, source: RollupSource) {
  await tx.execute(sql`SET LOCAL lock_timeout = '30s'`);
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK_CLASS}, hashtext(${source.table}))`,
  );
}

/** Marks the days again (their first hour: before any rollup's end), for the next run. */
const markDirty = (db: Database, source: RollupSource, days: readonly string[]) =>
  db.execute(sql`INSERT INTO ${sql.raw(dirtyDaysTable)} (source, day, hour)
    SELECT ${source.table}, d, 0 FROM unnest(ARRAY[${dayList(days)}]::date[]) AS d`);

/**
 * Waits until every transaction of this database that holds a transaction id now (prepared ones
 * included) has committed or rolled back. Other databases of the cluster are not waited for.
 * The embedded database has one connection: nothing else can be in flight.
 */
async function writersInFlightEnded(db: Database, waitMs: number): Promise<boolean> {
  if (db.$driver === 'pglite') return true;
  const [{ xids } = { xids: [] }] = await queryRows<{ xids: string[] }>(
    db,
    sql`SELECT coalesce(array_agg(l.transactionid::text), '{}') AS xids
        FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
          AND l.pid IS DISTINCT FROM pg_backend_pid()
          AND (a.datname = current_database()
            OR (l.pid IS NULL AND l.transactionid IN (
              SELECT transaction FROM pg_prepared_xacts WHERE database = current_database())))`,
  );
  if (xids.length === 0) return true;
  const deadline = Date.now() + waitMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [row] = await queryRows<{ running: number }>(
      db,
      sql`SELECT count(*)::int AS running FROM pg_locks
          WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted
            AND transactionid::text IN (${sql.join(
              xids.map((x) => sql`${x}`),
              sql`, `,
            )})`,
    );
    if (!row || row.running === 0) return true;
    if (Date.now() >= deadline) return false;
  }
}

export interface RollupSourceStatus {
  source: string;
  /** Days the rollups answer for. */
  refreshedDays: number;
  /** Days written to before the current hour since their refresh, read raw until the next refresh. */
  dirtyDays: number;
  oldestDirtyDay: string | null;
  lastRefreshedAt: string | null;
}

/** How far each source's rollups are behind. */
export async function rollupStatus(db: Executor): Promise<RollupSourceStatus[]> {
  // Marks of the current hour wait for the hour to end, not for a refresh.
  const waiting = sql`(m.day + make_interval(hours => m.hour)) < date_trunc('hour', now() AT TIME ZONE 'UTC')`;
  const rows = await queryRows<{
    source: string;
    refreshed: number;
    dirty: number;
    oldest: string | null;
    last: string | null;
  }>(
    db,
    sql`SELECT s.source,
          (SELECT count(*)::int FROM ${sql.raw(refreshedDaysTable)} r WHERE r.source = s.source) AS refreshed,
          (SELECT count(DISTINCT day)::int FROM ${sql.raw(dirtyDaysTable)} m
             WHERE m.source = s.source AND ${waiting}) AS dirty,
          (SELECT to_char(min(day), 'YYYY-MM-DD') FROM ${sql.raw(dirtyDaysTable)} m
             WHERE m.source = s.source AND ${waiting}) AS oldest,
          (SELECT to_char(max(refreshed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
             FROM ${sql.raw(refreshedDaysTable)} r WHERE r.source = s.source) AS last
        FROM unnest(ARRAY[${sql.join(
          rollupSources.map((s) => sql`${s.table}`),
          sql`, `,
        )}]::text[]) AS s(source)`,
  );
  return rows.map((r) => ({
    source: r.source,
    refreshedDays: r.refreshed,
    dirtyDays: r.dirty,
    oldestDirtyDay: r.oldest,
    lastRefreshedAt: r.last,
  }));
}
