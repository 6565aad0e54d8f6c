CREATE TABLE "conversion_corrections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"click_id" uuid NOT NULL,
	"previous_order_id" text,
	"new_order_id" text,
	"previous_commission" numeric(10, 2),
	"new_commission" numeric(10, 2),
	"previous_conversion_timestamp" timestamp with time zone,
	"new_conversion_timestamp" timestamp with time zone,
	"reason" text NOT NULL,
	"corrected_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversion_corrections_previous_commission_check" CHECK (previous_commission >= 0),
	CONSTRAINT "conversion_corrections_new_commission_check" CHECK (new_commission >= 0),
	CONSTRAINT "conversion_corrections_previous_order_id_length_check" CHECK (char_length(previous_order_id) <= 200),
	CONSTRAINT "conversion_corrections_new_order_id_length_check" CHECK (char_length(new_order_id) <= 200),
	CONSTRAINT "conversion_corrections_previous_conversion_timestamp_time_check" CHECK (previous_conversion_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND previous_conversion_timestamp <= now() + interval '5 minutes'),
	CONSTRAINT "conversion_corrections_new_conversion_timestamp_time_check" CHECK (new_conversion_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND new_conversion_timestamp <= now() + interval '5 minutes'),
	CONSTRAINT "conversion_corrections_reason_length_check" CHECK (char_length(reason) <= 1000),
	CONSTRAINT "conversion_corrections_corrected_by_length_check" CHECK (char_length(corrected_by) <= 200),
	CONSTRAINT "conversion_corrections_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes')
);
--> statement-breakpoint
ALTER TABLE "conversion_corrections" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "product_views" DROP CONSTRAINT "product_views_view_duration_seconds_check";--> statement-breakpoint
ALTER TABLE "recommendation_feedback" DROP CONSTRAINT "recommendation_feedback_time_to_action_seconds_check";--> statement-breakpoint
ALTER TABLE "recommendation_feedback" DROP CONSTRAINT "recommendation_feedback_dwell_time_seconds_check";--> statement-breakpoint
ALTER TABLE "recommendation_feedback" DROP CONSTRAINT "recommendation_feedback_click_depth_check";--> statement-breakpoint
ALTER TABLE "session_analytics" DROP CONSTRAINT "session_analytics_duration_seconds_check";--> statement-breakpoint
ALTER TABLE "swipe_interactions" DROP CONSTRAINT "swipe_interactions_time_spent_seconds_check";--> statement-breakpoint
ALTER TABLE "user_preferences" DROP CONSTRAINT "user_preferences_right_swipes_check";--> statement-breakpoint
ALTER TABLE "user_preferences" DROP CONSTRAINT "user_preferences_left_swipes_check";--> statement-breakpoint
ALTER TABLE "user_preferences" DROP CONSTRAINT "user_preferences_super_likes_check";--> statement-breakpoint
ALTER TABLE "swipe_interactions" DROP CONSTRAINT "swipe_interactions_session_id_swipe_sessions_id_fk";
--> statement-breakpoint
ALTER TABLE "swipe_interactions" DROP CONSTRAINT "swipe_interactions_user_id_users_id_fk";
--> statement-breakpoint
DROP INDEX "idx_swipe_interactions_session_id";--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ALTER COLUMN "is_validated" SET DEFAULT false;--> statement-breakpoint
ALTER TABLE "session_analytics" ALTER COLUMN "session_id" SET DEFAULT gen_random_uuid()::text;--> statement-breakpoint
ALTER TABLE "conversion_corrections" ADD CONSTRAINT "conversion_corrections_click_id_affiliate_clicks_id_fk" FOREIGN KEY ("click_id") REFERENCES "public"."affiliate_clicks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_conversion_corrections_click_id" ON "conversion_corrections" USING btree ("click_id");--> statement-breakpoint
ALTER TABLE "swipe_sessions" ADD CONSTRAINT "swipe_sessions_id_user_id_key" UNIQUE("id","user_id");--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_session_owner_fk" FOREIGN KEY ("session_id","user_id") REFERENCES "public"."swipe_sessions"("id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_swipe_interactions_session_id" ON "swipe_interactions" USING btree ("session_id","user_id");--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_anonymous_id_length_check" CHECK (char_length(anonymous_id) <= 128);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_session_id_length_check" CHECK (char_length(session_id) <= 128);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_click_timestamp_time_check" CHECK (click_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND click_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_source_page_length_check" CHECK (char_length(source_page) <= 2048);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_affiliate_network_length_check" CHECK (char_length(affiliate_network) <= 100);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_affiliate_url_length_check" CHECK (char_length(affiliate_url) <= 2048);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_conversion_timestamp_time_check" CHECK (conversion_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND conversion_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_order_id_length_check" CHECK (char_length(order_id) <= 200);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_user_agent_length_check" CHECK (char_length(user_agent) <= 1000);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_referrer_url_length_check" CHECK (char_length(referrer_url) <= 2048);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_utm_source_length_check" CHECK (char_length(utm_source) <= 200);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_utm_medium_length_check" CHECK (char_length(utm_medium) <= 200);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_utm_campaign_length_check" CHECK (char_length(utm_campaign) <= 200);--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_updated_at_time_check" CHECK (updated_at >= '2000-01-01 00:00:00+00'::timestamptz AND updated_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_description_length_check" CHECK (char_length(description) <= 2000);--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_icon_url_length_check" CHECK (char_length(icon_url) <= 2048);--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_session_id_length_check" CHECK (char_length(session_id) <= 128);--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_view_timestamp_time_check" CHECK (view_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND view_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_search_query_length_check" CHECK (char_length(search_query) <= 500);--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_filter_criteria_shape_check" CHECK (jsonb_typeof(filter_criteria) = 'object' AND octet_length(filter_criteria::text) <= 16384 AND NOT jsonb_path_exists(filter_criteria, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_device_type_length_check" CHECK (char_length(device_type) <= 500);--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_viewport_size_length_check" CHECK (char_length(viewport_size) <= 500);--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_view_duration_seconds_check" CHECK (view_duration_seconds >= 0 AND view_duration_seconds <= 86400);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_description_length_check" CHECK (char_length(description) <= 4000);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_image_url_length_check" CHECK (char_length(image_url) <= 2048);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_affiliate_url_length_check" CHECK (char_length(affiliate_url) <= 2048);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_tags_items_check" CHECK (cardinality(tags) <= 100 AND char_length(array_to_string(tags, '')) <= 20000);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_features_shape_check" CHECK (jsonb_typeof(features) = 'object' AND octet_length(features::text) <= 16384 AND NOT jsonb_path_exists(features, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_availability_status_length_check" CHECK (char_length(availability_status) <= 50);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_updated_at_time_check" CHECK (updated_at >= '2000-01-01 00:00:00+00'::timestamptz AND updated_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_comment_length_check" CHECK (char_length(comment) <= 4000);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_feedback_tags_items_check" CHECK (cardinality(feedback_tags) <= 100 AND char_length(array_to_string(feedback_tags, '')) <= 20000);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_session_id_length_check" CHECK (char_length(session_id) <= 128);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_model_version_length_check" CHECK (char_length(model_version) <= 100);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_processing_timestamp_time_check" CHECK (processing_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND processing_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_validation_notes_length_check" CHECK (char_length(validation_notes) <= 4000);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_time_to_action_seconds_check" CHECK (time_to_action_seconds >= 0 AND time_to_action_seconds <= 86400);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_dwell_time_seconds_check" CHECK (dwell_time_seconds >= 0 AND dwell_time_seconds <= 86400);--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_click_depth_check" CHECK (click_depth >= 0 AND click_depth <= 1000);--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_reasoning_length_check" CHECK (char_length(reasoning) <= 4000);--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_expires_at_time_check" CHECK (expires_at >= '2000-01-01 00:00:00+00'::timestamptz);--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_clicked_at_time_check" CHECK (clicked_at >= '2000-01-01 00:00:00+00'::timestamptz AND clicked_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_purchased_at_time_check" CHECK (purchased_at >= '2000-01-01 00:00:00+00'::timestamptz AND purchased_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_session_id_length_check" CHECK (char_length(session_id) <= 128);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_anonymous_id_length_check" CHECK (char_length(anonymous_id) <= 128);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_started_at_time_check" CHECK (started_at >= '2000-01-01 00:00:00+00'::timestamptz AND started_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_ended_at_time_check" CHECK (ended_at >= '2000-01-01 00:00:00+00'::timestamptz AND ended_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_last_activity_at_time_check" CHECK (last_activity_at >= '2000-01-01 00:00:00+00'::timestamptz AND last_activity_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_landing_page_length_check" CHECK (char_length(landing_page) <= 300);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_exit_page_length_check" CHECK (char_length(exit_page) <= 300);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_page_sequence_items_check" CHECK (cardinality(page_sequence) <= 500 AND char_length(array_to_string(page_sequence, '')) <= 100000);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_registration_timestamp_time_check" CHECK (registration_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND registration_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_conversion_timestamp_time_check" CHECK (conversion_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND conversion_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_device_type_length_check" CHECK (char_length(device_type) <= 500);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_browser_length_check" CHECK (char_length(browser) <= 500);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_operating_system_length_check" CHECK (char_length(operating_system) <= 500);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_screen_resolution_length_check" CHECK (char_length(screen_resolution) <= 500);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_city_length_check" CHECK (char_length(city) <= 500);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_timezone_length_check" CHECK (char_length(timezone) <= 500);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_referrer_url_length_check" CHECK (char_length(referrer_url) <= 2048);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_utm_source_length_check" CHECK (char_length(utm_source) <= 200);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_utm_medium_length_check" CHECK (char_length(utm_medium) <= 200);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_utm_campaign_length_check" CHECK (char_length(utm_campaign) <= 200);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_utm_content_length_check" CHECK (char_length(utm_content) <= 200);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_utm_term_length_check" CHECK (char_length(utm_term) <= 200);--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_updated_at_time_check" CHECK (updated_at >= '2000-01-01 00:00:00+00'::timestamptz AND updated_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_duration_seconds_check" CHECK (duration_seconds >= 0 AND duration_seconds <= 31536000);--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_swipe_timestamp_time_check" CHECK (swipe_timestamp >= '2000-01-01 00:00:00+00'::timestamptz AND swipe_timestamp <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_time_spent_seconds_check" CHECK (time_spent_seconds >= 0 AND time_spent_seconds <= 86400);--> statement-breakpoint
ALTER TABLE "swipe_sessions" ADD CONSTRAINT "swipe_sessions_recipient_interests_items_check" CHECK (cardinality(recipient_interests) <= 100 AND char_length(array_to_string(recipient_interests, '')) <= 20000);--> statement-breakpoint
ALTER TABLE "swipe_sessions" ADD CONSTRAINT "swipe_sessions_started_at_time_check" CHECK (started_at >= '2000-01-01 00:00:00+00'::timestamptz AND started_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "swipe_sessions" ADD CONSTRAINT "swipe_sessions_completed_at_time_check" CHECK (completed_at >= '2000-01-01 00:00:00+00'::timestamptz AND completed_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_category_preferences_shape_check" CHECK (jsonb_typeof(category_preferences) = 'object' AND octet_length(category_preferences::text) <= 16384 AND NOT jsonb_path_exists(category_preferences, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_category_confidence_shape_check" CHECK (jsonb_typeof(category_confidence) = 'object' AND octet_length(category_confidence::text) <= 16384 AND NOT jsonb_path_exists(category_confidence, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_price_range_shape_check" CHECK (jsonb_typeof(price_range) = 'object' AND octet_length(price_range::text) <= 16384 AND NOT jsonb_path_exists(price_range, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_brand_scores_shape_check" CHECK (jsonb_typeof(brand_scores) = 'object' AND octet_length(brand_scores::text) <= 16384 AND NOT jsonb_path_exists(brand_scores, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_style_scores_shape_check" CHECK (jsonb_typeof(style_scores) = 'object' AND octet_length(style_scores::text) <= 16384 AND NOT jsonb_path_exists(style_scores, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_colour_preferences_shape_check" CHECK (jsonb_typeof(colour_preferences) = 'object' AND octet_length(colour_preferences::text) <= 16384 AND NOT jsonb_path_exists(colour_preferences, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_occasion_preferences_shape_check" CHECK (jsonb_typeof(occasion_preferences) = 'object' AND octet_length(occasion_preferences::text) <= 16384 AND NOT jsonb_path_exists(occasion_preferences, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_recipient_preferences_shape_check" CHECK (jsonb_typeof(recipient_preferences) = 'object' AND octet_length(recipient_preferences::text) <= 16384 AND NOT jsonb_path_exists(recipient_preferences, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_ml_features_shape_check" CHECK (jsonb_typeof(ml_features) = 'object' AND octet_length(ml_features::text) <= 65536 AND NOT jsonb_path_exists(ml_features, 'lax $.**{9 to last}'));--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_liked_brands_items_check" CHECK (cardinality(liked_brands) <= 100 AND char_length(array_to_string(liked_brands, '')) <= 20000);--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_disliked_brands_items_check" CHECK (cardinality(disliked_brands) <= 100 AND char_length(array_to_string(disliked_brands, '')) <= 20000);--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_embedding_vector_items_check" CHECK (cardinality(embedding_vector) <= 4096);--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_last_calculated_time_check" CHECK (last_calculated >= '2000-01-01 00:00:00+00'::timestamptz AND last_calculated <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_calculation_version_length_check" CHECK (char_length(calculation_version) <= 50);--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_created_at_time_check" CHECK (created_at >= '2000-01-01 00:00:00+00'::timestamptz AND created_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_updated_at_time_check" CHECK (updated_at >= '2000-01-01 00:00:00+00'::timestamptz AND updated_at <= now() + interval '5 minutes');--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_right_swipes_check" CHECK (right_swipes >= 0 AND right_swipes <= 100000000);--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_left_swipes_check" CHECK (left_swipes >= 0 AND left_swipes <= 100000000);--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_super_likes_check" CHECK (super_likes >= 0 AND super_likes <= 100000000);--> statement-breakpoint
CREATE POLICY "affiliate_clicks_anon_select_own" ON "affiliate_clicks" AS PERMISSIVE FOR SELECT TO "anon" USING ("affiliate_clicks"."user_id" is null and "affiliate_clicks"."anonymous_id" = (select auth.jwt() ->> 'anonymous_id'));--> statement-breakpoint
CREATE POLICY "product_views_anon_select_own" ON "product_views" AS PERMISSIVE FOR SELECT TO "anon" USING ("product_views"."user_id" is null and exists (select 1 from public.session_analytics s where s.session_id = "product_views"."session_id"));--> statement-breakpoint
CREATE POLICY "session_analytics_anon_select_own" ON "session_analytics" AS PERMISSIVE FOR SELECT TO "anon" USING ("session_analytics"."user_id" is null and "session_analytics"."anonymous_id" = (select auth.jwt() ->> 'anonymous_id'));--> statement-breakpoint
CREATE POLICY "conversion_corrections_service_role_all" ON "conversion_corrections" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
ALTER POLICY "affiliate_clicks_anon_insert" ON "affiliate_clicks" TO anon WITH CHECK ("affiliate_clicks"."user_id" is null and "affiliate_clicks"."anonymous_id" = (select auth.jwt() ->> 'anonymous_id') and exists (select 1 from public.session_analytics s where s.session_id = "affiliate_clicks"."session_id"));--> statement-breakpoint
ALTER POLICY "affiliate_clicks_insert_own" ON "affiliate_clicks" TO authenticated WITH CHECK ("affiliate_clicks"."user_id" = (select auth.uid()) and exists (select 1 from public.session_analytics s where s.session_id = "affiliate_clicks"."session_id"));--> statement-breakpoint
ALTER POLICY "product_views_anon_insert" ON "product_views" TO anon WITH CHECK ("product_views"."user_id" is null and exists (select 1 from public.session_analytics s where s.session_id = "product_views"."session_id") and "product_views"."recommendation_id" is null);--> statement-breakpoint
ALTER POLICY "product_views_insert_own" ON "product_views" TO authenticated WITH CHECK ("product_views"."user_id" = (select auth.uid()) and exists (select 1 from public.session_analytics s where s.session_id = "product_views"."session_id") and ("product_views"."recommendation_id" is null or exists (select 1 from public.recommendations r where r.id = "product_views"."recommendation_id")));--> statement-breakpoint
ALTER POLICY "recommendation_feedback_insert_own" ON "recommendation_feedback" TO authenticated WITH CHECK ("recommendation_feedback"."user_id" = (select auth.uid()) and exists (select 1 from public.recommendations r where r.id = "recommendation_feedback"."recommendation_id" and r.user_id = (select auth.uid()) and r.product_id = "recommendation_feedback"."product_id") and exists (select 1 from public.products p where p.id = "recommendation_feedback"."product_id" and p.is_active));--> statement-breakpoint
ALTER POLICY "session_analytics_anon_insert" ON "session_analytics" TO anon WITH CHECK ("session_analytics"."user_id" is null and "session_analytics"."anonymous_id" = (select auth.jwt() ->> 'anonymous_id'));