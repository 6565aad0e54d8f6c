import type { Tampering } from './tampering';

/*
 * Changes around the declared objects: who the API roles are and may become, what the exposed
 * schema holds beside the tables, what the API roles reach elsewhere, and whether the tables keep
 * their rows and rules. Each must be caught without a clean copy to compare with. Four lists, one
 * test file each, so vitest's two workers share them evenly.
 */

/** Who the API roles are, may become and reach outside the exposed schema. */
export const roleTamperings: Tampering[] = [
  // Roles and memberships.
  {
    change: 'authenticated is made a member of service_role',
    statements: ['GRANT service_role TO authenticated'],
    names: /role authenticated memberships: member of service_role/,
    clusterWide: true,
  },
  {
    change: 'anon is made a member of the migration owner',
    statements: ['GRANT postgres TO anon'],
    names: /role anon memberships: member of postgres/,
    clusterWide: true,
  },
  {
    change: 'authenticated is granted pg_read_all_data',
    statements: ['GRANT pg_read_all_data TO authenticated'],
    names: /role authenticated memberships: member of pg_read_all_data/,
    clusterWide: true,
  },
  {
    change: 'authenticated gets BYPASSRLS',
    statements: ['ALTER ROLE authenticated BYPASSRLS'],
    names: /role authenticated attributes: holds BYPASSRLS/,
    clusterWide: true,
  },
  {
    change: 'anon gets CREATEROLE and LOGIN',
    statements: ['ALTER ROLE anon CREATEROLE LOGIN'],
    names: /role anon attributes: holds CREATEROLE, LOGIN/,
    clusterWide: true,
  },
  {
    change: 'anon loses its statement timeout',
    statements: ['ALTER ROLE anon RESET statement_timeout'],
    names: /role anon statement_timeout: is not set/,
    clusterWide: true,
  },
  {
    change: "authenticated's statement timeout is turned off",
    statements: ["ALTER ROLE authenticated SET statement_timeout = '0'"],
    names: /role authenticated statement_timeout: is 0 \(no limit\)/,
    clusterWide: true,
  },
  {
    change: 'service_role gets CREATEDB',
    statements: ['ALTER ROLE service_role CREATEDB'],
    names: /role service_role attributes: holds CREATEDB/,
    clusterWide: true,
  },
  {
    change: "PostgREST's authenticator inherits service_role",
    statements: [
      'CREATE ROLE authenticator LOGIN INHERIT',
      'GRANT anon, authenticated, service_role TO authenticator',
    ],
    names: /role authenticator attributes: holds INHERIT/,
    clusterWide: true,
  },
  {
    change: 'the authenticator may become the migration owner',
    statements: [
      'CREATE ROLE authenticator LOGIN NOINHERIT',
      'GRANT anon, authenticated, service_role, postgres TO authenticator',
    ],
    names: /role authenticator memberships: may also become postgres/,
    clusterWide: true,
  },
  // Default privileges.
  {
    change: "postgres's future tables are handed to authenticated",
    statements: [
      'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO authenticated',
    ],
    names:
      /default privileges in public grant the API roles nothing: open: SELECT on new tables of postgres to authenticated/,
  },
  {
    change: 'future sequences anywhere are handed to anon',
    statements: ['ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO anon'],
    names: /open: .*USAGE on new sequences of postgres to anon/,
  },
  {
    change: 'future functions in public are executable by authenticated',
    statements: [
      'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO authenticated',
    ],
    names: /open: .*EXECUTE on new functions of postgres to authenticated/,
  },
  // What the API roles reach outside the exposed schema.
  {
    change: 'auth.users is readable by anon',
    statements: ['GRANT SELECT ON auth.users TO anon'],
    names: /privileges of anon on auth\.users: anon SELECT/,
  },
  {
    change: 'the e-mail column of auth.users is readable by authenticated',
    statements: ['GRANT SELECT (email) ON auth.users TO authenticated'],
    names: /privileges of authenticated on auth\.users: authenticated SELECT\(email\)/,
  },
  {
    change: 'the migration history is readable by anon',
    statements: [
      'GRANT USAGE ON SCHEMA drizzle TO anon',
      'GRANT SELECT ON drizzle.__drizzle_migrations TO anon',
    ],
    names: /privileges of anon on drizzle\.__drizzle_migrations: anon SELECT/,
  },
  {
    change: 'authenticated may create objects in public',
    statements: ['GRANT CREATE ON SCHEMA public TO authenticated'],
    names: /authenticated may create objects in no schema: CREATE on schema public/,
  },
  {
    change: 'everyone may create objects in public',
    statements: ['GRANT CREATE ON SCHEMA public TO PUBLIC'],
    names: /anon may create objects in no schema: CREATE on schema public/,
  },
  {
    change: 'anon may create objects in extensions',
    statements: ['GRANT CREATE ON SCHEMA extensions TO anon'],
    names: /anon may create objects in no schema: CREATE on schema extensions/,
  },
];

