CREATE SCHEMA IF NOT EXISTS aclue_rollups;
--> statement-breakpoint
REVOKE ALL ON SCHEMA aclue_rollups FROM PUBLIC, anon, authenticated;
--> statement-breakpoint
GRANT USAGE ON SCHEMA aclue_rollups TO service_role;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA aclue_rollups REVOKE ALL ON TABLES FROM PUBLIC, anon, authenticated;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA aclue_rollups REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC, anon, authenticated;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups.dirty_days (source text NOT NULL, day date NOT NULL, hour integer NOT NULL, marked_at timestamptz NOT NULL DEFAULT pg_catalog.now());
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS dirty_days_source_day ON aclue_rollups.dirty_days (source, day);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups.refreshed_days (source text NOT NULL, day date NOT NULL, through timestamptz NOT NULL, refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now(), PRIMARY KEY (source, day));
--> statement-breakpoint
ALTER TABLE aclue_rollups.dirty_days ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups.dirty_days FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups.dirty_days TO service_role;
--> statement-breakpoint
ALTER TABLE aclue_rollups.refreshed_days ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups.refreshed_days FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups.refreshed_days TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_clicks_by_network_daily" (day date NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_network_daily_day" ON aclue_rollups."affiliate_clicks_by_network_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_network_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_network_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_network_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_clicks_by_source_page_daily" (day date NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_source_page_daily_day" ON aclue_rollups."affiliate_clicks_by_source_page_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_source_page_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_source_page_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_source_page_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_clicks_by_device_daily" (day date NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_device_daily_day" ON aclue_rollups."affiliate_clicks_by_device_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_device_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_device_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_device_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_clicks_by_campaign_daily" (day date NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_campaign_daily_day" ON aclue_rollups."affiliate_clicks_by_campaign_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_campaign_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_campaign_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_campaign_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_clicks_by_product_daily" (day date NOT NULL, "key" uuid, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_product_daily_day" ON aclue_rollups."affiliate_clicks_by_product_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_product_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_product_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_product_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_conversions_daily" (day date NOT NULL, "conversions" bigint NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_conversions_daily_day" ON aclue_rollups."affiliate_conversions_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_conversions_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_conversions_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_conversions_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."affiliate_clicks_sessions_daily" (day date NOT NULL, "session_id" text);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_sessions_daily_day" ON aclue_rollups."affiliate_clicks_sessions_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_sessions_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_sessions_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_sessions_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."product_views_by_position_daily" (day date NOT NULL, "view_source" text, "view_position" integer, "views" bigint NOT NULL, "clicks" bigint NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_by_position_daily_day" ON aclue_rollups."product_views_by_position_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_by_position_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."product_views_by_position_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."product_views_by_position_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."product_views_by_product_daily" (day date NOT NULL, "product_id" uuid, "views" bigint NOT NULL, "engagements" bigint NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_by_product_daily_day" ON aclue_rollups."product_views_by_product_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_by_product_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."product_views_by_product_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."product_views_by_product_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."product_views_sessions_daily" (day date NOT NULL, "session_id" text);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_sessions_daily_day" ON aclue_rollups."product_views_sessions_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_sessions_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."product_views_sessions_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."product_views_sessions_daily" TO service_role;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS aclue_rollups."session_analytics_daily" (day date NOT NULL, "sessions" bigint NOT NULL, "timed_sessions" bigint NOT NULL, "duration_seconds" bigint NOT NULL, "pages_viewed" bigint NOT NULL, "bounces" bigint NOT NULL, "conversions" bigint NOT NULL, "conversion_value" numeric NOT NULL);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "session_analytics_daily_day" ON aclue_rollups."session_analytics_daily" (day);
--> statement-breakpoint
ALTER TABLE aclue_rollups."session_analytics_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."session_analytics_daily" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."session_analytics_daily" TO service_role;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO aclue_rollups.dirty_days (source, day, hour)
    SELECT DISTINCT 'affiliate_clicks', v.day, v.hour
    FROM new_rows r, LATERAL (VALUES ((r."click_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."click_timestamp" AT TIME ZONE 'UTC'))::integer), ((r."conversion_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."conversion_timestamp" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM aclue_rollups.dirty_days m
        WHERE m.source = 'affiliate_clicks' AND m.day = v.day AND m.hour = v.hour));
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO aclue_rollups.dirty_days (source, day, hour)
    SELECT DISTINCT 'affiliate_clicks', v.day, v.hour
    FROM old_rows r, LATERAL (VALUES ((r."click_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."click_timestamp" AT TIME ZONE 'UTC'))::integer), ((r."conversion_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."conversion_timestamp" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM aclue_rollups.dirty_days m
        WHERE m.source = 'affiliate_clicks' AND m.day = v.day AND m.hour = v.hour));
  END IF;
  -- No row says which days a TRUNCATE emptied: none counts as refreshed any more.
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM aclue_rollups.refreshed_days WHERE source = 'affiliate_clicks';
  END IF;
  RETURN NULL;
END;
$fn$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION aclue_rollups.mark_product_views_days_dirty()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO aclue_rollups.dirty_days (source, day, hour)
    SELECT DISTINCT 'product_views', v.day, v.hour
    FROM new_rows r, LATERAL (VALUES ((r."view_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."view_timestamp" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM aclue_rollups.dirty_days m
        WHERE m.source = 'product_views' AND m.day = v.day AND m.hour = v.hour));
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO aclue_rollups.dirty_days (source, day, hour)
    SELECT DISTINCT 'product_views', v.day, v.hour
    FROM old_rows r, LATERAL (VALUES ((r."view_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."view_timestamp" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM aclue_rollups.dirty_days m
        WHERE m.source = 'product_views' AND m.day = v.day AND m.hour = v.hour));
  END IF;
  -- No row says which days a TRUNCATE emptied: none counts as refreshed any more.
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM aclue_rollups.refreshed_days WHERE source = 'product_views';
  END IF;
  RETURN NULL;
END;
$fn$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION aclue_rollups.mark_product_views_days_dirty() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION aclue_rollups.mark_session_analytics_days_dirty()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO aclue_rollups.dirty_days (source, day, hour)
    SELECT DISTINCT 'session_analytics', v.day, v.hour
    FROM new_rows r, LATERAL (VALUES ((r."started_at" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."started_at" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM aclue_rollups.dirty_days m
        WHERE m.source = 'session_analytics' AND m.day = v.day AND m.hour = v.hour));
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO aclue_rollups.dirty_days (source, day, hour)
    SELECT DISTINCT 'session_analytics', v.day, v.hour
    FROM old_rows r, LATERAL (VALUES ((r."started_at" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."started_at" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM aclue_rollups.dirty_days m
        WHERE m.source = 'session_analytics' AND m.day = v.day AND m.hour = v.hour));
  END IF;
  -- No row says which days a TRUNCATE emptied: none counts as refreshed any more.
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM aclue_rollups.refreshed_days WHERE source = 'session_analytics';
  END IF;
  RETURN NULL;
END;
$fn$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION aclue_rollups.mark_session_analytics_days_dirty() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_insert AFTER INSERT ON public.affiliate_clicks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_update AFTER UPDATE ON public.affiliate_clicks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_delete AFTER DELETE ON public.affiliate_clicks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_truncate AFTER TRUNCATE ON public.affiliate_clicks FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_affiliate_clicks_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_insert AFTER INSERT ON public.product_views REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_product_views_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_update AFTER UPDATE ON public.product_views REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_product_views_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_delete AFTER DELETE ON public.product_views REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_product_views_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_truncate AFTER TRUNCATE ON public.product_views FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_product_views_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_insert AFTER INSERT ON public.session_analytics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_session_analytics_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_update AFTER UPDATE ON public.session_analytics REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_session_analytics_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_delete AFTER DELETE ON public.session_analytics REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_session_analytics_days_dirty();
--> statement-breakpoint
CREATE TRIGGER mark_rollup_days_on_truncate AFTER TRUNCATE ON public.session_analytics FOR EACH STATEMENT EXECUTE FUNCTION aclue_rollups.mark_session_analytics_days_dirty();
--> statement-breakpoint
INSERT INTO aclue_rollups.dirty_days (source, day, hour)
  SELECT DISTINCT 'affiliate_clicks', v.day, v.hour FROM public."affiliate_clicks" r,
    LATERAL (VALUES ((r."click_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."click_timestamp" AT TIME ZONE 'UTC'))::integer), ((r."conversion_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."conversion_timestamp" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
  WHERE v.day IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM aclue_rollups.refreshed_days f WHERE f.source = 'affiliate_clicks' AND f.day = v.day)
    AND NOT EXISTS (SELECT 1 FROM aclue_rollups.dirty_days m WHERE m.source = 'affiliate_clicks' AND m.day = v.day AND m.hour = v.hour);
--> statement-breakpoint
INSERT INTO aclue_rollups.dirty_days (source, day, hour)
  SELECT DISTINCT 'product_views', v.day, v.hour FROM public."product_views" r,
    LATERAL (VALUES ((r."view_timestamp" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."view_timestamp" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
  WHERE v.day IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM aclue_rollups.refreshed_days f WHERE f.source = 'product_views' AND f.day = v.day)
    AND NOT EXISTS (SELECT 1 FROM aclue_rollups.dirty_days m WHERE m.source = 'product_views' AND m.day = v.day AND m.hour = v.hour);
--> statement-breakpoint
INSERT INTO aclue_rollups.dirty_days (source, day, hour)
  SELECT DISTINCT 'session_analytics', v.day, v.hour FROM public."session_analytics" r,
    LATERAL (VALUES ((r."started_at" AT TIME ZONE 'UTC')::date, pg_catalog.date_part('hour', (r."started_at" AT TIME ZONE 'UTC'))::integer)) AS v(day, hour)
  WHERE v.day IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM aclue_rollups.refreshed_days f WHERE f.source = 'session_analytics' AND f.day = v.day)
    AND NOT EXISTS (SELECT 1 FROM aclue_rollups.dirty_days m WHERE m.source = 'session_analytics' AND m.day = v.day AND m.hour = v.hour);
