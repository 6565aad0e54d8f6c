import type { Tampering } from './tampering';

/** Hand changes to a migrated database, each with the object the report must name. */
export const schemaObjectTamperings: Tampering[] = [
  {
    change: "a visitor's read policy checks its session row by row (no index can serve it)",
    statements: [
      `ALTER POLICY product_views_anon_select_own ON product_views USING (user_id IS NULL AND
         EXISTS (SELECT 1 FROM public.session_analytics s WHERE s.session_id = product_views.session_id))`,
    ],
    names:
      /product_views: the bare anon key cannot make select count\(\*\) read every row: its policies leave a sequential scan/,
    probes: true,
  },
  {
    change: 'an index is dropped',
    statements: ['DROP INDEX idx_affiliate_clicks_session_id'],
    names: /index idx_affiliate_clicks_session_id: missing/,
  },
  {
    change: "a partial index's predicate is changed",
    statements: [
      'DROP INDEX idx_user_preferences_data_quality',
      'CREATE INDEX idx_user_preferences_data_quality ON user_preferences (data_quality_score DESC) WHERE data_quality_score > 0.3',
    ],
    names: /index idx_user_preferences_data_quality: expected/,
  },
  {
    change: 'a check constraint is dropped',
    statements: [
      'ALTER TABLE affiliate_clicks DROP CONSTRAINT affiliate_clicks_commission_rate_check',
    ],
    names: /check affiliate_clicks_commission_rate_check: missing/,
  },
  {
    change: 'a check constraint is loosened',
    statements: [
      'ALTER TABLE product_views DROP CONSTRAINT product_views_view_position_check',
      'ALTER TABLE product_views ADD CONSTRAINT product_views_view_position_check CHECK (view_position >= 0)',
    ],
    names: /check product_views_view_position_check: expected/,
  },
  {
    change: "a foreign key's ON DELETE rule is changed",
    statements: [
      'ALTER TABLE affiliate_clicks DROP CONSTRAINT affiliate_clicks_product_id_products_id_fk',
      'ALTER TABLE affiliate_clicks ADD CONSTRAINT affiliate_clicks_product_id_products_id_fk FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE',
    ],
    names:
      /foreign key affiliate_clicks_product_id_products_id_fk: expected.*"set null".*"cascade"/,
  },
  {
    change: 'RLS is disabled on a table',
    statements: ['ALTER TABLE product_views DISABLE ROW LEVEL SECURITY'],
    names: /row level security enabled: expected true, found false/,
  },
  {
    change: 'a policy is widened to anonymous rows',
    statements: [
      'ALTER POLICY affiliate_clicks_select_own ON affiliate_clicks USING (user_id = (select auth.uid()) OR user_id IS NULL)',
    ],
    names: /policy affiliate_clicks_select_own: expected/,
  },
  {
    change: '(select auth.uid()) is replaced by a bare auth.uid()',
    statements: [
      'ALTER POLICY session_analytics_select_own ON session_analytics USING (user_id = auth.uid())',
    ],
    names: /policy session_analytics_select_own calls an auth function/,
  },
  {
    change: 'a duplicate index is added',
    statements: ['CREATE INDEX idx_affiliate_clicks_session_dup ON affiliate_clicks (session_id)'],
    names:
      /indexes idx_affiliate_clicks_session_dup, idx_affiliate_clicks_session_id are identical/,
  },
  {
    change: 'a trigger is dropped',
    statements: ['DROP TRIGGER update_affiliate_clicks_updated_at ON affiliate_clicks'],
    names: /trigger update_affiliate_clicks_updated_at: missing/,
  },
  {
    change: 'a column is added by hand',
    statements: ['ALTER TABLE product_views ADD COLUMN debug_note text'],
    names: /column debug_note: exists in the database but not in the schema/,
  },
  {
    change: 'a NOT NULL column is made nullable',
    statements: ['ALTER TABLE affiliate_clicks ALTER COLUMN session_id DROP NOT NULL'],
    names: /column session_id: expected .*"notNull":true.*found .*"notNull":false/,
  },
  {
    change: 'UPDATE on a computed column is granted to authenticated',
    statements: ['GRANT UPDATE (data_quality_score) ON user_preferences TO authenticated'],
    names: /privileges of authenticated: expected .*found .*UPDATE\(data_quality_score\)/,
  },
  {
    change: 'a server-owned column (actual_commission) is granted back to anon',
    statements: ['GRANT INSERT (actual_commission) ON affiliate_clicks TO anon'],
    names: /privileges of anon: expected .*found .*"INSERT\(actual_commission\)"/,
  },
  {
    change: 'TRUNCATE is granted back to service_role',
    statements: ['GRANT TRUNCATE ON product_views TO service_role'],
    names: /service_role holds no TRUNCATE, REFERENCES or TRIGGER: holds TRUNCATE/,
  },
  {
    change: 'new tables in public are handed to anon by default',
    statements: ['ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon'],
    names: /default privileges in public grant the API roles nothing: open: .*to anon/,
  },
  {
    change: 'TRUNCATE is granted to anon',
    statements: ['GRANT TRUNCATE ON affiliate_clicks TO anon'],
    names: /privileges of anon: expected \[.*\], found \[.*"TRUNCATE".*\]/,
  },
  {
    change: 'anon may read what a click earned',
    statements: ['GRANT SELECT (actual_commission) ON affiliate_clicks TO anon'],
    names: /privileges of anon: expected \[.*\], found \[.*"SELECT\(actual_commission\)".*\]/,
  },
  {
    change: "the click's revenue fields are no longer derived from its product",
    statements: ['DROP TRIGGER derive_affiliate_clicks_from_products ON affiliate_clicks'],
    names: /trigger derive_affiliate_clicks_from_products: missing/,
  },
  {
    change: "the trigger function's search_path is unpinned",
    statements: ['ALTER FUNCTION public.update_updated_at_column() RESET search_path'],
    names: /function public\.update_updated_at_column has a mutable search_path/,
  },
  {
    change: 'a default is changed',
    statements: ["ALTER TABLE user_preferences ALTER COLUMN calculation_version SET DEFAULT 'v0'"],
    names: /column calculation_version: expected/,
  },
  {
    change: 'a policy is dropped',
    statements: ['DROP POLICY product_views_anon_insert ON product_views'],
    names: /policy product_views_anon_insert: missing/,
  },
  {
    change: 'the MFA requirement on preferences is made permissive',
    statements: [
      'DROP POLICY user_preferences_update_requires_mfa ON user_preferences',
      `CREATE POLICY user_preferences_update_requires_mfa ON user_preferences AS PERMISSIVE
         FOR UPDATE TO authenticated WITH CHECK ((select auth.jwt() ->> 'aal') = 'aal2')`,
    ],
    names: /user_preferences_update_requires_mfa|MFA is required/,
  },
  {
    change: 'a table is added by hand',
    statements: ['CREATE TABLE public.scratch (id int PRIMARY KEY)'],
    names: /table scratch: exists but is not in the schema/,
  },
];