/** What the exposed schema holds beside the tables. */
export const exposedTamperings: Tampering[] = [
  {
    change: 'a view reads affiliate_clicks as its owner and anon may select it',
    statements: [
      'CREATE VIEW public.click_feed AS SELECT * FROM public.affiliate_clicks',
      'GRANT SELECT ON public.click_feed TO anon',
    ],
    names:
      /view public\.click_feed: not declared in the schema: runs as its owner postgres \(security_invoker off\); reads public\.affiliate_clicks; anon SELECT/,
  },
  {
    change: 'an undeclared security-invoker view is added',
    statements: [
      'CREATE VIEW public.product_titles WITH (security_invoker = true) AS SELECT id, title FROM public.products',
    ],
    names: /view public\.product_titles: not declared in the schema: runs with the caller's rights/,
  },
  {
    change: 'a view exposes auth.users to signed-in users',
    statements: [
      'CREATE VIEW public.user_emails AS SELECT id, email FROM auth.users',
      'GRANT SELECT ON public.user_emails TO authenticated',
    ],
    names: /view public\.user_emails: .*reads auth\.users; authenticated SELECT/,
  },
  {
    change: 'a materialized view of clicks is readable by authenticated',
    statements: [
      'CREATE MATERIALIZED VIEW public.click_totals AS SELECT affiliate_network, count(*) AS clicks FROM public.affiliate_clicks GROUP BY 1',
      'GRANT SELECT ON public.click_totals TO authenticated',
    ],
    names: /materialized view public\.click_totals: not declared.*authenticated SELECT/,
  },
  {
    change: 'a SECURITY DEFINER function returns every click to anon',
    statements: [
      'CREATE FUNCTION public.all_clicks() RETURNS SETOF public.affiliate_clicks LANGUAGE sql SECURITY DEFINER AS $$ SELECT * FROM public.affiliate_clicks $$',
      'GRANT EXECUTE ON FUNCTION public.all_clicks() TO anon',
    ],
    names:
      /function public\.all_clicks\(\): not declared in the schema: SECURITY DEFINER as postgres; search_path not pinned; executable by anon/,
  },
  {
    change: 'an undeclared invoker function is callable through the API',
    statements: [
      'CREATE FUNCTION public.add_numbers(a integer, b integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + b $$',
    ],
    names:
      /function public\.add_numbers\(integer,integer\): not declared in the schema: security invoker/,
  },
  {
    change: 'a sequence anon may advance is added',
    statements: [
      'CREATE SEQUENCE public.ticket_numbers',
      'GRANT USAGE, UPDATE ON SEQUENCE public.ticket_numbers TO anon',
    ],
    names: /sequence public\.ticket_numbers: not declared.*anon USAGE, anon UPDATE/,
  },
  {
    change: 'a foreign table is added and granted to anon',
    statements: [
      'CREATE FOREIGN DATA WRAPPER tamper_fdw',
      'CREATE SERVER tamper_server FOREIGN DATA WRAPPER tamper_fdw',
      'CREATE FOREIGN TABLE public.remote_orders (id integer) SERVER tamper_server',
      'GRANT SELECT ON public.remote_orders TO anon',
    ],
    names: /foreign table public\.remote_orders: not declared.*anon SELECT/,
  },
  {
    change: 'product_views is given to anon',
    statements: ['ALTER TABLE public.product_views OWNER TO anon'],
    names: /owner of table public\.product_views: anon, expected postgres/,
  },
  {
    change: 'the trigger function is given to authenticated',
    statements: ['ALTER FUNCTION public.update_updated_at_column() OWNER TO authenticated'],
    names: /owner of function public\.update_updated_at_column\(\): authenticated/,
  },
  {
    change: 'an enum type in public is given to anon',
    statements: [
      "CREATE TYPE public.gift_mood AS ENUM ('calm', 'bold')",
      'ALTER TYPE public.gift_mood OWNER TO anon',
    ],
    names: /owner of type public\.gift_mood: anon, expected postgres/,
  },
  {
    change: 'SELECT on product_views is granted to PUBLIC',
    statements: ['GRANT SELECT ON public.product_views TO PUBLIC'],
    names: /privileges of PUBLIC on public\.product_views: PUBLIC holds SELECT/,
  },
  {
    change: "UPDATE of a product's title is granted to PUBLIC",
    statements: ['GRANT UPDATE (title) ON public.products TO PUBLIC'],
    names: /privileges of PUBLIC on public\.products: PUBLIC holds UPDATE\(title\)/,
  },
];

