import { createTestDatabase, type TestDatabase, testDrivers } from '@aclue/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lints, runLints } from '../src/lints';
import { rolledBack } from './rolled-back';

/**
 * Each hand change a Supabase linter (splinter) rule warns about, made in a transaction on a
 * freshly migrated database and rolled back: `runLints` (part of every `verify`) must fail,
 * naming the rule's check and the object.
 */
const tamperings: { change: string; statements: string[]; names: RegExp; pgOnly?: true }[] = [
  {
    change: 'a policy calls auth.jwt() once per row',
    statements: [
      `ALTER POLICY affiliate_clicks_anon_select_own ON affiliate_clicks
         USING (user_id IS NULL AND anonymous_id = (auth.jwt() ->> 'anonymous_id'))`,
    ],
    names:
      /affiliate_clicks: policies call auth functions once per statement: .*affiliate_clicks_anon_select_own/,
  },
  {
    change: 'a rollup table loses its primary key',
    statements: ['ALTER TABLE aclue_rollups.dirty_days DROP CONSTRAINT dirty_days_pkey'],
    names: /aclue_rollups\.dirty_days: every table has a primary key/,
  },
  {
    change: 'a partition loses its service-only policy',
    statements: ['DROP POLICY service_only ON aclue_partitions.product_views_default'],
    names: /aclue_partitions\.product_views_default: every table with RLS has a policy/,
  },
  {
    change: 'RLS is turned off on a rollup table',
    statements: ['ALTER TABLE aclue_rollups.refreshed_days DISABLE ROW LEVEL SECURITY'],
    names: /aclue_rollups\.refreshed_days: no policy sits on a table without RLS/,
  },
  {
    change: 'anon may run a SECURITY DEFINER function',
    statements: [
      'GRANT EXECUTE ON FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty() TO anon',
    ],
    names:
      /anon may execute SECURITY DEFINER function aclue_rollups\.mark_affiliate_clicks_days_dirty/,
  },
  {
    change: 'an update policy admits every row',
    statements: [
      'CREATE POLICY anyone_updates ON products FOR UPDATE TO authenticated USING (true)',
    ],
    names: /products: no policy lets the API roles write every row: policy anyone_updates/,
  },
  {
    change: 'a read policy is true for a caller without a user id',
    statements: [
      `CREATE POLICY peek ON affiliate_clicks FOR SELECT TO anon
         USING ((select auth.uid()) IS NULL OR user_id = (select auth.uid()))`,
    ],
    names: /no read policy is true when the caller is unknown: policy peek/,
  },
  {
    change: "a policy trusts the token's user_metadata",
    statements: [
      `CREATE POLICY staff_read ON conversion_corrections FOR SELECT TO authenticated
         USING (((select auth.jwt()) -> 'user_metadata' ->> 'staff') = 'true')`,
    ],
    names: /no policy trusts user_metadata: policy staff_read/,
  },
  {
    change: 'anon may select a materialized view',
    statements: [
      'CREATE MATERIALIZED VIEW public.click_totals AS SELECT count(*) AS clicks FROM affiliate_clicks',
      'GRANT SELECT ON public.click_totals TO anon',
    ],
    names: /click_totals: the API roles read no relation RLS cannot guard: is a materialized view/,
  },
  {
    change: 'autovacuum is disabled on a rollup table',
    statements: ['ALTER TABLE aclue_rollups.dirty_days SET (autovacuum_enabled = false)'],
    names: /aclue_rollups\.dirty_days: autovacuum is on for every table/,
  },
  {
    change: 'an index is left invalid',
    statements: [
      `UPDATE pg_catalog.pg_index SET indisvalid = false
         WHERE indexrelid = 'public.idx_affiliate_clicks_session_id'::regclass`,
    ],
    names: /no invalid indexes: index idx_affiliate_clicks_session_id is invalid/,
  },
  {
    change: "a function's search_path is reset",
    statements: ['ALTER FUNCTION aclue_rollups.mark_product_views_days_dirty() RESET search_path'],
    names: /function aclue_rollups\.mark_product_views_days_dirty has a mutable search_path/,
  },
  {
    change: 'an extension is installed in public',
    statements: ['CREATE EXTENSION isn SCHEMA public'],
    names: /no extension lives in public: extension isn/,
    // PGlite loads an extension only when the client asks for it at start.
    pgOnly: true,
  },
];

const failures = (results: Awaited<ReturnType<typeof runLints>>) =>
  results
    .filter((r) => !r.ok)
    .map((r) => `${r.table}: ${r.name}: ${r.detail}`)
    .join('\n');

describe.each(testDrivers())('Supabase linter rules on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  /** Runs the lints after `statements`, then undoes them. */
  const lintAfter = (statements: readonly string[]) =>
    rolledBack(database.db, (tx) => runLints(tx, 'public'), statements);

  it('finds nothing on a freshly migrated database', async () => {
    const results = await lintAfter([]);
    expect(failures(results)).toBe('');
    expect(results).toHaveLength(lints.length);
  });

  const runnable = tamperings.filter((t) => driver !== 'pglite' || !t.pgOnly);
  it.each(runnable)('fails when $change, naming it', async ({ statements, names }) => {
    expect(failures(await lintAfter(statements))).toMatch(names);
  });
});
