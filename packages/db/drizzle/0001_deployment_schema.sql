CREATE TABLE "affiliate_clicks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"anonymous_id" text,
	"product_id" uuid,
	"session_id" text NOT NULL,
	"click_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"source_page" text NOT NULL,
	"device_type" text,
	"affiliate_network" text NOT NULL,
	"affiliate_url" text NOT NULL,
	"commission_rate" numeric(5, 4),
	"expected_commission" numeric(10, 2),
	"is_converted" boolean DEFAULT false NOT NULL,
	"conversion_timestamp" timestamp with time zone,
	"actual_commission" numeric(10, 2),
	"order_id" text,
	"user_agent" text,
	"ip_address" "inet",
	"referrer_url" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "affiliate_clicks_device_type_check" CHECK (device_type IN ('mobile', 'tablet', 'desktop')),
	CONSTRAINT "affiliate_clicks_commission_rate_check" CHECK (commission_rate >= 0 AND commission_rate <= 1),
	CONSTRAINT "affiliate_clicks_expected_commission_check" CHECK (expected_commission >= 0),
	CONSTRAINT "affiliate_clicks_actual_commission_check" CHECK (actual_commission >= 0),
	CONSTRAINT "affiliate_clicks_converted_has_timestamp_check" CHECK (NOT is_converted OR conversion_timestamp IS NOT NULL),
	CONSTRAINT "affiliate_clicks_commission_requires_conversion_check" CHECK (actual_commission IS NULL OR is_converted),
	CONSTRAINT "affiliate_clicks_conversion_after_click_check" CHECK (conversion_timestamp IS NULL OR conversion_timestamp >= click_timestamp)
);
--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(100) NOT NULL,
	"slug" varchar(100) NOT NULL,
	"description" text,
	"icon_url" text,
	"parent_id" uuid,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "categories_slug_key" UNIQUE("slug"),
	CONSTRAINT "categories_sort_order_check" CHECK (sort_order >= 0)
);
--> statement-breakpoint
ALTER TABLE "categories" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "product_views" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
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
	CONSTRAINT "product_views_view_source_check" CHECK (view_source IN ('swipe', 'recommendations', 'search', 'category', 'direct', 'related', 'trending')),
	CONSTRAINT "product_views_interaction_type_check" CHECK (interaction_type IN ('impression', 'click', 'detail_view', 'add_to_wishlist', 'share', 'save')),
	CONSTRAINT "product_views_view_position_check" CHECK (view_position >= 1),
	CONSTRAINT "product_views_view_duration_seconds_check" CHECK (view_duration_seconds >= 0),
	CONSTRAINT "product_views_relevance_score_check" CHECK (relevance_score >= 0 AND relevance_score <= 1),
	CONSTRAINT "product_views_predicted_interest_check" CHECK (predicted_interest >= 0 AND predicted_interest <= 1)
);
--> statement-breakpoint
ALTER TABLE "product_views" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" varchar(255) NOT NULL,
	"description" text,
	"price_min" numeric(10, 2),
	"price_max" numeric(10, 2),
	"currency" char(3) DEFAULT 'USD' NOT NULL,
	"brand" varchar(100),
	"image_url" text,
	"affiliate_url" text,
	"affiliate_network" varchar(50),
	"commission_rate" numeric(5, 4),
	"category_id" uuid,
	"tags" text[],
	"features" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rating" numeric(3, 2),
	"review_count" integer DEFAULT 0 NOT NULL,
	"availability_status" text DEFAULT 'available' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_min_check" CHECK (price_min >= 0),
	CONSTRAINT "products_price_max_check" CHECK (price_max >= 0),
	CONSTRAINT "products_commission_rate_check" CHECK (commission_rate >= 0 AND commission_rate <= 1),
	CONSTRAINT "products_rating_check" CHECK (rating >= 0 AND rating <= 5),
	CONSTRAINT "products_review_count_check" CHECK (review_count >= 0),
	CONSTRAINT "products_price_range_check" CHECK (price_min IS NULL OR price_max IS NULL OR price_min <= price_max)
);
--> statement-breakpoint
ALTER TABLE "products" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "recommendation_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recommendation_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"feedback_type" text NOT NULL,
	"feedback_action" text NOT NULL,
	"feedback_value" numeric(3, 2) NOT NULL,
	"rating" integer,
	"comment" text,
	"feedback_tags" text[],
	"time_to_action_seconds" integer,
	"dwell_time_seconds" integer,
	"click_depth" integer,
	"scroll_depth" numeric(3, 2),
	"feedback_source" text,
	"session_id" text,
	"position_in_list" integer,
	"model_version" text NOT NULL,
	"original_confidence_score" numeric(3, 2),
	"training_weight" numeric(3, 2) DEFAULT 1 NOT NULL,
	"is_processed" boolean DEFAULT false NOT NULL,
	"processing_timestamp" timestamp with time zone,
	"is_validated" boolean DEFAULT true NOT NULL,
	"validation_notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recommendation_feedback_feedback_type_check" CHECK (feedback_type IN ('explicit', 'implicit')),
	CONSTRAINT "recommendation_feedback_feedback_action_check" CHECK (feedback_action IN ('like', 'dislike', 'love', 'not_interested', 'click', 'purchase', 'ignore', 'report', 'share', 'save', 'view_details')),
	CONSTRAINT "recommendation_feedback_feedback_source_check" CHECK (feedback_source IN ('recommendation_list', 'email', 'push_notification', 'in_app', 'web_app')),
	CONSTRAINT "recommendation_feedback_feedback_value_check" CHECK (feedback_value >= -1 AND feedback_value <= 1),
	CONSTRAINT "recommendation_feedback_rating_check" CHECK (rating >= 1 AND rating <= 5),
	CONSTRAINT "recommendation_feedback_time_to_action_seconds_check" CHECK (time_to_action_seconds >= 0),
	CONSTRAINT "recommendation_feedback_dwell_time_seconds_check" CHECK (dwell_time_seconds >= 0),
	CONSTRAINT "recommendation_feedback_click_depth_check" CHECK (click_depth >= 0),
	CONSTRAINT "recommendation_feedback_scroll_depth_check" CHECK (scroll_depth >= 0 AND scroll_depth <= 1),
	CONSTRAINT "recommendation_feedback_position_in_list_check" CHECK (position_in_list >= 1),
	CONSTRAINT "recommendation_feedback_original_confidence_score_check" CHECK (original_confidence_score >= 0 AND original_confidence_score <= 1),
	CONSTRAINT "recommendation_feedback_training_weight_check" CHECK (training_weight >= 0)
);
--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "recommendations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"session_id" uuid,
	"confidence_score" numeric(5, 4) NOT NULL,
	"algorithm_version" varchar(50),
	"reasoning" text,
	"rank_position" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"is_clicked" boolean DEFAULT false NOT NULL,
	"clicked_at" timestamp with time zone,
	"is_purchased" boolean DEFAULT false NOT NULL,
	"purchased_at" timestamp with time zone,
	CONSTRAINT "recommendations_confidence_score_check" CHECK (confidence_score >= 0 AND confidence_score <= 1),
	CONSTRAINT "recommendations_rank_position_check" CHECK (rank_position >= 1)
);
--> statement-breakpoint
ALTER TABLE "recommendations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "session_analytics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" text NOT NULL,
	"user_id" uuid,
	"anonymous_id" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"duration_seconds" integer,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"landing_page" text NOT NULL,
	"exit_page" text,
	"pages_viewed" integer DEFAULT 1 NOT NULL,
	"page_sequence" text[] DEFAULT '{}'::text[] NOT NULL,
	"total_clicks" integer DEFAULT 0 NOT NULL,
	"total_swipes" integer DEFAULT 0 NOT NULL,
	"products_viewed" integer DEFAULT 0 NOT NULL,
	"recommendations_viewed" integer DEFAULT 0 NOT NULL,
	"affiliate_clicks" integer DEFAULT 0 NOT NULL,
	"has_registered" boolean DEFAULT false NOT NULL,
	"registration_timestamp" timestamp with time zone,
	"has_converted" boolean DEFAULT false NOT NULL,
	"conversion_timestamp" timestamp with time zone,
	"conversion_value" numeric(10, 2),
	"device_type" text,
	"browser" text,
	"operating_system" text,
	"screen_resolution" text,
	"country_code" varchar(2),
	"city" text,
	"timezone" text,
	"referrer_url" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"utm_content" text,
	"utm_term" text,
	"is_bounce" boolean DEFAULT false NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"session_quality_score" numeric(3, 2),
	"engagement_score" numeric(3, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_analytics_session_id_key" UNIQUE("session_id"),
	CONSTRAINT "session_analytics_duration_seconds_check" CHECK (duration_seconds >= 0),
	CONSTRAINT "session_analytics_pages_viewed_check" CHECK (pages_viewed >= 1),
	CONSTRAINT "session_analytics_total_clicks_check" CHECK (total_clicks >= 0),
	CONSTRAINT "session_analytics_total_swipes_check" CHECK (total_swipes >= 0),
	CONSTRAINT "session_analytics_products_viewed_check" CHECK (products_viewed >= 0),
	CONSTRAINT "session_analytics_recommendations_viewed_check" CHECK (recommendations_viewed >= 0),
	CONSTRAINT "session_analytics_affiliate_clicks_check" CHECK (affiliate_clicks >= 0),
	CONSTRAINT "session_analytics_conversion_value_check" CHECK (conversion_value >= 0),
	CONSTRAINT "session_analytics_session_quality_score_check" CHECK (session_quality_score >= 0 AND session_quality_score <= 1),
	CONSTRAINT "session_analytics_engagement_score_check" CHECK (engagement_score >= 0 AND engagement_score <= 1),
	CONSTRAINT "session_analytics_ended_after_start_check" CHECK (ended_at IS NULL OR ended_at >= started_at),
	CONSTRAINT "session_analytics_registered_has_timestamp_check" CHECK (NOT has_registered OR registration_timestamp IS NOT NULL),
	CONSTRAINT "session_analytics_converted_has_timestamp_check" CHECK (NOT has_converted OR conversion_timestamp IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "session_analytics" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "swipe_interactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"category_id" uuid,
	"swipe_direction" text NOT NULL,
	"swipe_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"time_spent_seconds" integer,
	"preference_strength" numeric(3, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "swipe_interactions_swipe_direction_check" CHECK (swipe_direction IN ('left', 'right', 'up', 'down')),
	CONSTRAINT "swipe_interactions_time_spent_seconds_check" CHECK (time_spent_seconds >= 0),
	CONSTRAINT "swipe_interactions_preference_strength_check" CHECK (preference_strength >= 0 AND preference_strength <= 1)
);
--> statement-breakpoint
ALTER TABLE "swipe_interactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "swipe_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"session_type" varchar(50) DEFAULT 'discovery' NOT NULL,
	"occasion" varchar(100),
	"budget_min" numeric(10, 2),
	"budget_max" numeric(10, 2),
	"recipient_relationship" varchar(100),
	"recipient_age_range" varchar(50),
	"recipient_gender" varchar(50),
	"recipient_interests" text[],
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"is_completed" boolean DEFAULT false NOT NULL,
	CONSTRAINT "swipe_sessions_budget_min_check" CHECK (budget_min >= 0),
	CONSTRAINT "swipe_sessions_budget_max_check" CHECK (budget_max >= 0),
	CONSTRAINT "swipe_sessions_budget_range_check" CHECK (budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max),
	CONSTRAINT "swipe_sessions_completed_after_start_check" CHECK (completed_at IS NULL OR completed_at >= started_at)
);
--> statement-breakpoint
ALTER TABLE "swipe_sessions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "user_preferences" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"category_preferences" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"category_confidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"price_range" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"brand_scores" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"style_scores" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"colour_preferences" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occasion_preferences" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recipient_preferences" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ml_features" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"price_sensitivity" numeric(3, 2) DEFAULT 0.5 NOT NULL,
	"liked_brands" text[] DEFAULT '{}'::text[] NOT NULL,
	"disliked_brands" text[] DEFAULT '{}'::text[] NOT NULL,
	"right_swipes" integer DEFAULT 0 NOT NULL,
	"left_swipes" integer DEFAULT 0 NOT NULL,
	"super_likes" integer DEFAULT 0 NOT NULL,
	"total_swipes" integer GENERATED ALWAYS AS (right_swipes + left_swipes + super_likes) STORED NOT NULL,
	"engagement_rate" numeric(5, 4) GENERATED ALWAYS AS (CASE WHEN right_swipes + left_swipes + super_likes = 0 THEN 0 ELSE round((right_swipes + super_likes)::numeric / (right_swipes + left_swipes + super_likes), 4) END) STORED NOT NULL,
	"embedding_vector" real[],
	"cluster_id" integer,
	"similarity_threshold" numeric(3, 2) DEFAULT 0.7 NOT NULL,
	"last_calculated" timestamp with time zone,
	"calculation_version" text DEFAULT 'v1.0' NOT NULL,
	"data_quality_score" numeric(3, 2) DEFAULT 0 NOT NULL,
	"confidence_level" numeric(3, 2) DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_preferences_price_sensitivity_check" CHECK (price_sensitivity >= 0 AND price_sensitivity <= 1),
	CONSTRAINT "user_preferences_right_swipes_check" CHECK (right_swipes >= 0),
	CONSTRAINT "user_preferences_left_swipes_check" CHECK (left_swipes >= 0),
	CONSTRAINT "user_preferences_super_likes_check" CHECK (super_likes >= 0),
	CONSTRAINT "user_preferences_similarity_threshold_check" CHECK (similarity_threshold >= 0 AND similarity_threshold <= 1),
	CONSTRAINT "user_preferences_data_quality_score_check" CHECK (data_quality_score >= 0 AND data_quality_score <= 1),
	CONSTRAINT "user_preferences_confidence_level_check" CHECK (confidence_level >= 0 AND confidence_level <= 1)
);
--> statement-breakpoint
ALTER TABLE "user_preferences" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "affiliate_clicks" ADD CONSTRAINT "affiliate_clicks_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_parent_id_categories_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."categories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_views" ADD CONSTRAINT "product_views_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_session_id_swipe_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."swipe_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_analytics" ADD CONSTRAINT "session_analytics_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_session_id_swipe_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."swipe_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swipe_interactions" ADD CONSTRAINT "swipe_interactions_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swipe_sessions" ADD CONSTRAINT "swipe_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "affiliate_clicks_network_order_key" ON "affiliate_clicks" USING btree ("affiliate_network","order_id") WHERE order_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_user_id" ON "affiliate_clicks" USING btree ("user_id") WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_product_id" ON "affiliate_clicks" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_click_timestamp" ON "affiliate_clicks" USING btree ("click_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_conversions" ON "affiliate_clicks" USING btree ("is_converted","conversion_timestamp" DESC NULLS FIRST) WHERE is_converted = true;--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_session_id" ON "affiliate_clicks" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_anonymous_id" ON "affiliate_clicks" USING btree ("anonymous_id") WHERE anonymous_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_network_timestamp" ON "affiliate_clicks" USING btree ("affiliate_network","click_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_categories_parent_id" ON "categories" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "idx_product_views_product_timestamp" ON "product_views" USING btree ("product_id","view_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_product_views_user_timestamp" ON "product_views" USING btree ("user_id","view_timestamp" DESC NULLS FIRST) WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_product_views_session_timestamp" ON "product_views" USING btree ("session_id","view_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_product_views_source_timestamp" ON "product_views" USING btree ("view_source","view_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_product_views_interaction_timestamp" ON "product_views" USING btree ("interaction_type","view_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_product_views_recommendation_id" ON "product_views" USING btree ("recommendation_id") WHERE recommendation_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_product_views_affiliate_clicks" ON "product_views" USING btree ("has_clicked_affiliate","view_timestamp" DESC NULLS FIRST) WHERE has_clicked_affiliate = true;--> statement-breakpoint
CREATE INDEX "idx_product_views_analytics" ON "product_views" USING btree ("product_id","view_source","interaction_type","view_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_product_views_ctr" ON "product_views" USING btree ("product_id","view_position","has_clicked_affiliate");--> statement-breakpoint
CREATE INDEX "idx_products_category_id" ON "products" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "idx_products_title_trgm" ON "products" USING gin ("title" extensions.gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_recommendation" ON "recommendation_feedback" USING btree ("recommendation_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_user" ON "recommendation_feedback" USING btree ("user_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_product_value" ON "recommendation_feedback" USING btree ("product_id","feedback_value" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_unprocessed" ON "recommendation_feedback" USING btree ("is_processed","created_at") WHERE is_processed = false;--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_action_value" ON "recommendation_feedback" USING btree ("feedback_action","feedback_value");--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_model" ON "recommendation_feedback" USING btree ("model_version","is_processed");--> statement-breakpoint
CREATE INDEX "idx_recommendation_feedback_training" ON "recommendation_feedback" USING btree ("training_weight" DESC NULLS FIRST,"is_validated","is_processed") WHERE is_validated = true;--> statement-breakpoint
CREATE INDEX "idx_recommendations_user_created" ON "recommendations" USING btree ("user_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_recommendations_product_id" ON "recommendations" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "idx_recommendations_session_id" ON "recommendations" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_session_analytics_user_id" ON "session_analytics" USING btree ("user_id") WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_session_analytics_anonymous_id" ON "session_analytics" USING btree ("anonymous_id") WHERE anonymous_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_session_analytics_started_at" ON "session_analytics" USING btree ("started_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_session_analytics_conversions" ON "session_analytics" USING btree ("has_converted","conversion_timestamp" DESC NULLS FIRST) WHERE has_converted = true;--> statement-breakpoint
CREATE INDEX "idx_session_analytics_active" ON "session_analytics" USING btree ("is_active","last_activity_at" DESC NULLS FIRST) WHERE is_active = true;--> statement-breakpoint
CREATE INDEX "idx_session_analytics_landing_page" ON "session_analytics" USING btree ("landing_page");--> statement-breakpoint
CREATE INDEX "idx_session_analytics_utm" ON "session_analytics" USING btree ("utm_source","utm_medium","utm_campaign");--> statement-breakpoint
CREATE INDEX "idx_swipe_interactions_session_id" ON "swipe_interactions" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_swipe_interactions_user_timestamp" ON "swipe_interactions" USING btree ("user_id","swipe_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_swipe_interactions_product_id" ON "swipe_interactions" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "idx_swipe_interactions_category_id" ON "swipe_interactions" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "idx_swipe_sessions_user_id" ON "swipe_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_user_preferences_last_calculated" ON "user_preferences" USING btree ("last_calculated" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_user_preferences_data_quality" ON "user_preferences" USING btree ("data_quality_score" DESC NULLS FIRST) WHERE data_quality_score > 0.5;--> statement-breakpoint
CREATE INDEX "idx_user_preferences_cluster_id" ON "user_preferences" USING btree ("cluster_id") WHERE cluster_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_user_preferences_engagement_rate" ON "user_preferences" USING btree ("engagement_rate" DESC NULLS FIRST) WHERE engagement_rate > 0;--> statement-breakpoint
CREATE INDEX "idx_user_preferences_category_preferences" ON "user_preferences" USING gin ("category_preferences");--> statement-breakpoint
CREATE INDEX "idx_user_preferences_brand_scores" ON "user_preferences" USING gin ("brand_scores");--> statement-breakpoint
CREATE INDEX "idx_user_preferences_style_scores" ON "user_preferences" USING gin ("style_scores");--> statement-breakpoint
CREATE POLICY "affiliate_clicks_service_role_all" ON "affiliate_clicks" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "affiliate_clicks_select_own" ON "affiliate_clicks" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("affiliate_clicks"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "affiliate_clicks_anon_insert" ON "affiliate_clicks" AS PERMISSIVE FOR INSERT TO "anon" WITH CHECK ("affiliate_clicks"."user_id" is null);--> statement-breakpoint
CREATE POLICY "affiliate_clicks_insert_own" ON "affiliate_clicks" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("affiliate_clicks"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "categories_service_role_all" ON "categories" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "categories_read_active" ON "categories" AS PERMISSIVE FOR SELECT TO "anon", "authenticated" USING ("categories"."is_active" = true);--> statement-breakpoint
CREATE POLICY "product_views_service_role_all" ON "product_views" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "product_views_select_own" ON "product_views" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("product_views"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "product_views_anon_insert" ON "product_views" AS PERMISSIVE FOR INSERT TO "anon" WITH CHECK ("product_views"."user_id" is null);--> statement-breakpoint
CREATE POLICY "product_views_insert_own" ON "product_views" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("product_views"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "products_service_role_all" ON "products" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "products_read_active" ON "products" AS PERMISSIVE FOR SELECT TO "anon", "authenticated" USING ("products"."is_active" = true);--> statement-breakpoint
CREATE POLICY "recommendation_feedback_service_role_all" ON "recommendation_feedback" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "recommendation_feedback_select_own" ON "recommendation_feedback" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("recommendation_feedback"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "recommendation_feedback_insert_own" ON "recommendation_feedback" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("recommendation_feedback"."user_id" = (select auth.uid()) and exists (select 1 from public.recommendations r where r.id = "recommendation_feedback"."recommendation_id" and r.user_id = (select auth.uid())));--> statement-breakpoint
CREATE POLICY "recommendations_service_role_all" ON "recommendations" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "recommendations_select_own" ON "recommendations" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("recommendations"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "session_analytics_service_role_all" ON "session_analytics" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "session_analytics_select_own" ON "session_analytics" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("session_analytics"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "session_analytics_anon_insert" ON "session_analytics" AS PERMISSIVE FOR INSERT TO "anon" WITH CHECK ("session_analytics"."user_id" is null);--> statement-breakpoint
CREATE POLICY "session_analytics_insert_own" ON "session_analytics" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("session_analytics"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "swipe_interactions_service_role_all" ON "swipe_interactions" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "swipe_interactions_owner_all" ON "swipe_interactions" AS PERMISSIVE FOR ALL TO "authenticated" USING ("swipe_interactions"."user_id" = (select auth.uid())) WITH CHECK ("swipe_interactions"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "swipe_sessions_service_role_all" ON "swipe_sessions" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "swipe_sessions_owner_all" ON "swipe_sessions" AS PERMISSIVE FOR ALL TO "authenticated" USING ("swipe_sessions"."user_id" = (select auth.uid())) WITH CHECK ("swipe_sessions"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "user_preferences_service_role_all" ON "user_preferences" AS PERMISSIVE FOR ALL TO "service_role" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "user_preferences_select_own" ON "user_preferences" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("user_preferences"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "user_preferences_insert_own" ON "user_preferences" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("user_preferences"."user_id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "user_preferences_update_own" ON "user_preferences" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("user_preferences"."user_id" = (select auth.uid())) WITH CHECK ("user_preferences"."user_id" = (select auth.uid()));