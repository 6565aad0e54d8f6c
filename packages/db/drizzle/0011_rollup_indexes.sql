CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_product_daily_converting" ON aclue_rollups."affiliate_clicks_by_product_daily" ("day") INCLUDE ("key", "conversions") WHERE conversions <> 0;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "affiliate_clicks_by_product_daily_key" ON aclue_rollups."affiliate_clicks_by_product_daily" ("key", "day");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "product_views_by_product_daily_product" ON aclue_rollups."product_views_by_product_daily" ("product_id", "day");
