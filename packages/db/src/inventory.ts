import { sql } from 'drizzle-orm';
import { type Database, queryRows } from './client';

/** What one table has, counted from the live catalog. */
export interface TableInventory {
  table: string;
  rls: boolean;
  columns: number;
  indexes: number;
  policies: number;
  checks: number;
  foreignKeys: number;
  triggers: number;
}

/** Counts, per table of `schema`, its columns, indexes, policies, constraints and triggers. */
export async function inventory(
  db: Pick<Database, 'execute'>,
  schema = 'public',
): Promise<TableInventory[]> {
  const rows = await queryRows<Record<keyof TableInventory, string | boolean>>(
    db,
    sql`
    SELECT
      c.relname AS "table",
      c.relrowsecurity AS rls,
      (SELECT count(*) FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
      (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid) AS indexes,
      (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid) AS policies,
      (SELECT count(*) FROM pg_catalog.pg_constraint k
        WHERE k.conrelid = c.oid AND k.contype = 'c') AS checks,
      (SELECT count(*) FROM pg_catalog.pg_constraint k
        WHERE k.conrelid = c.oid AND k.contype = 'f') AS "foreignKeys",
      (SELECT count(*) FROM pg_catalog.pg_trigger g
        WHERE g.tgrelid = c.oid AND NOT g.tgisinternal) AS triggers
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
  `,
  );
  return rows.map((row) => ({
    table: String(row.table),
    rls: row.rls === true,
    columns: Number(row.columns),
    indexes: Number(row.indexes),
    policies: Number(row.policies),
    checks: Number(row.checks),
    foreignKeys: Number(row.foreignKeys),
    triggers: Number(row.triggers),
  }));
}
