ALTER TABLE aclue_rollups.refreshed_days ADD COLUMN IF NOT EXISTS hourly boolean NOT NULL DEFAULT false;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_clicks_by_network_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_clicks_by_network_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_network_hourly_day" ON aclue_rollups."affiliate_clicks_by_network_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_network_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_network_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_network_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_clicks_by_source_page_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_clicks_by_source_page_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_source_page_hourly_day" ON aclue_rollups."affiliate_clicks_by_source_page_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_source_page_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_source_page_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_source_page_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_clicks_by_device_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_clicks_by_device_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_device_hourly_day" ON aclue_rollups."affiliate_clicks_by_device_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_device_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_device_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_device_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_clicks_by_campaign_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_clicks_by_campaign_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "key" text, "clicks" bigint NOT NULL, "conversions" bigint NOT NULL, "expected_commission" numeric NOT NULL, "actual_commission" numeric NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_campaign_hourly_day" ON aclue_rollups."affiliate_clicks_by_campaign_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_by_campaign_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_by_campaign_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_by_campaign_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_conversions_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_conversions_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "conversions" bigint NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_conversions_hourly_day" ON aclue_rollups."affiliate_conversions_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_conversions_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_conversions_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_conversions_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_clicks_sessions_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_clicks_sessions_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "session_id" text);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_sessions_hourly_day" ON aclue_rollups."affiliate_clicks_sessions_hourly" (day, hour);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_sessions_hourly_key" ON aclue_rollups."affiliate_clicks_sessions_hourly" ("session_id", day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_sessions_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_sessions_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_sessions_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."affiliate_clicks_sessions_firsts"') IS NULL THEN
  CREATE TABLE aclue_rollups."affiliate_clicks_sessions_firsts" ("day" date NOT NULL, "hour" integer NOT NULL, "previous_hour" timestamp with time zone, "keys_seen" bigint NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'affiliate_clicks';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_sessions_firsts_day" ON aclue_rollups."affiliate_clicks_sessions_firsts" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."affiliate_clicks_sessions_firsts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."affiliate_clicks_sessions_firsts" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."affiliate_clicks_sessions_firsts" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."product_views_by_position_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."product_views_by_position_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "view_source" text, "view_position" integer, "views" bigint NOT NULL, "clicks" bigint NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'product_views';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_by_position_hourly_day" ON aclue_rollups."product_views_by_position_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_by_position_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."product_views_by_position_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."product_views_by_position_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."product_views_sessions_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."product_views_sessions_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "session_id" text);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'product_views';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_sessions_hourly_day" ON aclue_rollups."product_views_sessions_hourly" (day, hour);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_sessions_hourly_key" ON aclue_rollups."product_views_sessions_hourly" ("session_id", day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_sessions_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."product_views_sessions_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."product_views_sessions_hourly" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."product_views_sessions_firsts"') IS NULL THEN
  CREATE TABLE aclue_rollups."product_views_sessions_firsts" ("day" date NOT NULL, "hour" integer NOT NULL, "previous_hour" timestamp with time zone, "keys_seen" bigint NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'product_views';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_sessions_firsts_day" ON aclue_rollups."product_views_sessions_firsts" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."product_views_sessions_firsts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."product_views_sessions_firsts" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."product_views_sessions_firsts" TO service_role;
--> statement-breakpoint
DO $$ BEGIN IF pg_catalog.to_regclass('aclue_rollups."session_analytics_hourly"') IS NULL THEN
  CREATE TABLE aclue_rollups."session_analytics_hourly" ("day" date NOT NULL, "hour" integer NOT NULL, "sessions" bigint NOT NULL, "timed_sessions" bigint NOT NULL, "duration_seconds" bigint NOT NULL, "pages_viewed" bigint NOT NULL, "bounces" bigint NOT NULL, "conversions" bigint NOT NULL, "conversion_value" numeric NOT NULL);
  UPDATE aclue_rollups.refreshed_days SET hourly = false WHERE source = 'session_analytics';
END IF; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "session_analytics_hourly_day" ON aclue_rollups."session_analytics_hourly" (day, hour);
--> statement-breakpoint
ALTER TABLE aclue_rollups."session_analytics_hourly" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON aclue_rollups."session_analytics_hourly" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT ON aclue_rollups."session_analytics_hourly" TO service_role;
