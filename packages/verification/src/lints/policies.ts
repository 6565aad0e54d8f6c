import { sql } from 'drizzle-orm';
import type { Lint } from './rule';

/**
 * A policy's expressions, one row per policy of the owned schemas: `quals` is USING and WITH
 * CHECK together, as PostgreSQL prints them back.
 */
const policies = (schemas: ReturnType<Lint['query']>) => sql`
  SELECT p.schemaname || '.' || p.tablename AS table, p.policyname AS policy, p.permissive,
    p.cmd, p.roles::text[] AS roles, p.qual, p.with_check,
    coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '') AS quals
  FROM pg_catalog.pg_policies p WHERE p.schemaname IN (${schemas})`;

/** `true`, `(true)`, `1=1`: an expression that admits every row. */
const alwaysTrue = (column: string) =>
  sql.raw(
    `regexp_replace(lower(coalesce(${column}, '')), '\\s', '', 'g') IN ('true', '(true)', '1=1', '(1=1)')`,
  );

/** The policy applies to the API roles (or to everyone). */
const forApiRoles = (callers: ReturnType<Lint['query']>) =>
  sql`(roles && ARRAY['public', ${callers}]::text[])`;

/** Lints on row level security and its policies. */
export const policyLints: Lint[] = [
  {
    name: 'row level security is enabled on every table',
    splinter: 'rls_disabled_in_public, sensitive_columns_exposed',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas}) AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: 'RLS is off: anon and authenticated reach every row their grants allow',
      fix: `ALTER TABLE ${r.table} ENABLE ROW LEVEL SECURITY`,
    }),
  },
  {
    name: 'no policy sits on a table without RLS',
    splinter: 'policy_exists_rls_disabled',
    query: ({ schemas }) => sql`
      SELECT DISTINCT n.nspname || '.' || c.relname AS table FROM pg_catalog.pg_policy p
      JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas}) AND NOT c.relrowsecurity`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: 'has policies, but RLS is disabled so none of them applies',
      fix: `ALTER TABLE ${r.table} ENABLE ROW LEVEL SECURITY`,
    }),
  },
  {
    name: 'every table with RLS has a policy',
    splinter: 'rls_enabled_no_policy',
    query: ({ schemas }) => sql`
      SELECT n.nspname || '.' || c.relname AS table FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas}) AND c.relkind IN ('r', 'p') AND c.relrowsecurity
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid)`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: 'RLS is on with no policy: nothing says whether that is on purpose',
      fix: `add the policies the table needs; for a table no API role may use: CREATE POLICY service_only ON ${r.table} AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false)`,
    }),
  },
  {
    name: 'policies call auth functions once per statement',
    splinter: 'auth_rls_initplan',
    query: ({ schemas }) => sql`
      SELECT "table", policy FROM (${policies(schemas)}) p
      WHERE (SELECT count(*) FROM regexp_matches(quals, 'auth\\.(uid|jwt|role|email)\\(\\)', 'g')) >
            (SELECT count(*) FROM regexp_matches(quals, 'select\\s+auth\\.(uid|jwt|role|email)\\(\\)', 'gi'))`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `policy ${r.policy} calls an auth function (auth.uid(), auth.jwt(), …) per row`,
      fix: 'write each call as (select auth.uid()) / ((select auth.jwt()) ->> …) so PostgreSQL evaluates it once per statement',
    }),
  },
  {
    name: 'one permissive policy per role and command',
    splinter: 'multiple_permissive_policies',
    query: ({ schemas }) => sql`
      WITH expanded AS (
        SELECT p."table", p.policy, r.role, c.command
        FROM (${policies(schemas)}) p
        CROSS JOIN LATERAL unnest(p.roles) AS r(role)
        CROSS JOIN LATERAL unnest(CASE p.cmd WHEN 'ALL' THEN ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']
                                  ELSE ARRAY[p.cmd] END) AS c(command)
        WHERE p.permissive = 'PERMISSIVE')
      SELECT "table", role, command, string_agg(policy, ', ' ORDER BY policy) AS policies
      FROM expanded GROUP BY "table", role, command HAVING count(*) > 1`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `${r.role} has several permissive ${r.command} policies (${r.policies}): every one runs for every row`,
      fix: 'merge them into one policy per role and command',
    }),
  },
  {
    name: 'no policy lets the API roles write every row',
    splinter: 'rls_policy_always_true',
    query: ({ schemas, callers }) => sql`
      SELECT "table", policy, cmd FROM (${policies(schemas)}) p
      WHERE permissive = 'PERMISSIVE' AND ${forApiRoles(callers)} AND (
        (cmd IN ('UPDATE', 'DELETE', 'ALL') AND (qual IS NULL OR ${alwaysTrue('qual')}))
        OR ${alwaysTrue('with_check')}
        OR (with_check IS NULL AND cmd = 'INSERT'))`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `policy ${r.policy} (${r.cmd}) admits every row: it only looks like row level security`,
      fix: `give ${r.policy} a condition on the caller (e.g. user_id = (select auth.uid()))`,
    }),
  },
  {
    name: 'no read policy is true when the caller is unknown',
    splinter: 'rls_policy_null_auth_disjunct',
    query: ({ schemas, callers }) => sql`
      SELECT "table", policy FROM (${policies(schemas)}) p
      WHERE permissive = 'PERMISSIVE' AND cmd IN ('SELECT', 'ALL') AND ${forApiRoles(callers)}
        AND lower(qual) ~ '\\mor\\M'
        AND lower(qual) ~ '(auth\\.(uid|jwt|role)\\(\\)|current_setting\\([^()]*,\\s*true\\))[^()]*\\)*\\s+is\\s+null'`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `policy ${r.policy} has an "auth function IS NULL OR …" branch: a caller without that claim sees every row`,
      fix: `rewrite ${r.policy} as "<claim> IS NOT NULL AND …", or deny explicitly`,
    }),
  },
  {
    name: 'no policy trusts user_metadata',
    splinter: 'rls_references_user_metadata',
    query: ({ schemas }) => sql`
      SELECT "table", policy FROM (${policies(schemas)}) p WHERE quals ~* 'user_metadata'`,
    describe: (r) => ({
      table: r.table ?? null,
      detail: `policy ${r.policy} reads the token's user_metadata, which every user can edit`,
      fix: 'decide on app_metadata (set by the server only) or on a column the user cannot write',
    }),
  },
];
