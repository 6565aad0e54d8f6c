CREATE OR REPLACE FUNCTION public.derive_affiliate_clicks_from_products()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $fn$
DECLARE
  parent record;
BEGIN
  SELECT p.affiliate_network AS "affiliate_network", p.affiliate_url AS "affiliate_url", p.commission_rate AS "commission_rate", round(p.price_min * p.commission_rate, 2) AS "expected_commission" INTO parent
    FROM public."products" p WHERE p."id" = NEW."product_id";
  IF FOUND THEN
    NEW."affiliate_network" := coalesce(NEW."affiliate_network", parent."affiliate_network");
    NEW."affiliate_url" := coalesce(NEW."affiliate_url", parent."affiliate_url");
    NEW."commission_rate" := coalesce(NEW."commission_rate", parent."commission_rate");
    NEW."expected_commission" := coalesce(NEW."expected_commission", parent."expected_commission");
  END IF;
  IF NEW."affiliate_network" IS NULL OR NEW."affiliate_url" IS NULL THEN
    RAISE EXCEPTION 'a click needs product_id of an active product with an affiliate link'
      USING ERRCODE = '23514', CONSTRAINT = 'affiliate_clicks_product_link_check';
  END IF;
  RETURN NEW;
END;
$fn$;
--> statement-breakpoint
CREATE TRIGGER derive_affiliate_clicks_from_products BEFORE INSERT ON public.affiliate_clicks FOR EACH ROW EXECUTE FUNCTION public.derive_affiliate_clicks_from_products();
--> statement-breakpoint
REVOKE ALL ON TABLE public.affiliate_clicks FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.affiliate_clicks FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.affiliate_clicks TO service_role;
--> statement-breakpoint
GRANT SELECT ("id", "user_id", "anonymous_id", "product_id", "session_id", "click_timestamp", "source_page", "device_type", "affiliate_network", "affiliate_url", "is_converted", "conversion_timestamp", "user_agent", "ip_address", "referrer_url", "utm_source", "utm_medium", "utm_campaign", "created_at", "updated_at") ON TABLE public.affiliate_clicks TO anon;
--> statement-breakpoint
GRANT INSERT ("user_id", "anonymous_id", "product_id", "session_id", "source_page", "device_type", "user_agent", "ip_address", "referrer_url", "utm_source", "utm_medium", "utm_campaign") ON TABLE public.affiliate_clicks TO anon;
--> statement-breakpoint
GRANT SELECT ("id", "user_id", "anonymous_id", "product_id", "session_id", "click_timestamp", "source_page", "device_type", "affiliate_network", "affiliate_url", "is_converted", "conversion_timestamp", "user_agent", "ip_address", "referrer_url", "utm_source", "utm_medium", "utm_campaign", "created_at", "updated_at") ON TABLE public.affiliate_clicks TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "anonymous_id", "product_id", "session_id", "source_page", "device_type", "user_agent", "ip_address", "referrer_url", "utm_source", "utm_medium", "utm_campaign") ON TABLE public.affiliate_clicks TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.product_views FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.product_views FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.product_views TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.product_views TO anon;
--> statement-breakpoint
GRANT INSERT ("user_id", "product_id", "session_id", "view_source", "view_position", "view_duration_seconds", "interaction_type", "has_shared", "has_saved", "recommendation_id", "search_query", "filter_criteria", "device_type", "viewport_size", "screen_density") ON TABLE public.product_views TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.product_views TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "product_id", "session_id", "view_source", "view_position", "view_duration_seconds", "interaction_type", "has_shared", "has_saved", "recommendation_id", "search_query", "filter_criteria", "device_type", "viewport_size", "screen_density") ON TABLE public.product_views TO authenticated;
