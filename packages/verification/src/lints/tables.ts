import { sql } from 'drizzle-orm';
import type { Lint } from './rule';

/** Lints on tables and indexes. */
export const tableLints: Lint[] = [
  {
    name: 'foreign keys have a covering index',
    splinter: 'unindexed_foreign_keys',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table, k.conname AS constraint
      FROM pg_catalog.pg_constraint k
      JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname IN (${schemas})
        AND NOT EXISTS (
          SELECT 1 FROM pg_catalog.pg_index i
          WHERE i.indrelid = k.conrelid AND i.indisvalid
            AND (i.indkey::int2[])[0:array_length(k.conkey, 1) - 1] = k.conkey)`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `foreign key ${r.constraint} has no index leading with its columns: deletes of the parent scan this table`,
      fix: `add an index on the foreign key's columns of ${r.table}`,
    }),
  },
  {
    name: 'no duplicate indexes',
    splinter: 'duplicate_index',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table,
        string_agg(ic.relname, ', ' ORDER BY ic.relname) AS indexes
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas})
      GROUP BY n.nspname, c.relname, i.indrelid, i.indkey::text, i.indclass::text,
        i.indcollation::text, i.indoption::text,
        coalesce(pg_catalog.pg_get_expr(i.indexprs, i.indrelid), ''),
        coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), '')
      HAVING count(*) > 1`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `indexes ${r.indexes} are identical`,
      fix: 'drop all but one (a unique constraint already brings its own index)',
    }),
  },
  {
    name: 'no invalid indexes',
    splinter: 'invalid_index',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table, ic.relname AS index
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas}) AND NOT i.indisvalid`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `index ${r.index} is invalid (a CREATE INDEX CONCURRENTLY that failed): it is kept up to date on every write and never used`,
      fix: `DROP INDEX CONCURRENTLY ${r.index}, then create it again`,
    }),
  },
  {
    name: 'every table has a primary key',
    splinter: 'no_primary_key',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas}) AND c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                        WHERE i.indrelid = c.oid AND i.indisprimary)`,
    describe: (r) => ({
      table: r.table ?? null,
      detail:
        'has no primary key: rows cannot be addressed, and logical replication cannot replay its updates and deletes',
      fix: 'add a primary key (an identity column where no natural key is non-null)',
    }),
  },
  {
    name: 'autovacuum is on for every table',
    splinter: 'autovacuum_disabled',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas}) AND c.relkind IN ('r', 'm')
        AND EXISTS (SELECT 1 FROM unnest(coalesce(c.reloptions, '{}')) o
                    WHERE lower(o) IN ('autovacuum_enabled=false', 'autovacuum_enabled=off',
                                       'autovacuum_enabled=0', 'autovacuum_enabled=no'))`,
    describe: (r) => ({
      table: r.table ?? null,
      detail:
        'autovacuum is disabled: dead rows pile up, and transaction id wraparound will stop writes',
      fix: `ALTER TABLE ${r.table} RESET (autovacuum_enabled)`,
    }),
  },
  {
    name: 'no column of a reg* type',
    splinter: 'unsupported_reg_types',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table, a.attname AS column, t.typname AS type
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      WHERE n.nspname IN (${schemas}) AND c.relkind IN ('r', 'p') AND a.attnum > 0
        AND NOT a.attisdropped
        AND t.typname IN ('regcollation', 'regconfig', 'regdictionary', 'regnamespace',
                          'regoper', 'regoperator', 'regproc', 'regprocedure')`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `column ${r.column} is of type ${r.type}: pg_upgrade refuses such a database`,
      fix: `store the object's name as text in ${r.column}`,
    }),
  },
  {
    name: 'the API roles read no relation RLS cannot guard',
    splinter:
      'materialized_view_in_api, foreign_table_in_api, security_definer_view, auth_users_exposed',
    query: ({ schemas, callers }) => sql`
      SELECT n.nspname || '.' || c.relname AS table,
        CASE c.relkind WHEN 'm' THEN 'a materialized view' WHEN 'f' THEN 'a foreign table'
          ELSE 'a view that runs as its owner' END AS kind
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas})
        AND EXISTS (SELECT 1 FROM unnest(ARRAY[${callers}]::text[]) role
                    WHERE pg_catalog.has_table_privilege(role, c.oid, 'SELECT'))
        AND (c.relkind IN ('m', 'f')
          OR (c.relkind = 'v' AND NOT EXISTS (
            SELECT 1 FROM unnest(coalesce(c.reloptions, '{}')) o
            WHERE lower(o) IN ('security_invoker=true', 'security_invoker=on',
                               'security_invoker=1', 'security_invoker=yes'))))`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `is ${r.kind} the API roles may select: no row level security applies to what it shows`,
      fix: `REVOKE SELECT ON ${r.table} FROM anon, authenticated (or, for a view, ALTER VIEW ${r.table} SET (security_invoker = on))`,
    }),
  },
];
