import { sql } from 'drizzle-orm';
import type { World } from './world';

/**
 * `days` days of traffic ending now: by default 90 days, 500 products, 20,000 sessions, 100,000
 * views and 20,000 clicks (a twentieth of them converted), spread over every hour of the day.
 */
export async function seedTraffic(
  w: World,
  { days = 90, sessions = 20_000, views = 100_000, clicks = 20_000 } = {},
) {
  await w.db.execute(sql`INSERT INTO products (title, brand, price_min)
    SELECT 'Gift ' || g, 'Brand ' || (g % 40), (g % 200) + 5 FROM generate_series(1, 500) g`);
  await w.db.execute(sql`INSERT INTO session_analytics (session_id, landing_page, started_at, pages_viewed, duration_seconds, is_bounce)
    SELECT 'traffic-' || g, '/', now() - (g % ${days}) * interval '1 day', 1 + g % 6, g % 900, g % 6 = 0
    FROM generate_series(1, ${sessions}) g`);
  await w.db.execute(sql`WITH p AS (SELECT array_agg(id) AS ids FROM products)
    INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, view_position, interaction_type, has_clicked_affiliate)
    SELECT p.ids[1 + g % array_length(p.ids, 1)], 'traffic-' || (g % ${sessions}),
      now() - (g % ${days}) * interval '1 day' - (g % 1440) * interval '1 minute',
      (ARRAY['swipe','recommendations','search','category','direct','related','trending'])[1 + g % 7],
      1 + g % 20, (ARRAY['impression','click','detail_view','add_to_wishlist','share','save'])[1 + g % 6], g % 25 = 0
    FROM p, generate_series(1, ${views}) g`);
  await w.db.execute(sql`WITH p AS (SELECT array_agg(id) AS ids FROM products)
    INSERT INTO affiliate_clicks (product_id, session_id, click_timestamp, source_page, device_type, affiliate_network,
      affiliate_url, expected_commission, is_converted, conversion_timestamp, actual_commission, order_id, utm_campaign)
    SELECT p.ids[1 + g % array_length(p.ids, 1)], 'traffic-' || (g % ${sessions}),
      now() - (g % ${days}) * interval '1 day' - interval '2 hours',
      (ARRAY['/home','/search','/gifts'])[1 + g % 3], (ARRAY['mobile','tablet','desktop'])[1 + g % 3],
      (ARRAY['amazon','awin','rakuten'])[1 + g % 3], 'https://x.test/' || g, 1.5,
      g % 20 = 0, CASE WHEN g % 20 = 0 THEN now() - (g % ${days}) * interval '1 day' - interval '1 hour' END,
      CASE WHEN g % 20 = 0 THEN 2.25 END, CASE WHEN g % 20 = 0 THEN 'order-' || g END, 'spring-' || (g % 4)
    FROM p, generate_series(1, ${clicks}) g`);
  await w.db.execute(sql`ANALYZE`);
}
