import { getTableColumns, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { type Database, type Executor, queryRows } from './client';
import { type PartitionedTable, partitionedTables, partitionSchema } from './objects/partitions';
import { quoteIdent } from './objects/sql-text';
import type { PersonalDataRetention, TableAccess } from './schema/rules';
import { schemaTables, type TableName } from './tables';

/** A table whose rules keep personal data only for a while, in SQL names. */
export interface RetainedTable {
  name: TableName;
  sql: string;
  table: PgTable;
  /** The event-time column the age is measured from. */
  after: string;
  days: number;
  anonymise: Record<string, 'network' | 'null'>;
}

const columnName = (table: PgTable, key: string) => {
  const column = (getTableColumns(table) as Record<string, { name: string }>)[key];
  if (!column) throw new Error(`retention of ${getTableConfig(table).name} names ${key}`);
  return column.name;
};

/** Every table that declares a retention, read from its rules. */
export const retainedTables: readonly RetainedTable[] = (
  Object.keys(schemaTables) as TableName[]
).flatMap((name) => {
  const { table, rules } = schemaTables[name];
  const retention = (rules as { retention?: PersonalDataRetention }).retention;
  if (!retention) return [];
  return [
    {
      name,
      sql: getTableConfig(table).name,
      table,
      after: columnName(table, retention.after),
      days: retention.days,
      anonymise: Object.fromEntries(
        Object.entries(retention.anonymise).map(([key, how]) => [columnName(table, key), how]),
      ),
    },
  ];
});

const BATCH = 10_000;

/** The SQL that anonymises one column, and the condition that says it still needs it. */
function anonymisation(column: string, how: 'network' | 'null') {
  const c = quoteIdent(column);
  return how === 'null'
    ? { set: `${c} = NULL`, pending: `${c} IS NOT NULL` }
    : {
        set: `${c} = pg_catalog.network(pg_catalog.set_masklen(${c}, CASE pg_catalog.family(${c}) WHEN 4 THEN 24 ELSE 48 END))::inet`,
        pending: `pg_catalog.masklen(${c}) > CASE pg_catalog.family(${c}) WHEN 4 THEN 24 ELSE 48 END`,
      };
}

export interface AnonymisationResult {
  table: string;
  /** Rows whose personal data was anonymised by this run. */
  rows: number;
  olderThanDays: number;
}

/**
 * Anonymises the personal data each table keeps only for a while (raw IP addresses, user agents)
 * in rows older than its declared days (or `days`), a batch of 10,000 rows per transaction so
 * writers are never held up for long. Idempotent: a row already anonymised is not touched again.
 */
export async function anonymiseExpiredPersonalData(
  db: Database,
  { days }: { days?: number } = {},
): Promise<AnonymisationResult[]> {
  if (days !== undefined && !(Number.isInteger(days) && days >= 1)) {
    throw new RangeError('days must be a whole number of at least 1');
  }
  const results: AnonymisationResult[] = [];
  for (const table of retainedTables) {
    const olderThanDays = days ?? table.days;
    const parts = Object.entries(table.anonymise).map(([c, how]) => anonymisation(c, how));
    const key = getTableConfig(table.table).columns.find((c) => c.primary)?.name ?? 'id';
    const statement =
      sql.raw(`UPDATE public.${quoteIdent(table.sql)} SET ${parts.map((p) => p.set).join(', ')}
      WHERE ${quoteIdent(key)} IN (SELECT ${quoteIdent(key)} FROM public.${quoteIdent(table.sql)}
        WHERE ${quoteIdent(table.after)} < pg_catalog.now() - interval '${olderThanDays} days'
          AND (${parts.map((p) => p.pending).join(' OR ')})
        LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING 1`);
    let rows = 0;
    for (;;) {
      const done = (await queryRows(db, statement)).length;
      rows += done;
      if (done < BATCH) break;
    }
    results.push({ table: table.sql, rows, olderThanDays });
  }
  return results;
}

export interface ExpiredPartition {
  table: PartitionedTable;
  /** The partition's name in `aclue_partitions`. */
  partition: string;
  from: string;
  to: string;
}

/** Monthly partitions entirely older than the table's kept months (or `keepMonths`). */
export async function expiredPartitions(
  db: Executor,
  { keepMonths }: { keepMonths?: number } = {},
): Promise<ExpiredPartition[]> {
  if (keepMonths !== undefined && !(Number.isInteger(keepMonths) && keepMonths >= 1)) {
    throw new RangeError('keepMonths must be a whole number of at least 1');
  }
  const found: ExpiredPartition[] = [];
  for (const table of partitionedTables) {
    const months = keepMonths ?? table.partitioning.keepMonths;
    const now = new Date();
    const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
    const rows = await queryRows<{ name: string; bound: string }>(
      db,
      sql`SELECT c.relname AS name, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
          FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = ${`public.${table.sql}`}::regclass ORDER BY c.relname`,
    );
    for (const row of rows) {
      const range = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(row.bound);
      if (!range?.[1] || !range[2]) continue; // the default partition
      const [from, to] = [new Date(range[1]), new Date(range[2])];
      if (to <= cutoff) {
        found.push({
          table,
          partition: row.name,
          from: from.toISOString(),
          to: to.toISOString(),
        });
      }
    }
  }
  return found;
}

/** Where archived rows go: pages of rows, then `close` makes them durable (or throws). */
export interface ArchiveSink {
  write(rows: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

/** The columns an archive leaves out: those naming a person or a visit, from the access rules. */
export function archivedColumnsLeftOut(table: PartitionedTable): string[] {
  const access = (schemaTables[table.name].rules as { access?: TableAccess }).access;
  return [access?.owner?.user, access?.owner?.anonymous, access?.session?.column]
    .filter((key): key is string => Boolean(key))
    .map((key) => columnName(table.table, key));
}

const PAGE = 5_000;

/**
 * Archives one expired partition and drops it, in one transaction: writes are held off the
 * partition (reads go on), every row is handed to `sink` — without the columns that name a
 * person or a visit, so an archive never needs an erasure — the sink is closed (durable), and
 * only then is the partition detached and dropped. If anything fails, nothing is dropped.
 * Returns the rows archived.
 */
export async function archivePartition(
  db: Database,
  expired: ExpiredPartition,
  sink: ArchiveSink,
): Promise<number> {
  const relation = `${partitionSchema}.${quoteIdent(expired.partition)}`;
  const leftOut = archivedColumnsLeftOut(expired.table)
    .map((c) => ` - '${c}'`)
    .join('');
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`LOCK TABLE ${relation} IN SHARE MODE`));
    let archived = 0;
    let after = '(0,0)';
    for (;;) {
      // Pages in physical order (a TID range scan): no sort, no index needed.
      const rows = await queryRows<{ tid: string; row: Record<string, unknown> }>(
        tx,
        sql.raw(`SELECT ctid::text AS tid, to_jsonb(t)${leftOut} AS row FROM ${relation} t
          WHERE ctid > '${after}'::tid ORDER BY ctid LIMIT ${PAGE}`),
      );
      if (rows.length > 0) await sink.write(rows.map((r) => r.row));
      archived += rows.length;
      if (rows.length < PAGE) break;
      after = rows.at(-1)?.tid ?? after;
    }
    await sink.close();
    await tx.execute(
      sql.raw(`ALTER TABLE public.${quoteIdent(expired.table.sql)} DETACH PARTITION ${relation}`),
    );
    await tx.execute(sql.raw(`DROP TABLE ${relation}`));
    return archived;
  });
}
