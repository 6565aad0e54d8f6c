import { type Executor, queryRows } from '@aclue/db';
import { sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import { inSavepoint } from './attempt';

/**
 * Proves the stored data is intact, not just the schema: every B-tree index agrees with its table
 * (amcheck's `bt_index_check` with `heapallindexed`: an index missing rows, or rows it points to
 * that are not there), every foreign key and CHECK constraint holds for every row (re-validated
 * with index scans off, so a corrupt index cannot vouch for itself). Everything runs in the
 * verification's rolled-back transaction: amcheck is created there and gone afterwards.
 */
export async function checkStoredData(tx: Executor, schema: string, tables: string[]) {
  const results: CheckResult[] = [];
  results.push(...(await checkIndexes(tx, schema, tables)));
  const scans = ['enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan'];
  for (const scan of scans) await tx.execute(sql.raw(`SET LOCAL ${scan} = off`));
  results.push(...(await checkConstraints(tx, schema, tables)));
  // The probes after this expect the planner's usual choices.
  for (const scan of scans) await tx.execute(sql.raw(`SET LOCAL ${scan} TO DEFAULT`));
  return results;
}

const reason = (error: unknown): string =>
  ((error as { cause?: Error }).cause ?? (error as Error)).message.split('\n')[0] ??
  'unknown error';

async function checkIndexes(tx: Executor, schema: string, tables: string[]) {
  const name = 'indexes agree with their tables (amcheck)';
  try {
    await inSavepoint(tx, (s) => s.execute(sql`CREATE EXTENSION IF NOT EXISTS amcheck`));
  } catch (error) {
    return [
      fail(
        'data',
        null,
        name,
        `amcheck is not available here: ${reason(error)}`,
        'install PostgreSQL contrib (amcheck) or run as a role that may create it',
      ),
    ];
  }
  // A partitioned index holds nothing itself: its partitions' indexes are checked.
  const indexes = await queryRows<{ tbl: string; idx: string; oid: number }>(
    tx,
    sql`SELECT d.name AS tbl, i.relname AS idx, i.oid::int AS oid
        FROM unnest(${`{${tables.join(',')}}`}::text[]) d(name)
        JOIN pg_class t ON t.oid = to_regclass(format('%I.%I', ${schema}::text, d.name))
        CROSS JOIN LATERAL (SELECT relid FROM pg_partition_tree(t.oid) UNION SELECT t.oid) p
        JOIN pg_index x ON x.indrelid = p.relid
        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
        WHERE i.relkind = 'i' AND a.amname = 'btree' AND x.indisvalid
        ORDER BY 1, 2`,
  );
  const results: CheckResult[] = [];
  for (const index of indexes) {
    const check = `index ${index.idx} agrees with its table (amcheck)`;
    try {
      await inSavepoint(tx, (s) =>
        s.execute(sql`SELECT bt_index_check(${index.oid}::oid::regclass, true)`),
      );
      results.push(pass('data', index.tbl, check));
    } catch (error) {
      results.push(
        fail(
          'data',
          index.tbl,
          check,
          reason(error),
          `REINDEX INDEX ${schema}.${index.idx}, then rerun verify --data; restore from a backup if rows are missing`,
        ),
      );
    }
  }
  return results;
}

interface Constraint {
  tbl: string;
  name: string;
  kind: 'f' | 'c';
  /** For a CHECK: its expression. For a foreign key: the query that finds orphans. */
  expression: string;
  columns: string[] | null;
  parent: string | null;
  parent_columns: string[] | null;
}

async function checkConstraints(tx: Executor, schema: string, tables: string[]) {
  const constraints = await queryRows<Constraint>(
    tx,
    sql`SELECT t.relname AS tbl, c.conname AS name, c.contype AS kind,
          pg_get_expr(c.conbin, c.conrelid) AS expression,
          (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num) AS columns,
          CASE WHEN p.oid IS NOT NULL THEN format('%I.%I', pn.nspname, p.relname) END AS parent,
          (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num) AS parent_columns
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        LEFT JOIN pg_class p ON p.oid = c.confrelid LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
        WHERE n.nspname = ${schema} AND c.contype IN ('f', 'c')
          AND t.relname = ANY(${`{${tables.join(',')}}`}::text[])
        ORDER BY 1, 2`,
  );
  const results: CheckResult[] = [];
  for (const c of constraints) {
    const table = sql`${sql.identifier(schema)}.${sql.identifier(c.tbl)}`;
    const query =
      c.kind === 'c'
        ? sql`SELECT count(*)::int AS n FROM ${table} WHERE (${sql.raw(c.expression)}) IS FALSE`
        : orphans(table, c);
    const check =
      c.kind === 'c'
        ? `every row satisfies ${c.name}`
        : `every row's ${c.columns?.join(', ')} exists in ${c.parent} (${c.name})`;
    try {
      const [row] = await inSavepoint(tx, (s) => queryRows<{ n: number }>(s, query));
      results.push(
        (row?.n ?? 0) === 0
          ? pass('data', c.tbl, check)
          : fail(
              'data',
              c.tbl,
              check,
              `${row?.n} row(s) break it`,
              c.kind === 'c'
                ? `find them with SELECT * FROM ${c.tbl} WHERE (${c.expression}) IS FALSE`
                : 'the rows point at parents that are gone: restore the parents from a backup, or delete the orphans',
            ),
      );
    } catch (error) {
      results.push(
        fail(
          'data',
          c.tbl,
          check,
          `could not re-validate: ${reason(error)}`,
          'run aclue-db migrate',
        ),
      );
    }
  }
  return results;
}

/** Rows whose foreign key columns are all set but name no parent row (MATCH SIMPLE). */
function orphans(table: ReturnType<typeof sql>, c: Constraint) {
  const columns = c.columns ?? [];
  const parentColumns = c.parent_columns ?? [];
  const set = sql.join(
    columns.map((column) => sql`child.${sql.identifier(column)} IS NOT NULL`),
    sql` AND `,
  );
  const match = sql.join(
    columns.map(
      (column, i) =>
        sql`parent.${sql.identifier(parentColumns[i] ?? column)} = child.${sql.identifier(column)}`,
    ),
    sql` AND `,
  );
  return sql`SELECT count(*)::int AS n FROM ${table} child
    WHERE ${set} AND NOT EXISTS (SELECT 1 FROM ${sql.raw(c.parent ?? '')} parent WHERE ${match})`;
}
