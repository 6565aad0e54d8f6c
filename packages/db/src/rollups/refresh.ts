import { type SQL, sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from '../client';
import { dirtyDaysTable, refreshedDaysTable, rollupTable } from '../objects/rollups';
import { quoteIdent } from '../objects/sql-text';
import { grainsOf, type Rollup, type RollupSource, rollupSources } from './declarations';
import { firstsKey, firstsRows } from './distinct-keys';
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
  /**
   * Days of the last year no write had marked and no refresh had covered (quiet days, today
   * before its first write, a past day refreshed only up to an hour while it was today):
   * refreshed too, so that a period's reports need no raw rows there.
   */
  unwritten: string[];
  /** Days left for the next run: a write in flight did not finish within `waitMs`. */
  deferred: string[];
}

/** How far back a refresh looks for days never refreshed (see `takeDirtyDays`). */
const GAP_DAYS = 366;

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

const KEYS = sql.raw('pg_temp.aclue_refreshed_keys');

/** Before a `firsts` rollup's hours are replaced: the keys they held (a key may leave them). */
async function keepKeys(tx: Executor, rollup: Rollup, days: readonly string[]) {
  const key = firstsKey(rollup);
  await tx.execute(sql`DROP TABLE IF EXISTS ${KEYS}`);
  await tx.execute(sql`CREATE TEMPORARY TABLE aclue_refreshed_keys ON COMMIT DROP AS
    SELECT DISTINCT ${key} AS key FROM ${sql.raw(rollupTable(rollup, 'hour'))}
    WHERE day IN (${dayList(days)})`);
}

/**
 * After its hours are replaced: the `firsts` of every hour a key of the refreshed days (before
 * or after) was seen at, from their first day on — the refreshed hours themselves, and the later
 * hours whose "last seen before" may have moved into, or out of, the refreshed days.
 */
async function refreshFirsts(tx: Executor, rollup: Rollup, days: readonly string[]) {
  const key = firstsKey(rollup);
  const hourly = sql.raw(rollupTable(rollup, 'hour'));
  const firsts = sql.raw(rollupTable(rollup, 'firsts'));
  await tx.execute(sql`INSERT INTO ${KEYS} SELECT DISTINCT ${key} FROM ${hourly}
    WHERE day IN (${dayList(days)})`);
  const hours = sql`SELECT DISTINCT h.day, h.hour FROM ${hourly} h
    WHERE h.${key} IN (SELECT key FROM ${KEYS}) AND h.day >= ${days[0]}::date`;
  await tx.execute(sql`DROP TABLE IF EXISTS pg_temp.aclue_refreshed_hours`);
  await tx.execute(sql`CREATE TEMPORARY TABLE aclue_refreshed_hours ON COMMIT DROP AS ${hours}`);
  const refreshed = sql`SELECT day, hour FROM pg_temp.aclue_refreshed_hours`;
  await tx.execute(sql`DELETE FROM ${firsts}
    WHERE day IN (${dayList(days)}) OR (day, hour) IN (${refreshed})`);
  await tx.execute(sql`INSERT INTO ${firsts} (day, hour, previous_hour, keys_seen)
    ${firstsRows(rollup, refreshed)}`);
  await tx.execute(sql`DROP TABLE ${KEYS}, pg_temp.aclue_refreshed_hours`);
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
    const result: RollupRefresh = {
      source: source.table,
      refreshed: [],
      unwritten: [],
      deferred: [],
    };
    results.push(result);
    for (;;) {
      // A day written to again while this run refreshed it waits for the next run: a run ends.
      const done = [...result.refreshed, ...result.unwritten];
      const { days, unwritten } = await takeDirtyDays(db, source, hour, batchDays, done);
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
          if (rollup.firsts) await keepKeys(tx, rollup, days);
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
          if (rollup.firsts) await refreshFirsts(tx, rollup, days);
        }
        await tx.execute(sql`INSERT INTO ${sql.raw(refreshedDaysTable)} (source, day, through, hourly)
          SELECT ${source.table}, d, ${throughOf(sql`d`, hour)}, true
          FROM unnest(ARRAY[${dayList(days)}]::date[]) AS d
          ON CONFLICT (source, day) DO UPDATE
            SET through = excluded.through, hourly = true, refreshed_at = pg_catalog.now()`);
      });
      (unwritten ? result.unwritten : result.refreshed).push(...days);
    }
  }
  return results;
}

/**
 * Clears the marks before `hour` of up to `limit` of the oldest days that have any, and those
 * days' refreshed flags; when none is left, takes up to `limit` days of the last year never
 * refreshed; returns the days.
 */
function takeDirtyDays(
  db: Database,
  source: RollupSource,
  hour: string,
  limit: number,
  done: readonly string[],
): Promise<{ days: string[]; unwritten: boolean }> {
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
    const days = [...new Set(rows.map((r) => r.day))];
    const unwritten = days.length === 0;
    if (unwritten) {
      // Then the days of the last year never refreshed since the first one was (empty, unless
      // rows came in behind the triggers), or refreshed only up to an hour while they were today
      // and not written to since. Refreshing them (cheap when quiet; `limit` a batch, like marked
      // days, as one refreshed while it was today has rows) lets the rollups answer for them, so
      // a quiet day does not send a period's reports to raw rows.
      const gaps = await queryRows<{ day: string }>(
        tx,
        sql`SELECT to_char(d, 'YYYY-MM-DD') AS day
          FROM generate_series(greatest(
              (SELECT min(day) FROM ${sql.raw(refreshedDaysTable)} WHERE source = ${source.table})::timestamp,
              date_trunc('day', ${wallClock(hour)}) - interval '${sql.raw(String(GAP_DAYS))} days'),
            ${wallClock(hour)}, interval '1 day') AS d
          WHERE d < ${wallClock(hour)}
            AND NOT EXISTS (SELECT 1 FROM ${sql.raw(refreshedDaysTable)} r
              WHERE r.source = ${source.table} AND r.day = d::date
                -- A past day last refreshed while it was today, not written to since.
                AND (r.through >= (d + interval '1 day') AT TIME ZONE 'UTC'
                  OR d + interval '1 day' > ${wallClock(hour)}))
            ${done.length > 0 ? sql`AND d::date NOT IN (${dayList(done)})` : sql``}
          ORDER BY d LIMIT ${limit}`,
      );
      days.push(...gaps.map((g) => g.day));
    }
    days.sort();
    if (days.length > 0) {
      await tx.execute(sql`DELETE FROM ${sql.raw(refreshedDaysTable)}
        WHERE source = ${source.table} AND day IN (${dayList(days)})`);
    }
    return { days, unwritten };
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
