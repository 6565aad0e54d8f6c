import { sql } from 'drizzle-orm';
import { index, inet, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { authUsers } from 'drizzle-orm/supabase';
import { createdAt, eventTime, flag, id, money, optionalTime, rate, updatedAt } from './columns';
import {
  anonInsertsAnonymous,
  anonReadsOwn,
  anonymousClaim,
  inCallersSession,
  ownerInserts,
  ownerReads,
  serviceRoleManages,
} from './policies';
import { products } from './products';
import { checksFor, type TableRules } from './rules';

export const deviceTypes = ['mobile', 'tablet', 'desktop'] as const;

interface ClickConversion {
  isConverted?: boolean | null;
  conversionTimestamp?: Date | null;
  clickTimestamp?: Date | null;
  actualCommission?: number | null;
}

export const affiliateClickRules = {
  access: {
    group: 'tracking',
    owner: { user: 'userId', anonymous: 'anonymousId' },
    session: { column: 'sessionId' },
    insert: [
      'productId',
      'sessionId',
      'sourcePage',
      'deviceType',
      'userAgent',
      'ipAddress',
      'referrerUrl',
      'utmSource',
      'utmMedium',
      'utmCampaign',
    ],
    serviceInsert: ['clickTimestamp'],
    // What a click earns and the order it became are the business's, not the shopper's.
    hidden: ['commissionRate', 'expectedCommission', 'actualCommission', 'orderId'],
  },
  // Clicks are what revenue reports count: a session clicking out hundreds of times is not a
  // shopper. A click's row is its product's link plus what the browser said.
  quota: { perSession: 200, rowBytes: 8_192 },
  // Where a click goes and what it is expected to earn come from its product, never from the
  // caller: a visitor cannot send revenue reports a made-up network, link or commission.
  derivedFrom: {
    key: 'productId',
    parent: 'products',
    parentKey: 'id',
    columns: {
      affiliateNetwork: 'p.affiliate_network',
      affiliateUrl: 'p.affiliate_url',
      commissionRate: 'p.commission_rate',
      expectedCommission: 'round(p.price_min * p.commission_rate, 2)',
    },
    required: ['affiliateNetwork', 'affiliateUrl'],
    constraint: 'affiliate_clicks_product_link_check',
    message: 'a click needs product_id of an active product with an affiliate link',
  },
  // Raw addresses and browser strings identify people; after 90 days only the network is kept.
  retention: {
    after: 'clickTimestamp',
    days: 90,
    anonymise: { ipAddress: 'network', userAgent: 'null' },
  },
  lengths: {
    anonymousId: 128,
    sessionId: 128,
    sourcePage: 2048,
    affiliateNetwork: 100,
    affiliateUrl: 2048,
    orderId: 200,
    userAgent: 1000,
    referrerUrl: 2048,
    utmSource: 200,
    utmMedium: 200,
    utmCampaign: 200,
  },
  enums: { deviceType: deviceTypes },
  ranges: {
    commissionRate: { min: 0, max: 1 },
    expectedCommission: { min: 0 },
    actualCommission: { min: 0 },
  },
  rows: [
    {
      name: 'affiliate_clicks_converted_has_timestamp_check',
      expression: 'NOT is_converted OR conversion_timestamp IS NOT NULL',
      message: 'a converted click needs conversion_timestamp',
      holds: (c: ClickConversion) => !c.isConverted || c.conversionTimestamp != null,
    },
    {
      name: 'affiliate_clicks_commission_requires_conversion_check',
      expression: 'actual_commission IS NULL OR is_converted',
      message: 'actual_commission can only be set on a converted click',
      holds: (c: ClickConversion) => c.actualCommission == null || c.isConverted === true,
    },
    {
      name: 'affiliate_clicks_conversion_after_click_check',
      expression: 'conversion_timestamp IS NULL OR conversion_timestamp >= click_timestamp',
      message: 'conversion_timestamp must not be before click_timestamp',
      holds: (c: ClickConversion) =>
        !c.conversionTimestamp || !c.clickTimestamp || c.conversionTimestamp >= c.clickTimestamp,
    },
  ],
} as const satisfies TableRules<ClickConversion>;

/** Every click on an affiliate link, and its conversion: the revenue attribution record. */
export const affiliateClicks = pgTable(
  'affiliate_clicks',
  {
    id: id(),
    userId: uuid('user_id').references(() => authUsers.id, { onDelete: 'set null' }),
    anonymousId: text('anonymous_id'),
    // Deleting a product must not destroy revenue history (the original cascaded).
    productId: uuid('product_id').references(() => products.id, { onDelete: 'set null' }),
    sessionId: text('session_id').notNull(),
    clickTimestamp: eventTime('click_timestamp'),
    sourcePage: text('source_page').notNull(),
    deviceType: text('device_type', { enum: deviceTypes }),
    affiliateNetwork: text('affiliate_network').notNull(),
    affiliateUrl: text('affiliate_url').notNull(),
    commissionRate: rate('commission_rate'),
    expectedCommission: money('expected_commission'),
    isConverted: flag('is_converted'),
    conversionTimestamp: optionalTime('conversion_timestamp'),
    actualCommission: money('actual_commission'),
    orderId: text('order_id'),
    userAgent: text('user_agent'),
    ipAddress: inet('ip_address'),
    referrerUrl: text('referrer_url'),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    ...checksFor('affiliate_clicks', t, affiliateClickRules),
    // A network reports each order once.
    uniqueIndex('affiliate_clicks_network_order_key')
      .on(t.affiliateNetwork, t.orderId)
      .where(sql`order_id IS NOT NULL`),
    index('idx_affiliate_clicks_user_id').on(t.userId).where(sql`user_id IS NOT NULL`),
    // A product's clicks in a time range (popularity reads its candidates' recent clicks by it);
    // it serves every lookup by product alone too (the foreign key's ON DELETE among them).
    index('idx_affiliate_clicks_product_timestamp').on(
      t.productId,
      t.clickTimestamp.desc().nullsFirst(),
    ),
    index('idx_affiliate_clicks_click_timestamp').on(t.clickTimestamp.desc().nullsFirst()),
    index('idx_affiliate_clicks_conversions')
      .on(t.isConverted, t.conversionTimestamp.desc().nullsFirst())
      .where(sql`is_converted = true`),
    // The converted clicks of a time range: one click in twenty, all popularity's bar needs.
    index('idx_affiliate_clicks_converted_by_click_time')
      .on(t.clickTimestamp)
      .where(sql`is_converted = true`),
    // The conversions of a time range (the funnel's and the conversion rollup's raw hours). The
    // deployment's index above cannot serve a range: PostgreSQL drops `is_converted = true` from a
    // query against it (its predicate implies it), leaving its first column unbounded, so every
    // conversion ever made was read. This one serves that index's newest-first listing too: the
    // older one is kept only because the data model declares it.
    index('idx_affiliate_clicks_converted_by_conversion_time')
      .on(t.conversionTimestamp)
      .where(sql`is_converted = true`),
    index('idx_affiliate_clicks_session_id').on(t.sessionId),
    index('idx_affiliate_clicks_anonymous_id')
      .on(t.anonymousId)
      .where(sql`anonymous_id IS NOT NULL`),
    index('idx_affiliate_clicks_network_timestamp').on(
      t.affiliateNetwork,
      t.clickTimestamp.desc().nullsFirst(),
    ),
    serviceRoleManages('affiliate_clicks'),
    ownerReads('affiliate_clicks', t.userId),
    anonReadsOwn('affiliate_clicks', t.userId, sql`${t.anonymousId} = ${anonymousClaim}`),
    anonInsertsAnonymous(
      'affiliate_clicks',
      t.userId,
      sql`${t.anonymousId} = ${anonymousClaim} and ${inCallersSession(t.sessionId)}`,
    ),
    ownerInserts('affiliate_clicks', t.userId, inCallersSession(t.sessionId)),
  ],
).enableRLS();