/** Whether the tables keep their rows and rules. */
export const durabilityTamperings: Tampering[] = [
  {
    change: 'every trigger of one partition is disabled (its foreign keys with them)',
    statements: ['ALTER TABLE aclue_partitions.product_views_default DISABLE TRIGGER ALL'],
    names:
      /product_views: foreign keys are enforced: \d+ of its triggers are disabled on aclue_partitions\.product_views_default/,
  },
  {
    change: 'a rollup table is set UNLOGGED',
    statements: ['ALTER TABLE aclue_rollups.product_views_by_product_daily SET UNLOGGED'],
    names: /aclue_rollups\.product_views_by_product_daily is logged: UNLOGGED/,
  },
  {
    change: 'a trigger is created on one partition',
    statements: [
      `CREATE TRIGGER stray BEFORE INSERT ON aclue_partitions.product_views_default
         FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column()`,
    ],
    names:
      /trigger stray on partition aclue_partitions\.product_views_default: exists on one partition/,
  },
  {
    change: 'session_analytics is made UNLOGGED',
    statements: ['ALTER TABLE public.session_analytics SET UNLOGGED'],
    names: /session_analytics: table is logged: UNLOGGED: its changes/,
  },
  {
    change: "this month's partition of product_views is made UNLOGGED",
    statements: [
      "DO $$ BEGIN EXECUTE format('ALTER TABLE aclue_partitions.%I SET UNLOGGED', 'product_views_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')); END $$",
    ],
    names:
      /product_views: table is logged: UNLOGGED: aclue_partitions\.product_views_p\d{4}_\d{2}: their changes/,
  },
  {
    change: 'an index is left invalid, as after a failed CREATE INDEX CONCURRENTLY',
    statements: [
      "UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = 'public.idx_affiliate_clicks_session_id'::regclass",
    ],
    names: /index idx_affiliate_clicks_session_id is valid: invalid/,
  },
  {
    change: 'a foreign key is made DEFERRABLE',
    statements: [
      'ALTER TABLE public.affiliate_clicks ALTER CONSTRAINT affiliate_clicks_product_id_products_id_fk DEFERRABLE INITIALLY DEFERRED',
    ],
    names: /foreign key affiliate_clicks_product_id_products_id_fk is enforced at once: DEFERRABLE/,
  },
  {
    change: 'a check is re-added NOT VALID',
    statements: [
      'ALTER TABLE public.product_views DROP CONSTRAINT product_views_view_position_check',
      'ALTER TABLE public.product_views ADD CONSTRAINT product_views_view_position_check CHECK (view_position >= 1 AND view_position <= 1000) NOT VALID',
    ],
    names: /check product_views_view_position_check is enforced at once: NOT VALID/,
  },
  {
    change: 'a foreign key is re-added NOT VALID',
    statements: [
      'ALTER TABLE public.affiliate_clicks DROP CONSTRAINT affiliate_clicks_product_id_products_id_fk',
      'ALTER TABLE public.affiliate_clicks ADD CONSTRAINT affiliate_clicks_product_id_products_id_fk FOREIGN KEY (product_id) REFERENCES public.products(id) ON DELETE SET NULL NOT VALID',
    ],
    names: /foreign key affiliate_clicks_product_id_products_id_fk is enforced at once: NOT VALID/,
  },
  {
    change: "affiliate_clicks' triggers, foreign-key enforcement included, are disabled",
    statements: ['ALTER TABLE public.affiliate_clicks DISABLE TRIGGER ALL'],
    names:
      /affiliate_clicks: foreign keys are enforced: \d+ of its triggers are disabled on affiliate_clicks/,
  },
  {
    change: 'a rule silently drops every new view',
    statements: ['CREATE RULE drop_views AS ON INSERT TO public.product_views DO INSTEAD NOTHING'],
    names: /rule drop_views: rewrites every INSERT on product_views/,
  },
  {
    change: 'a publication ships affiliate_clicks',
    statements: ['CREATE PUBLICATION click_feed FOR TABLE public.affiliate_clicks'],
    names: /publication click_feed: publishes affiliate_clicks/,
  },
  {
    change: 'a publication ships every table',
    statements: ['CREATE PUBLICATION everything FOR ALL TABLES'],
    names: /publication everything: publishes .*product_views/,
  },
  {
    change: 'an event trigger runs on every DDL statement',
    statements: [
      'CREATE FUNCTION public.watch_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$',
      'CREATE EVENT TRIGGER watch_ddl ON ddl_command_end EXECUTE FUNCTION public.watch_ddl()',
    ],
    names: /event trigger watch_ddl: runs public\.watch_ddl as postgres on every ddl_command_end/,
  },
];

