SET LOCAL lock_timeout = '10s';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION aclue_partitions.maintain_monthly_partitions(
  parent regclass, key_column text, first_month timestamptz, last_month timestamptz)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = ''
SET timezone = 'UTC'
SET datestyle = 'ISO, YMD'
AS $fn$
DECLARE
  parent_name text;
  default_partition text;
  columns text;
  month_start timestamptz := pg_catalog.date_trunc('month', first_month);
  month_end timestamptz;
  partition_name text;
  found regclass;
BEGIN
  -- Two maintainers (or a maintainer and retention) take turns until commit.
  PERFORM pg_catalog.pg_advisory_xact_lock(73460112, pg_catalog.hashtext(parent::text));
  SELECT c.relname INTO parent_name FROM pg_catalog.pg_class c WHERE c.oid = parent;
  -- Rows move by column name: a partition's columns may be in another order than the parent's.
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
  default_partition := parent_name || '_default';
  IF pg_catalog.to_regclass(pg_catalog.format('aclue_partitions.%I', default_partition)) IS NULL THEN
    EXECUTE pg_catalog.format('CREATE TABLE aclue_partitions.%I PARTITION OF %s DEFAULT', default_partition, parent);
    EXECUTE pg_catalog.format('ALTER TABLE aclue_partitions.%I ENABLE ROW LEVEL SECURITY', default_partition);
    EXECUTE pg_catalog.format('REVOKE ALL ON aclue_partitions.%I FROM PUBLIC, anon, authenticated', default_partition);
    EXECUTE pg_catalog.format('CREATE POLICY service_only ON aclue_partitions.%I AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false)', default_partition);
    RETURN NEXT default_partition;
  END IF;
  WHILE month_start <= last_month LOOP
    month_end := month_start + interval '1 month';
    partition_name := parent_name || '_p' || pg_catalog.to_char(month_start, 'YYYY_MM');
    found := pg_catalog.to_regclass(pg_catalog.format('aclue_partitions.%I', partition_name));
    -- Missing, or there but detached (by hand, or a failed run): built or re-attached.
    IF found IS NULL OR NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = found AND i.inhparent = parent
    ) THEN
      IF found IS NULL THEN
        EXECUTE pg_catalog.format(
          'CREATE TABLE aclue_partitions.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)',
          partition_name, parent);
      END IF;
      EXECUTE pg_catalog.format('ALTER TABLE aclue_partitions.%I ENABLE ROW LEVEL SECURITY', partition_name);
      EXECUTE pg_catalog.format('REVOKE ALL ON aclue_partitions.%I FROM PUBLIC, anon, authenticated', partition_name);
      EXECUTE pg_catalog.format('DROP POLICY IF EXISTS service_only ON aclue_partitions.%I', partition_name);
      EXECUTE pg_catalog.format('CREATE POLICY service_only ON aclue_partitions.%I AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false)', partition_name);
      -- Writers wait from here to commit; readers do not. A writer already routed to the default
      -- partition would fail its partition constraint (23514) once the month is attached, and one
      -- that slipped a row of this month in after the move would fail the attach: locking the
      -- parent first makes each writer wait before it is routed, then see the new month.
      EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', parent);
      EXECUTE pg_catalog.format('LOCK TABLE aclue_partitions.%I IN EXCLUSIVE MODE', default_partition);
      EXECUTE pg_catalog.format(
        'WITH moved AS (DELETE FROM aclue_partitions.%I WHERE %I >= %L AND %I < %L RETURNING %s) INSERT INTO aclue_partitions.%I (%s) SELECT %s FROM moved',
        default_partition, key_column, month_start, key_column, month_end, columns,
        partition_name, columns, columns);
      EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION aclue_partitions.%I FOR VALUES FROM (%L) TO (%L)',
        parent, partition_name, month_start, month_end);
      RETURN NEXT partition_name;
    END IF;
    month_start := month_end;
  END LOOP;
END;
$fn$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION aclue_partitions.maintain_monthly_partitions(regclass, text, timestamptz, timestamptz) FROM PUBLIC, anon, authenticated;
--> statement-breakpoint
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT c.oid FROM pg_catalog.pg_class c
    WHERE c.relnamespace = 'aclue_partitions'::regnamespace AND c.relkind = 'r'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p
                      WHERE p.polrelid = c.oid AND p.polname = 'service_only')
  LOOP
    EXECUTE pg_catalog.format('CREATE POLICY service_only ON %s AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false)', t);
  END LOOP;
END $$;
--> statement-breakpoint
ALTER TABLE aclue_rollups.dirty_days ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_network_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_network_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_source_page_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_source_page_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_device_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_device_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_campaign_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_campaign_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_product_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_conversions_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_conversions_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_sessions_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_sessions_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_sessions_firsts" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_by_position_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_by_position_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_by_product_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_sessions_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_sessions_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_sessions_firsts" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."session_analytics_daily" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
ALTER TABLE aclue_rollups."session_analytics_hourly" ADD COLUMN IF NOT EXISTS row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups.dirty_days;
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups.dirty_days AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups.refreshed_days;
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups.refreshed_days AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_network_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_network_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_network_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_network_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_source_page_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_source_page_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_source_page_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_source_page_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_device_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_device_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_device_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_device_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_campaign_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_campaign_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_campaign_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_campaign_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_by_product_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_by_product_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_conversions_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_conversions_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_conversions_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_conversions_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_sessions_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_sessions_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_sessions_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_sessions_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."affiliate_clicks_sessions_firsts";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."affiliate_clicks_sessions_firsts" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."product_views_by_position_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."product_views_by_position_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."product_views_by_position_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."product_views_by_position_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."product_views_by_product_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."product_views_by_product_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."product_views_sessions_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."product_views_sessions_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."product_views_sessions_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."product_views_sessions_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."product_views_sessions_firsts";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."product_views_sessions_firsts" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."session_analytics_daily";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."session_analytics_daily" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
--> statement-breakpoint
DROP POLICY IF EXISTS service_only ON aclue_rollups."session_analytics_hourly";
--> statement-breakpoint
CREATE POLICY service_only ON aclue_rollups."session_analytics_hourly" AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false);
