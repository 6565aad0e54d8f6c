import { sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from './client';
import {
  maintainPartitionsStatement,
  type PartitionedTable,
  partitionedTables,
  partitionSchema,
} from './objects/partitions';

export interface PartitionMaintenance {
  /** The partitioned table (`product_views`). */
  table: string;
  /** Partitions this run created (`product_views_p2027_03`), oldest first. */
  created: string[];
}

export interface MaintainPartitionsOptions {
  /** Months kept ready after the current one (default: the table's declared `ahead`). */
  ahead?: number;
  /** Also create every month from this one on (backfills, seeds, rows in the default partition). */
  from?: Date;
}

/**
 * Creates the monthly partitions every partitioned table needs from now (or `from`) through
 * `ahead` months, moving any rows the default partition holds for those months into them.
 * Idempotent; run it daily (cron, pg_cron, or the API's start). Needs the table owner's rights.
 */
export async function maintainPartitions(
  db: Executor,
  options: MaintainPartitionsOptions = {},
): Promise<PartitionMaintenance[]> {
  if (
    options.ahead !== undefined &&
    !(Number.isInteger(options.ahead) && options.ahead >= 0 && options.ahead <= 120)
  ) {
    throw new RangeError('ahead must be a whole number of months from 0 to 120');
  }
  const results: PartitionMaintenance[] = [];
  for (const table of partitionedTables) {
    const from = options.from ? `${sqlTime(options.from)}::timestamptz` : undefined;
    const rows = await queryRows<{ created: string }>(
      db,
      sql.raw(
        maintainPartitionsStatement(table, {
          ...(from ? { from: `least(${from}, pg_catalog.now())` } : {}),
          ...(options.ahead === undefined ? {} : { ahead: options.ahead }),
        }),
      ),
    );
    results.push({ table: table.sql, created: rows.map((r) => r.created) });
  }
  return results;
}

const sqlTime = (date: Date) => {
  if (Number.isNaN(date.getTime())) throw new RangeError('from must be a valid date');
  return `'${date.toISOString()}'`;
};

/** Reads catalog text (partition bounds) in one known format, whatever the session's settings. */
async function inIsoTime<T>(db: Database, work: (tx: Executor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('datestyle', 'ISO, YMD', true),
      set_config('timezone', 'UTC', true)`);
    return work(tx);
  });
}

interface BoundRow {
  parent: string;
  name: string;
  bound: string;
  estimate: string;
  bytes: string;
}

/** Every partition in `aclue_partitions` of the partitioned tables (all, or `table`'s). */
async function readPartitions(db: Database, table?: PartitionedTable): Promise<BoundRow[]> {
  const parents = table ? [table] : partitionedTables;
  return inIsoTime(db, (tx) =>
    queryRows<BoundRow>(
      tx,
      sql`SELECT p.relname AS parent, c.relname AS name,
            pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound,
            greatest(c.reltuples, 0)::bigint AS estimate,
            pg_catalog.pg_total_relation_size(c.oid) AS bytes
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
          JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
          WHERE p.relnamespace = 'public'::regnamespace
            AND c.relnamespace = ${partitionSchema}::regnamespace
            AND p.relname IN (${sql.join(
              parents.map((t) => sql`${t.sql}`),
              sql`, `,
            )})
          ORDER BY p.relname, c.relname = p.relname || '_default', c.relname`,
    ),
  );
}

const rangeOf = (bound: string) => {
  const range = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(bound);
  return {
    from: range?.[1] ? new Date(range[1]).toISOString() : null,
    to: range?.[2] ? new Date(range[2]).toISOString() : null,
  };
};

/** The partitions of `table`, with their month's bounds (both null: the default partition). */
export async function partitionBounds(
  db: Database,
  table: PartitionedTable,
): Promise<{ name: string; from: string | null; to: string | null }[]> {
  return (await readPartitions(db, table)).map((row) => ({
    name: row.name,
    ...rangeOf(row.bound),
  }));
}

export interface PartitionInfo {
  table: string;
  /** `aclue_partitions.product_views_p2026_11`. */
  partition: string;
  /** First instant of the month (UTC), or null for the default partition. */
  from: string | null;
  to: string | null;
  /** The planner's row estimate (cheap; exact counts would read every partition). */
  estimatedRows: number;
  bytes: number;
}

/** Every partition of every partitioned table, oldest first, the default one last. */
export async function listPartitions(db: Database): Promise<PartitionInfo[]> {
  return (await readPartitions(db)).map((row) => ({
    table: row.parent,
    partition: `${partitionSchema}.${row.name}`,
    ...rangeOf(row.bound),
    estimatedRows: Number(row.estimate),
    bytes: Number(row.bytes),
  }));
}