/** Partitions are tables: reachable by their own name unless kept out of the API's reach. */
export const partitionTamperings: Tampering[] = [
  {
    change: 'a partition of product_views is created in public',
    statements: [
      "CREATE TABLE public.product_views_p2031_01 PARTITION OF public.product_views FOR VALUES FROM ('2031-01-01 00:00:00+00') TO ('2031-02-01 00:00:00+00')",
    ],
    names:
      /partition public\.product_views_p2031_01 lives in aclue_partitions: it is in schema public, which the API serves/,
  },
  {
    change: 'row level security is disabled on the default partition',
    statements: ['ALTER TABLE aclue_partitions.product_views_default DISABLE ROW LEVEL SECURITY'],
    names:
      /partition aclue_partitions\.product_views_default: row level security enabled: disabled/,
  },
  {
    change: 'anon is granted SELECT on a partition',
    statements: ['GRANT SELECT ON aclue_partitions.product_views_default TO anon'],
    names: /product_views_default: no API role holds anything: held by anon/,
  },
  {
    change: 'PUBLIC is granted INSERT on a partition',
    statements: ['GRANT INSERT ON aclue_partitions.product_views_default TO PUBLIC'],
    names: /product_views_default: no API role holds anything: held by anon, authenticated/,
  },
  {
    change: 'the API roles get USAGE on the partition schema',
    statements: ['GRANT USAGE ON SCHEMA aclue_partitions TO PUBLIC'],
    names:
      /the API roles have no USAGE on schema aclue_partitions: USAGE held by anon, authenticated/,
  },
  {
    change: "next month's partition of product_views is detached",
    statements: [
      "DO $$ BEGIN EXECUTE format('ALTER TABLE public.product_views DETACH PARTITION aclue_partitions.%I', 'product_views_p' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYY_MM')); END $$",
    ],
    names:
      /product_views: partition for \d{4}-\d{2} exists: no aclue_partitions\.product_views_p\d{4}_\d{2}/,
  },
  {
    change: 'authenticated gets USAGE on the rollup schema',
    statements: ['GRANT USAGE ON SCHEMA aclue_rollups TO authenticated'],
    names: /the API roles have no USAGE on schema aclue_rollups: USAGE held by authenticated/,
  },
  {
    change: 'the service role may write a rollup',
    statements: ['GRANT INSERT, DELETE ON aclue_rollups.session_analytics_daily TO service_role'],
    names:
      /aclue_rollups\.session_analytics_daily: read by service_role only: service_role may INSERT, DELETE/,
  },
  {
    change: 'the index popularity ranks converting products by is dropped',
    statements: ['DROP INDEX aclue_rollups.affiliate_clicks_by_product_daily_converting'],
    names: /index aclue_rollups\.affiliate_clicks_by_product_daily_converting: missing/,
  },
  {
    change: 'a rollup index keeps its name but indexes something else',
    statements: [
      'DROP INDEX aclue_rollups.product_views_by_product_daily_product',
      'CREATE INDEX product_views_by_product_daily_product ON aclue_rollups.product_views_by_product_daily (views)',
      'DROP INDEX aclue_rollups.affiliate_clicks_by_product_daily_converting',
      'CREATE INDEX affiliate_clicks_by_product_daily_converting ON aclue_rollups.affiliate_clicks_by_product_daily (day) INCLUDE (key, conversions) WHERE conversions > 0',
    ],
    names:
      /^(?=[\s\S]*index aclue_rollups\.product_views_by_product_daily_product: expected \(product_id, day\), found \(views\))(?=[\s\S]*index aclue_rollups\.affiliate_clicks_by_product_daily_converting: expected .*WHERE conversions<>0, found .*WHERE conversions>0)/,
  },
  {
    change: 'a rollup trigger is disabled, so writes stop marking days',
    statements: ['ALTER TABLE affiliate_clicks DISABLE TRIGGER mark_rollup_days_on_update'],
    names: /trigger mark_rollup_days_on_update: expected .*"enabled":true.*found .*"enabled":false/,
  },
  {
    change: 'the day-marking function loses SECURITY DEFINER (anonymous writes would fail)',
    statements: ['ALTER FUNCTION aclue_rollups.mark_product_views_days_dirty() SECURITY INVOKER'],
    names:
      /function aclue_rollups\.mark_product_views_days_dirty\(\) signature: expected .*"definer":true/,
  },
  {
    change: 'a rollup trigger is set to fire on replicas only (so never here)',
    statements: ['ALTER TABLE product_views ENABLE REPLICA TRIGGER mark_rollup_days_on_insert'],
    names: /trigger mark_rollup_days_on_insert: expected .*"enabled":true.*found .*"enabled":false/,
  },
  {
    change: 'a rollup trigger gets a WHEN (false) condition',
    statements: [
      'CREATE OR REPLACE TRIGGER mark_rollup_days_on_update AFTER UPDATE ON affiliate_clicks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (false) EXECUTE FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty()',
    ],
    names: /trigger mark_rollup_days_on_update: expected .*"when":false.*found .*"when":true/,
  },
  {
    change: 'the day-marking function is replaced by one that marks nothing',
    statements: [
      "CREATE OR REPLACE FUNCTION aclue_rollups.mark_session_analytics_days_dirty() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $fn$BEGIN RETURN NULL; END$fn$",
    ],
    names:
      /function aclue_rollups\.mark_session_analytics_days_dirty\(\) body: differs from its declaration/,
  },
  {
    change: 'a rule swallows the day marks',
    statements: ['CREATE RULE swallow AS ON INSERT TO aclue_rollups.dirty_days DO INSTEAD NOTHING'],
    names: /no rules or triggers on the tables of aclue_rollups: rule swallow on dirty_days/,
  },
];
