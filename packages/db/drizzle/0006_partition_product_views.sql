SET LOCAL lock_timeout = '10s';
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS aclue_partitions;
--> statement-breakpoint
REVOKE ALL ON SCHEMA aclue_partitions FROM PUBLIC, anon, authenticated;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA aclue_partitions REVOKE ALL ON TABLES FROM PUBLIC, anon, authenticated;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION aclue_partitions.maintain_monthly_partitions(
  parent regclass, key_column text, first_month timestamptz, last_month timestamptz)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = ''
SET timezone = 'UTC'
AS $fn$
DECLARE
  parent_name text;
  default_partition text;
  month_start timestamptz := pg_catalog.date_trunc('month', first_month);
  month_end timestamptz;
  partition_name text;
BEGIN
  -- Two maintainers at once take turns (until commit): the second finds the months made.
  PERFORM pg_catalog.pg_advisory_xact_lock(73460112, pg_catalog.hashtext(parent::text));
  SELECT c.relname INTO parent_name FROM pg_catalog.pg_class c WHERE c.oid = parent;
  default_partition := parent_name || '_default';
  IF pg_catalog.to_regclass(pg_catalog.format('aclue_partitions.%I', default_partition)) IS NULL THEN
    EXECUTE pg_catalog.format('CREATE TABLE aclue_partitions.%I PARTITION OF %s DEFAULT', default_partition, parent);
    EXECUTE pg_catalog.format('ALTER TABLE aclue_partitions.%I ENABLE ROW LEVEL SECURITY', default_partition);
    EXECUTE pg_catalog.format('REVOKE ALL ON aclue_partitions.%I FROM PUBLIC, anon, authenticated', default_partition);
    RETURN NEXT default_partition;
  END IF;
  WHILE month_start <= last_month LOOP
    month_end := month_start + interval '1 month';
    partition_name := parent_name || '_p' || pg_catalog.to_char(month_start, 'YYYY_MM');
    IF pg_catalog.to_regclass(pg_catalog.format('aclue_partitions.%I', partition_name)) IS NULL THEN
      EXECUTE pg_catalog.format(
        'CREATE TABLE aclue_partitions.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)',
        partition_name, parent);
      EXECUTE pg_catalog.format('ALTER TABLE aclue_partitions.%I ENABLE ROW LEVEL SECURITY', partition_name);
      EXECUTE pg_catalog.format('REVOKE ALL ON aclue_partitions.%I FROM PUBLIC, anon, authenticated', partition_name);
      -- Writers routed to the default partition wait from here to commit, so none slips a row
      -- of this month in between the move and the attach (which would fail on it).
      EXECUTE pg_catalog.format('LOCK TABLE aclue_partitions.%I IN EXCLUSIVE MODE', default_partition);
      EXECUTE pg_catalog.format(
        'WITH moved AS (DELETE FROM aclue_partitions.%I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO aclue_partitions.%I SELECT * FROM moved',
        default_partition, key_column, month_start, key_column, month_end, partition_name);
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
ALTER TABLE public."product_views" RENAME TO "product_views_unpartitioned";
--> statement-breakpoint
ALTER TABLE public."product_views_unpartitioned" RENAME CONSTRAINT "product_views_pkey" TO "product_views_unpartitioned_pkey";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_product_timestamp";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_user_timestamp";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_session_timestamp";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_source_timestamp";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_interaction_timestamp";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_recommendation_id";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_affiliate_clicks";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_analytics";
--> statement-breakpoint
DROP INDEX IF EXISTS public."idx_product_views_ctr";
--> statement-breakpoint
CREATE TABLE "product_views" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"product_id" uuid NOT NULL,
	"user_id" uuid,
	"session_id" text NOT NULL,
	"view_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"view_source" text,
	"view_position" integer,
	"view_duration_seconds" integer,
	"interaction_type" text DEFAULT 'impression' NOT NULL,
	"has_clicked_affiliate" boolean DEFAULT false NOT NULL,
	"has_shared" boolean DEFAULT false NOT NULL,
	"has_saved" boolean DEFAULT false NOT NULL,
	"recommendation_id" uuid,
	"search_query" text,
	"filter_criteria" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"device_type" text,
	"viewport_size" text,
	"screen_density" numeric(3, 1),
	"relevance_score" numeric(3, 2),
	"predicted_interest" numeric(3, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "product_views_pkey" PRIMARY KEY("id","view_timestamp"),
	CONSTRAINT "product_views_view_source_check" CHECK (view_source IN ('swipe', 'recommendations', 'search', 'category', 'direct', 'related', 'trending')),
	CONSTRAINT "product_views_interaction_type_check" CHECK (interaction_type IN ('impression', 'click', 'detail_view', 'add_to_wishlist', 'share', 'save')),
	CONSTRAINT "product_views_view_position_check" CHECK (view_position >= 1),
	CONSTRAINT "product_views_view_duration_seconds_check" CHECK (view_duration_seconds >= 0 AND view_duration_seconds <= 86400),
	CONSTRAINT "product_views_relevance_score_check" CHECK (relevance_score >= 0 AND relevance_score <= 1),
	CONSTRAINT "product_views_predicted_interest_check" CHECK (predicted_interest >= 0 AND predicted_interest <= 1),
	CONSTRAINT "product_views_session_id_length_check" CHECK (char_length(session_id) <= 128),
	CONSTRAINT "product_views_view_timestamp_time_check" CHECK (view_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND view_timestamp <= now() + interval '5 minutes'),
	CONSTRAINT "product_views_search_query_length_check" CHECK (char_length(search_query) <= 500),
	CONSTRAINT "product_views_filter_criteria_shape_check" CHECK (jsonb_typeof(filter_criteria) = 'object' AND octet_length(filter_criteria::text) <= 16384 AND NOT jsonb_path_exists(filter_criteria, 'lax $.**{9 to last}')),
	CONSTRAINT "product_views_device_type_length_check" CHECK (char_length(device_type) <= 500),
	CONSTRAINT "product_views_viewport_size_length_check" CHECK (char_length(viewport_size) <= 500),
	CONSTRAINT "product_views_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes')
) PARTITION BY RANGE ("view_timestamp");
--> statement-breakpoint
ALTER TABLE "product_views" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "idx_product_views_product_timestamp" ON "product_views" USING btree ("product_id","view_timestamp" DESC NULLS FIRST);
--> statement-breakpoint
CREATE INDEX "idx_product_views_user_timestamp" ON "product_views" USING btree ("user_id","view_timestamp" DESC NULLS FIRST) WHERE user_id IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "idx_product_views_session_timestamp" ON "product_views" USING btree ("session_id","view_timestamp" DESC NULLS FIRST);
--> statement-breakpoint
CREATE INDEX "idx_product_views_source_timestamp" ON "product_views" USING btree ("view_source","view_timestamp" DESC NULLS FIRST);
--> statement-breakpoint
CREATE INDEX "idx_product_views_interaction_timestamp" ON "product_views" USING btree ("interaction_type","view_timestamp" DESC NULLS FIRST);
--> statement-breakpoint
CREATE INDEX "idx_product_views_recommendation_id" ON "product_views" USING btree ("recommendation_id") WHERE recommendation_id IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "idx_product_views_affiliate_clicks" ON "product_views" USING btree ("has_clicked_affiliate","view_timestamp" DESC NULLS FIRST) WHERE has_clicked_affiliate = true;
--> statement-breakpoint
CREATE INDEX "idx_product_views_analytics" ON "product_views" USING btree ("product_id","view_source","interaction_type","view_timestamp" DESC NULLS FIRST);
--> statement-breakpoint
CREATE INDEX "idx_product_views_ctr" ON "product_views" USING btree ("product_id","view_position","has_clicked_affiliate");
--> statement-breakpoint
CREATE POLICY "product_views_service_role_all" ON "product_views" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY "product_views_select_own" ON "product_views" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("product_views"."user_id" = (select auth.uid()));
--> statement-breakpoint
CREATE POLICY "product_views_anon_select_own" ON "product_views" AS PERMISSIVE FOR SELECT TO "anon" USING ("product_views"."user_id" is null and exists (select 1 from public.session_analytics s where s.session_id = "product_views"."session_id"));
--> statement-breakpoint
CREATE POLICY "product_views_anon_insert" ON "product_views" AS PERMISSIVE FOR INSERT TO "anon" WITH CHECK ("product_views"."user_id" is null and exists (select 1 from public.session_analytics s where s.session_id = "product_views"."session_id") and "product_views"."recommendation_id" is null);
--> statement-breakpoint
CREATE POLICY "product_views_insert_own" ON "product_views" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("product_views"."user_id" = (select auth.uid()) and exists (select 1 from public.session_analytics s where s.session_id = "product_views"."session_id") and ("product_views"."recommendation_id" is null or exists (select 1 from public.recommendations r where r.id = "product_views"."recommendation_id")));
--> statement-breakpoint
REVOKE ALL ON TABLE public.product_views FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.product_views FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.product_views TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.product_views TO anon;
--> statement-breakpoint
GRANT INSERT ("user_id", "product_id", "session_id", "view_source", "view_position", "view_duration_seconds", "interaction_type", "has_clicked_affiliate", "has_shared", "has_saved", "recommendation_id", "search_query", "filter_criteria", "device_type", "viewport_size", "screen_density") ON TABLE public.product_views TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.product_views TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "product_id", "session_id", "view_source", "view_position", "view_duration_seconds", "interaction_type", "has_clicked_affiliate", "has_shared", "has_saved", "recommendation_id", "search_query", "filter_criteria", "device_type", "viewport_size", "screen_density") ON TABLE public.product_views TO authenticated;
--> statement-breakpoint
COMMENT ON TABLE public.product_views IS 'Product view events (immutable): engagement and CTR analytics.';
--> statement-breakpoint
COMMENT ON COLUMN public.product_views.view_position IS 'Position in the list the product was shown in, from 1.';
--> statement-breakpoint
COMMENT ON COLUMN public.product_views.interaction_type IS 'What the viewer did: impression, click, detail_view, ...';
--> statement-breakpoint
SELECT created FROM aclue_partitions.maintain_monthly_partitions('public.product_views'::regclass, 'view_timestamp', coalesce((SELECT pg_catalog.min("view_timestamp") FROM public."product_views_unpartitioned"), pg_catalog.now()), pg_catalog.now() + interval '3 months') AS created;
--> statement-breakpoint
INSERT INTO public."product_views" ("id", "product_id", "user_id", "session_id", "view_timestamp", "view_source", "view_position", "view_duration_seconds", "interaction_type", "has_clicked_affiliate", "has_shared", "has_saved", "recommendation_id", "search_query", "filter_criteria", "device_type", "viewport_size", "screen_density", "relevance_score", "predicted_interest", "created_at") SELECT "id", "product_id", "user_id", "session_id", "view_timestamp", "view_source", "view_position", "view_duration_seconds", "interaction_type", "has_clicked_affiliate", "has_shared", "has_saved", "recommendation_id", "search_query", "filter_criteria", "device_type", "viewport_size", "screen_density", "relevance_score", "predicted_interest", "created_at" FROM public."product_views_unpartitioned";
--> statement-breakpoint
DROP TABLE public."product_views_unpartitioned";
