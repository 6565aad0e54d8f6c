import {
  char,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { categories } from './categories';
import { createdAt, flag, id, money, rate, updatedAt } from './columns';
import { anyoneReadsActive, serviceRoleManages } from './policies';
import { checksFor, type TableRules } from './rules';

interface ProductPrices {
  priceMin?: number | null;
  priceMax?: number | null;
}

export const productRules = {
  // What a sale of the product earns is the business's: shoppers see the price, not the cut.
  access: { group: 'catalogue', hidden: ['commissionRate'] },
  lengths: { description: 4000, imageUrl: 2048, affiliateUrl: 2048, availabilityStatus: 50 },
  ranges: {
    priceMin: { min: 0 },
    priceMax: { min: 0 },
    commissionRate: { min: 0, max: 1 },
    rating: { min: 0, max: 5 },
    reviewCount: { min: 0 },
  },
  rows: [
    {
      name: 'products_price_range_check',
      expression: 'price_min IS NULL OR price_max IS NULL OR price_min <= price_max',
      message: 'price_min must not exceed price_max',
      holds: (p: ProductPrices) =>
        p.priceMin == null || p.priceMax == null || p.priceMin <= p.priceMax,
    },
  ],
} as const satisfies TableRules<ProductPrices>;

/**
 * The gift catalogue. Public: anyone reads active products (all but the commission rate); only
 * the service role writes.
 */
export const products = pgTable(
  'products',
  {
    id: id(),
    title: varchar('title', { length: 255 }).notNull(),
    description: text('description'),
    priceMin: money('price_min'),
    priceMax: money('price_max'),
    currency: char('currency', { length: 3 }).notNull().default('USD'),
    brand: varchar('brand', { length: 100 }),
    imageUrl: text('image_url'),
    affiliateUrl: text('affiliate_url'),
    affiliateNetwork: varchar('affiliate_network', { length: 50 }),
    commissionRate: rate('commission_rate'),
    categoryId: uuid('category_id').references(() => categories.id),
    tags: text('tags').array(),
    features: jsonb('features').notNull().default({}),
    rating: numeric('rating', { precision: 3, scale: 2, mode: 'number' }),
    reviewCount: integer('review_count').notNull().default(0),
    availabilityStatus: text('availability_status').notNull().default('available'),
    isActive: flag('is_active', true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    ...checksFor('products', t, productRules),
    index('idx_products_category_id').on(t.categoryId),
    // Product search: the original installed pg_trgm and never used it.
    index('idx_products_title_trgm').using('gin', t.title.op('extensions.gin_trgm_ops')),
    serviceRoleManages('products'),
    anyoneReadsActive('products', t.isActive),
  ],
).enableRLS();
