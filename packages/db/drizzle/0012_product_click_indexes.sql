SET LOCAL lock_timeout = '10s';--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_product_timestamp" ON "affiliate_clicks" USING btree ("product_id","click_timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_affiliate_clicks_converted_by_click_time" ON "affiliate_clicks" USING btree ("click_timestamp") WHERE is_converted = true;--> statement-breakpoint
DROP INDEX "idx_affiliate_clicks_product_id";
