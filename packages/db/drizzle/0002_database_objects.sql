CREATE OR REPLACE FUNCTION public.update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $fn$
BEGIN
  NEW.updated_at := pg_catalog.now();
  RETURN NEW;
END;
$fn$;
--> statement-breakpoint
CREATE TRIGGER update_products_updated_at BEFORE UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
--> statement-breakpoint
CREATE TRIGGER update_affiliate_clicks_updated_at BEFORE UPDATE ON public.affiliate_clicks FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
--> statement-breakpoint
CREATE TRIGGER update_user_preferences_updated_at BEFORE UPDATE ON public.user_preferences FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
--> statement-breakpoint
CREATE TRIGGER update_session_analytics_updated_at BEFORE UPDATE ON public.session_analytics FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
--> statement-breakpoint
REVOKE ALL ON TABLE public.categories FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.categories TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.categories TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.products FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.products TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.products TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.swipe_sessions FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
GRANT UPDATE ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
GRANT DELETE ON TABLE public.swipe_sessions TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.swipe_interactions FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
GRANT UPDATE ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
GRANT DELETE ON TABLE public.swipe_interactions TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.recommendations FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.recommendations TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.affiliate_clicks FROM anon, authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.affiliate_clicks TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.affiliate_clicks TO authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.affiliate_clicks TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.session_analytics FROM anon, authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.session_analytics TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.session_analytics TO authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.session_analytics TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.product_views FROM anon, authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.product_views TO anon;
--> statement-breakpoint
GRANT SELECT ON TABLE public.product_views TO authenticated;
--> statement-breakpoint
GRANT INSERT ON TABLE public.product_views TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.user_preferences FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.user_preferences TO authenticated;
--> statement-breakpoint
GRANT INSERT ("user_id", "liked_brands", "disliked_brands", "price_range", "price_sensitivity") ON TABLE public.user_preferences TO authenticated;
--> statement-breakpoint
GRANT UPDATE ("liked_brands", "disliked_brands", "price_range", "price_sensitivity") ON TABLE public.user_preferences TO authenticated;
--> statement-breakpoint
REVOKE ALL ON TABLE public.recommendation_feedback FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON TABLE public.recommendation_feedback TO authenticated;
--> statement-breakpoint
GRANT INSERT ("id", "recommendation_id", "user_id", "product_id", "feedback_type", "feedback_action", "feedback_value", "rating", "comment", "feedback_tags", "time_to_action_seconds", "dwell_time_seconds", "click_depth", "scroll_depth", "feedback_source", "session_id", "position_in_list", "model_version", "original_confidence_score", "created_at") ON TABLE public.recommendation_feedback TO authenticated;
--> statement-breakpoint
COMMENT ON TABLE public.categories IS 'Gift categories, a tree via parent_id. Anyone reads active rows.';
--> statement-breakpoint
COMMENT ON TABLE public.products IS 'The gift catalogue. Anyone reads active products; the service role writes.';
--> statement-breakpoint
COMMENT ON COLUMN public.products.title IS 'Searchable by similarity through a trigram index.';
--> statement-breakpoint
COMMENT ON COLUMN public.products.commission_rate IS 'Share of the sale paid by the affiliate network, 0..1.';
--> statement-breakpoint
COMMENT ON TABLE public.swipe_sessions IS 'A gift-finding session of swipes. Owner-only.';
--> statement-breakpoint
COMMENT ON TABLE public.swipe_interactions IS 'One swipe on one product; input of the preference job.';
--> statement-breakpoint
COMMENT ON COLUMN public.swipe_interactions.swipe_direction IS 'left = dislike, right = like, up = super like, down = skip.';
--> statement-breakpoint
COMMENT ON TABLE public.recommendations IS 'Products the recommender proposed to a user. The owner reads; the service role writes.';
--> statement-breakpoint
COMMENT ON TABLE public.affiliate_clicks IS 'Clicks on affiliate links and their conversions: revenue attribution.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.user_id IS 'Signed-in user, or NULL for an anonymous visitor (then see anonymous_id).';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.anonymous_id IS 'Browser-generated id of a visitor before registration; stitched to user_id later.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.product_id IS 'SET NULL on product deletion so revenue history survives.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.order_id IS 'The network''s order reference; unique per network.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.expected_commission IS 'Commission estimated at click time.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.actual_commission IS 'Commission the network reported; only on converted clicks.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.ip_address IS 'Personal data: scrubbed on erasure.';
--> statement-breakpoint
COMMENT ON COLUMN public.affiliate_clicks.user_agent IS 'Personal data: scrubbed on erasure.';
--> statement-breakpoint
COMMENT ON TABLE public.user_preferences IS 'One row per user, computed by the preference job.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.total_swipes IS 'Generated: right_swipes + left_swipes + super_likes.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.engagement_rate IS 'Generated: (right_swipes + super_likes) / total_swipes, 4 decimals, 0 when no swipes.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.liked_brands IS 'Set by the user.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.disliked_brands IS 'Set by the user.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.price_range IS 'Set by the user.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.price_sensitivity IS 'Set by the user, 0..1.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.data_quality_score IS 'How much input the last calculation had, 0..1.';
--> statement-breakpoint
COMMENT ON COLUMN public.user_preferences.calculation_version IS 'Version of the preference job that wrote the row.';
--> statement-breakpoint
COMMENT ON TABLE public.session_analytics IS 'One row per browser session, anonymous or signed in.';
--> statement-breakpoint
COMMENT ON COLUMN public.session_analytics.session_id IS 'Client session key; unique.';
--> statement-breakpoint
COMMENT ON COLUMN public.session_analytics.affiliate_clicks IS 'Incremented atomically with each affiliate click of the session.';
--> statement-breakpoint
COMMENT ON COLUMN public.session_analytics.is_bounce IS 'True when the session ended after a single page.';
--> statement-breakpoint
COMMENT ON TABLE public.product_views IS 'Product view events (immutable): engagement and CTR analytics.';
--> statement-breakpoint
COMMENT ON COLUMN public.product_views.view_position IS 'Position in the list the product was shown in, from 1.';
--> statement-breakpoint
COMMENT ON COLUMN public.product_views.interaction_type IS 'What the viewer did: impression, click, detail_view, ...';
--> statement-breakpoint
COMMENT ON TABLE public.recommendation_feedback IS 'Reactions to recommendations: training data for the recommender.';
--> statement-breakpoint
COMMENT ON COLUMN public.recommendation_feedback.feedback_value IS 'Signed strength of the reaction, -1..1.';
--> statement-breakpoint
COMMENT ON COLUMN public.recommendation_feedback.training_weight IS 'Set by the service role: weight of the row in training.';
--> statement-breakpoint
COMMENT ON COLUMN public.recommendation_feedback.is_processed IS 'Set by the service role when a training worker consumed the row.';
--> statement-breakpoint
COMMENT ON COLUMN public.recommendation_feedback.is_validated IS 'Set by the service role: rows failing moderation are excluded from training.';
--> statement-breakpoint
INSERT INTO public.categories (name, slug, sort_order) VALUES
  ('Electronics', 'electronics', 1),
  ('Fashion', 'fashion', 2),
  ('Home & Garden', 'home-garden', 3),
  ('Books & Media', 'books-media', 4),
  ('Health & Beauty', 'health-beauty', 5),
  ('Sports & Outdoors', 'sports-outdoors', 6),
  ('Food & Drink', 'food-drink', 7),
  ('Toys & Games', 'toys-games', 8),
  ('Art & Crafts', 'art-crafts', 9),
  ('Experiences', 'experiences', 10)
ON CONFLICT (slug) DO NOTHING;
