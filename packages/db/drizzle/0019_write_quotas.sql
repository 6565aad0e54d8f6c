CREATE OR REPLACE FUNCTION public.enforce_affiliate_clicks_quota()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  k record;
BEGIN
  IF pg_catalog.current_setting('role') NOT IN ('anon', 'authenticated') THEN
    RETURN NULL;
  END IF;
  -- The row's text form: what the caller sent, however PostgreSQL compresses or moves it.
  IF EXISTS (SELECT 1 FROM new_rows r WHERE pg_catalog.octet_length(r::text) > 8192) THEN
    RAISE SQLSTATE 'PT429' USING MESSAGE = 'affiliate_clicks: a row may hold at most 8192 bytes', DETAIL = 'affiliate_clicks: a row may hold at most 8192 bytes', HINT = 'send less: shorter texts, fewer items';
  END IF;
  IF TG_OP = 'INSERT' THEN
    FOR k IN SELECT DISTINCT r."session_id" AS key FROM new_rows r WHERE r."session_id" IS NOT NULL AND true ORDER BY 1 LOOP
      PERFORM pg_catalog.pg_advisory_xact_lock(73460113, pg_catalog.hashtext('affiliate_clicks:' || k.key::text));
      IF (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM public."affiliate_clicks" t
            WHERE t."session_id" = k.key LIMIT 201) AS counted) > 200 THEN
        RAISE SQLSTATE 'PT429' USING MESSAGE = 'affiliate_clicks: a session may hold at most 200 rows', DETAIL = 'affiliate_clicks: a session may hold at most 200 rows', HINT = 'wait, or start over later; the limit is per caller and counts every way in';
      END IF;
    END LOOP;
  END IF;
  RETURN NULL;
END;
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.enforce_session_analytics_quota()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  k record;
BEGIN
  IF pg_catalog.current_setting('role') NOT IN ('anon', 'authenticated') THEN
    RETURN NULL;
  END IF;
  -- The row's text form: what the caller sent, however PostgreSQL compresses or moves it.
  IF EXISTS (SELECT 1 FROM new_rows r WHERE pg_catalog.octet_length(r::text) > 32768) THEN
    RAISE SQLSTATE 'PT429' USING MESSAGE = 'session_analytics: a row may hold at most 32768 bytes', DETAIL = 'session_analytics: a row may hold at most 32768 bytes', HINT = 'send less: shorter texts, fewer items';
  END IF;
  IF TG_OP = 'INSERT' THEN
    FOR k IN SELECT DISTINCT r."user_id" AS key FROM new_rows r WHERE r."user_id" IS NOT NULL AND true ORDER BY 1 LOOP
      PERFORM pg_catalog.pg_advisory_xact_lock(73460113, pg_catalog.hashtext('session_analytics:' || k.key::text));
      IF (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM public."session_analytics" t
            WHERE t."user_id" = k.key AND t."started_at" >= pg_catalog.now() - interval '1 hour' LIMIT 61) AS counted) > 60 THEN
        RAISE SQLSTATE 'PT429' USING MESSAGE = 'session_analytics: a caller may add at most 60 rows an hour', DETAIL = 'session_analytics: a caller may add at most 60 rows an hour', HINT = 'wait, or start over later; the limit is per caller and counts every way in';
      END IF;
    END LOOP;
    FOR k IN SELECT DISTINCT r."anonymous_id" AS key FROM new_rows r WHERE r."anonymous_id" IS NOT NULL AND r."user_id" IS NULL ORDER BY 1 LOOP
      PERFORM pg_catalog.pg_advisory_xact_lock(73460113, pg_catalog.hashtext('session_analytics:' || k.key::text));
      IF (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM public."session_analytics" t
            WHERE t."user_id" IS NULL AND t."anonymous_id" = k.key AND t."started_at" >= pg_catalog.now() - interval '1 hour' LIMIT 61) AS counted) > 60 THEN
        RAISE SQLSTATE 'PT429' USING MESSAGE = 'session_analytics: a caller may add at most 60 rows an hour', DETAIL = 'session_analytics: a caller may add at most 60 rows an hour', HINT = 'wait, or start over later; the limit is per caller and counts every way in';
      END IF;
    END LOOP;
  END IF;
  RETURN NULL;
END;
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.enforce_product_views_quota()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  k record;
BEGIN
  IF pg_catalog.current_setting('role') NOT IN ('anon', 'authenticated') THEN
    RETURN NULL;
  END IF;
  -- The row's text form: what the caller sent, however PostgreSQL compresses or moves it.
  IF EXISTS (SELECT 1 FROM new_rows r WHERE pg_catalog.octet_length(r::text) > 8192) THEN
    RAISE SQLSTATE 'PT429' USING MESSAGE = 'product_views: a row may hold at most 8192 bytes', DETAIL = 'product_views: a row may hold at most 8192 bytes', HINT = 'send less: shorter texts, fewer items';
  END IF;
  IF TG_OP = 'INSERT' THEN
    FOR k IN SELECT DISTINCT r."session_id" AS key FROM new_rows r WHERE r."session_id" IS NOT NULL AND true ORDER BY 1 LOOP
      PERFORM pg_catalog.pg_advisory_xact_lock(73460113, pg_catalog.hashtext('product_views:' || k.key::text));
      IF (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM public."product_views" t
            WHERE t."session_id" = k.key LIMIT 2001) AS counted) > 2000 THEN
        RAISE SQLSTATE 'PT429' USING MESSAGE = 'product_views: a session may hold at most 2000 rows', DETAIL = 'product_views: a session may hold at most 2000 rows', HINT = 'wait, or start over later; the limit is per caller and counts every way in';
      END IF;
    END LOOP;
  END IF;
  RETURN NULL;
END;
$fn$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.enforce_affiliate_clicks_quota() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.enforce_session_analytics_quota() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.enforce_product_views_quota() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
CREATE TRIGGER enforce_quota_on_insert AFTER INSERT ON public.affiliate_clicks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enforce_affiliate_clicks_quota();
--> statement-breakpoint
CREATE TRIGGER enforce_quota_on_update AFTER UPDATE ON public.affiliate_clicks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enforce_affiliate_clicks_quota();
--> statement-breakpoint
CREATE TRIGGER enforce_quota_on_insert AFTER INSERT ON public.session_analytics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enforce_session_analytics_quota();
--> statement-breakpoint
CREATE TRIGGER enforce_quota_on_update AFTER UPDATE ON public.session_analytics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enforce_session_analytics_quota();
--> statement-breakpoint
CREATE TRIGGER enforce_quota_on_insert AFTER INSERT ON public.product_views REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enforce_product_views_quota();
--> statement-breakpoint
CREATE TRIGGER enforce_quota_on_update AFTER UPDATE ON public.product_views REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.enforce_product_views_quota();
