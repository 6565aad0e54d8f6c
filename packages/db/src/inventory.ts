import { sql } from 'drizzle-orm';
import { type Database, queryRows } from './client';

/** What exists in a schema, counted from the catalog. */
export interface SchemaInventory {
  tables: number;
  tablesWithRls: number;
  indexes: number;
  policies: number;
  checks: number;
  foreignKeys: number;
  triggers: number;
}

/** Counts the tables, indexes, policies, constraints and triggers of `schema` in the live catalog. */
export async function inventory(
  db: Pick<Database, 'execute'>,
  schema = 'public',
): Promise<SchemaInventory> {
  const [row] = await queryRows<Record<keyof SchemaInventory, string>>(
    db,
    sql`
    WITH t AS (
      SELECT c.oid, c.relrowsecurity FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p')
    )
    SELECT
      (SELECT count(*) FROM t) AS tables,
      (SELECT count(*) FROM t WHERE relrowsecurity) AS "tablesWithRls",
      (SELECT count(*) FROM pg_catalog.pg_index i JOIN t ON t.oid = i.indrelid) AS indexes,
      (SELECT count(*) FROM pg_catalog.pg_policy p JOIN t ON t.oid = p.polrelid) AS policies,
      (SELECT count(*) FROM pg_catalog.pg_constraint k JOIN t ON t.oid = k.conrelid WHERE k.contype = 'c') AS checks,
      (SELECT count(*) FROM pg_catalog.pg_constraint k JOIN t ON t.oid = k.conrelid WHERE k.contype = 'f') AS "foreignKeys",
      (SELECT count(*) FROM pg_catalog.pg_trigger g JOIN t ON t.oid = g.tgrelid WHERE NOT g.tgisinternal) AS triggers
  `,
  );
  if (!row) throw new Error('catalog query returned no row');
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, Number(value)]),
  ) as unknown as SchemaInventory;
}
