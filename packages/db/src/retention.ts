import { sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { type Database, queryRows } from './client';
import {
  ADVISORY_LOCK_CLASS,
  type PartitionedTable,
  partitionedTables,
  partitionSchema,
} from './objects/partitions';
import { quoteIdent } from './objects/sql-text';
import { partitionBounds } from './partitions';
import { type PersonalDataRetention, ruleColumnName, type TableAccess } from './schema/rules';
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
      after: ruleColumnName(table, retention.after),
      days: retention.days,
      anonymise: Object.fromEntries(
        Object.entries(retention.anonymise).map(([key, how]) => [ruleColumnName(table, key), how]),
      ),
    },
  ];
});

const BATCH = 10_000;

/** The SQL that anonymises one column, and the condition that says it still needs it. */
function anonymisation(column: string, how: 'network' | 'null') {
  const c = quoteIdent(column);
  const kept = `pg_catalog.network(pg_catalog.set_masklen(${c}, least(pg_catalog.masklen(${c}), CASE pg_catalog.family(${c}) WHEN 4 THEN 24 ELSE 48 END)))::inet`;
  return how === 'null'
    ? { set: `${c} = NULL`, pending: `${c} IS NOT NULL` }
    : {
        set: `${c} = ${kept}`,
        // Whatever mask a client sent, the host bits beyond the kept network count as pending.
        pending: `${c} IS DISTINCT FROM ${kept}`,
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
  /**
   * The month's bounds; for the default partition `from` is null and only its rows before `to`
   * (the cutoff) are expired — they are archived and deleted, the partition stays.
   */
  from: string | null;
  to: string;
}

/**
 * What retention removes: monthly partitions entirely older than the table's kept months (or
 * `keepMonths`), and the default partition when it holds rows older than that.
 */
export async function expiredPartitions(
  db: Database,
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
    for (const { name, from, to } of await partitionBounds(db, table)) {
      if (from && to && new Date(to) <= cutoff) {
        found.push({ table, partition: name, from, to });
      }
      if (!from && !to) {
        const [old] = await queryRows<{ any: boolean }>(
          db,
          sql.raw(`SELECT EXISTS (SELECT 1 FROM ${partitionSchema}.${quoteIdent(name)}
            WHERE ${quoteIdent(table.column)} < '${cutoff.toISOString()}') AS any`),
        );
        if (old?.any) found.push({ table, partition: name, from: null, to: cutoff.toISOString() });
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

/**
 * The columns an archive leaves out: the owner and session columns of the table's access rules,
 * and what its partitioning declares links a row to a person (a recommendation, free text).
 */
export function archivedColumnsLeftOut(table: PartitionedTable): string[] {
  const access = (schemaTables[table.name].rules as { access?: TableAccess }).access;
  return [
    access?.owner?.user,
    access?.owner?.anonymous,
    access?.session?.column,
    ...(table.partitioning.archiveLeavesOut ?? []),
  ]
    .filter((key): key is string => Boolean(key))
    .map((key) => ruleColumnName(table.table, key));
}

const PAGE = 5_000;

/** How long the final DETACH waits for the table before giving up (it blocks queries while it waits). */
const DETACH_LOCK_TIMEOUT = '5s';

/**
 * Archives one expired partition and drops it, in one transaction: retention and maintenance of
 * the table take turns, writes to the partition wait (reads go on), every row goes to the sink
 * `open()` gives — without the columns that link it to a person — the sink is closed (durable),
 * and only then is the partition detached (waiting at most 5 s for the table) and dropped. For the
 * default partition, its rows older than the cutoff are archived and deleted instead. If anything
 * fails, nothing is dropped or deleted. Returns the rows archived, or null when the partition was
 * gone by the time its turn came (another run archived it).
 */
export async function archivePartition(
  db: Database,
  expired: ExpiredPartition,
  open: () => Promise<ArchiveSink>,
): Promise<number | null> {
  const relation = `${partitionSchema}.${quoteIdent(expired.partition)}`;
  const parent = `public.${quoteIdent(expired.table.sql)}`;
  const leftOut = archivedColumnsLeftOut(expired.table)
    .map((c) => ` - '${c}'`)
    .join('');
  const onlyOld = expired.from === null;
  const old = onlyOld ? ` AND ${quoteIdent(expired.table.column)} < '${expired.to}'` : '';
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`SELECT pg_catalog.pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS},
        pg_catalog.hashtext(${`public.${expired.table.sql}`}))`,
    );
    const [attached] = await queryRows<{ attached: boolean }>(
      tx,
      sql`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits
        WHERE inhrelid = to_regclass(${`${partitionSchema}.${expired.partition}`})
          AND inhparent = ${`public.${expired.table.sql}`}::regclass) AS attached`,
    );
    if (!attached?.attached) return null;
    await tx.execute(sql.raw(`LOCK TABLE ${relation} IN SHARE MODE`));
    const sink = await open();
    let archived = 0;
    let after = '(0,0)';
    for (;;) {
      // Pages in physical order (a TID range scan): no sort, no index needed.
      const rows = await queryRows<{ tid: string; row: Record<string, unknown> }>(
        tx,
        sql.raw(`SELECT ctid::text AS tid, to_jsonb(t)${leftOut} AS row FROM ${relation} t
          WHERE ctid > '${after}'::tid${old} ORDER BY ctid LIMIT ${PAGE}`),
      );
      if (rows.length > 0) await sink.write(rows.map((r) => r.row));
      archived += rows.length;
      if (rows.length < PAGE) break;
      after = rows.at(-1)?.tid ?? after;
    }
    await sink.close();
    if (onlyOld) {
      await tx.execute(sql.raw(`DELETE FROM ${relation} WHERE true${old}`));
    } else {
      await tx.execute(sql.raw(`SET LOCAL lock_timeout = '${DETACH_LOCK_TIMEOUT}'`));
      await tx.execute(sql.raw(`ALTER TABLE ${parent} DETACH PARTITION ${relation}`));
      await tx.execute(sql.raw(`DROP TABLE ${relation}`));
    }
    return archived;
  });
}
