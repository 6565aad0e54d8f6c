CREATE OR REPLACE FUNCTION public.derive_affiliate_clicks_from_products()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  parent record;
BEGIN
  SELECT p.affiliate_network AS "affiliate_network", p.affiliate_url AS "affiliate_url", p.commission_rate AS "commission_rate", round(p.price_min * p.commission_rate, 2) AS "expected_commission" INTO parent
    FROM public."products" p WHERE p."id" = NEW."product_id"
    AND CASE pg_catalog.current_setting('role')
      WHEN 'anon' THEN EXISTS (SELECT 1 FROM public."products"
        WHERE "products"."id" = p."id" AND (("products"."is_active" = true)))
      WHEN 'authenticated' THEN EXISTS (SELECT 1 FROM public."products"
        WHERE "products"."id" = p."id" AND (("products"."is_active" = true)))
      ELSE true END;
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
REVOKE ALL ON FUNCTION public.derive_affiliate_clicks_from_products() FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
REVOKE ALL ON TABLE public.products FROM anon, authenticated;
--> statement-breakpoint
REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.products FROM service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.products TO service_role;
--> statement-breakpoint
GRANT SELECT ("id", "title", "description", "price_min", "price_max", "currency", "brand", "image_url", "affiliate_url", "affiliate_network", "category_id", "tags", "features", "rating", "review_count", "availability_status", "is_active", "created_at", "updated_at") ON TABLE public.products TO anon;
--> statement-breakpoint
GRANT SELECT ("id", "title", "description", "price_min", "price_max", "currency", "brand", "image_url", "affiliate_url", "affiliate_network", "category_id", "tags", "features", "rating", "review_count", "availability_status", "is_active", "created_at", "updated_at") ON TABLE public.products TO authenticated;
