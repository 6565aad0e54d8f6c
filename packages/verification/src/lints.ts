import { type Executor, queryRows } from '@aclue/db';
import { type SQL, sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from './results';

/**
 * Lints of the kind Supabase's database advisors run, over a whole schema. Each lint is one query
 * that returns the offending objects; none found is a pass.
 */
interface Lint {
  name: string;
  query: (schema: string) => SQL;
  /** The finding for one offending row: which object, and the fix. */
  describe: (row: Record<string, string>) => { table: string | null; detail: string; fix: string };
}

const lints: Lint[] = [
  {
    name: 'foreign keys have a covering index',
    query: (schema) => sql`
      SELECT c.relname AS table, k.conname AS constraint
      FROM pg_catalog.pg_constraint k
      JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = ${schema}
        AND NOT EXISTS (
          SELECT 1 FROM pg_catalog.pg_index i
          WHERE i.indrelid = k.conrelid
            AND (i.indkey::int2[])[0:array_length(k.conkey, 1) - 1] = k.conkey)`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `foreign key ${r.constraint} has no index leading with its columns: deletes of the parent scan this table`,
      fix: `add an index on the foreign key's columns of ${r.table}`,
    }),
  },
  {
    name: 'policies call auth functions once per statement',
    query: (schema) => sql`
      SELECT tablename AS table, policyname AS policy
      FROM pg_catalog.pg_policies
      WHERE schemaname = ${schema} AND (
        (SELECT count(*) FROM regexp_matches(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
           'auth\\.(uid|jwt|role)\\(\\)', 'g')) >
        (SELECT count(*) FROM regexp_matches(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
           'SELECT \\(?auth\\.(uid|jwt|role)\\(\\)', 'gi')))`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `policy ${r.policy} calls auth.uid()/auth.jwt()/auth.role() per row`,
      fix: 'wrap the call as (select auth.uid()) so PostgreSQL evaluates it once per statement',
    }),
  },
  {
    name: 'no duplicate indexes',
    query: (schema) => sql`
      SELECT c.relname AS table, string_agg(ic.relname, ', ' ORDER BY ic.relname) AS indexes
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema}
      GROUP BY c.relname, i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text,
        i.indoption::text, coalesce(pg_catalog.pg_get_expr(i.indexprs, i.indrelid), ''),
        coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), '')
      HAVING count(*) > 1`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `indexes ${r.indexes} are identical`,
      fix: 'drop all but one (a unique constraint already brings its own index)',
    }),
  },
  {
    name: 'one permissive policy per role and command',
    query: (schema) => sql`
      WITH expanded AS (
        SELECT p.tablename, p.policyname, r.role, c.command
        FROM pg_catalog.pg_policies p
        CROSS JOIN LATERAL unnest(p.roles) AS r(role)
        CROSS JOIN LATERAL unnest(CASE p.cmd WHEN 'ALL' THEN ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']
                                  ELSE ARRAY[p.cmd] END) AS c(command)
        WHERE p.schemaname = ${schema} AND p.permissive = 'PERMISSIVE')
      SELECT tablename AS table, role, command,
        string_agg(policyname, ', ' ORDER BY policyname) AS policies
      FROM expanded GROUP BY tablename, role, command HAVING count(*) > 1`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `${r.role} has several permissive ${r.command} policies (${r.policies}): every one runs for every row`,
      fix: 'merge them into one policy per role and command',
    }),
  },
  {
    name: 'functions pin their search_path',
    query: (schema) => sql`
      SELECT NULL AS table, n.nspname || '.' || p.proname AS function
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = ${schema}
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.objid = p.oid AND d.deptype = 'e')
        AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c
                        WHERE c LIKE 'search_path=%')`,
    describe: (r) => ({
      table: null,
      detail: `function ${r.function} has a mutable search_path`,
      fix: `ALTER FUNCTION ${r.function} SET search_path = ''`,
    }),
  },
  {
    name: 'row level security is enabled on every table',
    query: (schema) => sql`
      SELECT c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `RLS is off: anon and authenticated reach every row their grants allow`,
      fix: `ALTER TABLE ${r.table} ENABLE ROW LEVEL SECURITY`,
    }),
  },
  {
    name: 'no policy sits on a table without RLS',
    query: (schema) => sql`
      SELECT DISTINCT c.relname AS table FROM pg_catalog.pg_policy p
      JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND NOT c.relrowsecurity`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: 'has policies, but RLS is disabled so none of them applies',
      fix: `ALTER TABLE ${r.table} ENABLE ROW LEVEL SECURITY`,
    }),
  },
  {
    name: 'every table with RLS has a policy',
    query: (schema) => sql`
      SELECT c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p') AND c.relrowsecurity
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid)`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: 'RLS is on with no policy: only the service role can use it',
      fix: 'add the policies the table needs (or document that it is service-only)',
    }),
  },
  {
    name: 'every table has a primary key',
    query: (schema) => sql`
      SELECT c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                        WHERE k.conrelid = c.oid AND k.contype = 'p')`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: 'has no primary key: rows cannot be addressed or replicated reliably',
      fix: 'add a primary key',
    }),
  },
];

export async function runLints(db: Executor, schema: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const lint of lints) {
    const rows = await queryRows<Record<string, string>>(db, lint.query(schema));
    if (rows.length === 0) results.push(pass('lints', null, lint.name));
    for (const row of rows) {
      const { table, detail, fix } = lint.describe(row);
      results.push(fail('lints', table, lint.name, detail, fix));
    }
  }
  return results;
}
