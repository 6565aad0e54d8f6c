CREATE OR REPLACE FUNCTION public.guard_click_conversion()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $fn$
BEGIN
  IF OLD.is_converted
    AND (NEW.is_converted, NEW.order_id, NEW.conversion_timestamp, NEW.actual_commission)
      IS DISTINCT FROM (OLD.is_converted, OLD.order_id, OLD.conversion_timestamp, OLD.actual_commission)
    AND pg_catalog.current_setting('aclue.conversion_correction', true) IS DISTINCT FROM 'on'
  THEN
    RAISE EXCEPTION 'a converted click keeps its conversion'
      USING ERRCODE = '23514', CONSTRAINT = 'affiliate_clicks_converts_once';
  END IF;
  RETURN NEW;
END;
$fn$;
--> statement-breakpoint
CREATE TRIGGER guard_affiliate_clicks_conversion BEFORE UPDATE ON public.affiliate_clicks FOR EACH ROW EXECUTE FUNCTION public.guard_click_conversion();
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon, authenticated;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLES FROM service_role;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM anon, authenticated;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM anon, authenticated;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON TABLE public.categories FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.categories FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.categories TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.categories TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.categories TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.products FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.products FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.products TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.products TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.products TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.swipe_sessions FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.swipe_sessions FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.swipe_sessions TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "session_type", "occasion", "budget_min", "budget_max", "recipient_relationship", "recipient_age_range", "recipient_gender", "recipient_interests") ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
GRANT UPDATE ("is_completed", "completed_at") ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
GRANT DELETE ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.swipe_interactions FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.swipe_interactions FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.swipe_interactions TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "session_id", "product_id", "category_id", "swipe_direction", "time_spent_seconds", "preference_strength") ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
GRANT DELETE ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.recommendations FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.recommendations FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.recommendations TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.recommendations TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.affiliate_clicks FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.affiliate_clicks FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.affiliate_clicks TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.affiliate_clicks TO anon;
--> statement-breakpoint
GRANT INSERT ("user_id", "anonymous_id", "product_id", "session_id", "source_page", "device_type", "affiliate_network", "affiliate_url", "commission_rate", "expected_commission", "user_agent", "ip_address", "referrer_url", "utm_source", "utm_medium", "utm_campaign") ON TABLE public.affiliate_clicks TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.affiliate_clicks TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "anonymous_id", "product_id", "session_id", "source_page", "device_type", "affiliate_network", "affiliate_url", "commission_rate", "expected_commission", "user_agent", "ip_address", "referrer_url", "utm_source", "utm_medium", "utm_campaign") ON TABLE public.affiliate_clicks TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.user_preferences FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.user_preferences FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.user_preferences TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.user_preferences TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "liked_brands", "disliked_brands", "price_range", "price_sensitivity") ON TABLE public.user_preferences TO authenticated;
--> statement-breakpoint
GRANT UPDATE ("liked_brands", "disliked_brands", "price_range", "price_sensitivity") ON TABLE public.user_preferences TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.session_analytics FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.session_analytics FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.session_analytics TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.session_analytics TO anon;
--> statement-breakpoint
GRANT INSERT ("user_id", "anonymous_id", "landing_page", "device_type", "browser", "operating_system", "screen_resolution", "country_code", "city", "timezone", "referrer_url", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "page_sequence") ON TABLE public.session_analytics TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.session_analytics TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "anonymous_id", "landing_page", "device_type", "browser", "operating_system", "screen_resolution", "country_code", "city", "timezone", "referrer_url", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "page_sequence") ON TABLE public.session_analytics TO authenticated;
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
REVOKE ALL ON TABLE public.recommendation_feedback FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.recommendation_feedback FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.recommendation_feedback TO service_role;
--> statement-breakpoint
GRANT SELECT ON TABLE public.recommendation_feedback TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "recommendation_id", "product_id", "feedback_type", "feedback_action", "feedback_value", "rating", "comment", "feedback_tags", "time_to_action_seconds", "dwell_time_seconds", "click_depth", "scroll_depth", "feedback_source", "session_id", "position_in_list", "model_version", "original_confidence_score") ON TABLE public.recommendation_feedback TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.conversion_corrections FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.conversion_corrections FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.conversion_corrections TO service_role;
