import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { authUsers } from 'drizzle-orm/supabase';
import { createdAt, eventTime, flag, partitionedId, score } from './columns';
import {
  anonInsertsAnonymous,
  anonReadsOwn,
  inCallersSession,
  inCallersSessions,
  ofCallersRecommendation,
  ownerInserts,
  ownerReads,
  serviceRoleManages,
} from './policies';
import { products } from './products';
import { recommendations } from './recommendations';
import { checksFor, type TableRules } from './rules';

export const viewSources = [
  'swipe',
  'recommendations',
  'search',
  'category',
  'direct',
  'related',
  'trending',
] as const;

export const interactionTypes = [
  'impression',
  'click',
  'detail_view',
  'add_to_wishlist',
  'share',
  'save',
] as const;

export const productViewRules = {
  access: {
    group: 'tracking',
    owner: { user: 'userId' },
    session: { column: 'sessionId' },
    insert: [
      'productId',
      'sessionId',
      'viewSource',
      'viewPosition',
      'viewDurationSeconds',
      'interactionType',
      'hasShared',
      'hasSaved',
      'recommendationId',
      'searchQuery',
      'filterCriteria',
      'deviceType',
      'viewportSize',
      'screenDensity',
    ],
    // Event times and the model's scores are the platform's; so is whether a view led to a
    // click, which recording the click sets (a caller claiming it would forge click-through).
    serviceInsert: ['viewTimestamp', 'relevanceScore', 'predictedInterest', 'hasClickedAffiliate'],
  },
  // A long browse is a few hundred views; thousands in one session are a script inflating
  // popularity. A view's row is well under 2 KB when real.
  quota: { perSession: 2_000, rowBytes: 8_192 },
  // The highest-volume table: one partition a month keeps indexes small and old months cheap to
  // drop (retention), and lets analytics over a period read only its months.
  partitioning: {
    by: 'viewTimestamp',
    interval: 'month',
    ahead: 3,
    keepMonths: 24,
    archiveLeavesOut: ['recommendationId', 'searchQuery'],
  },
  lengths: { sessionId: 128 },
  enums: { viewSource: viewSources, interactionType: interactionTypes },
  ranges: {
    viewPosition: { min: 1 },
    viewDurationSeconds: { min: 0, max: 86_400 },
    relevanceScore: { min: 0, max: 1 },
    predictedInterest: { min: 0, max: 1 },
  },
} as const satisfies TableRules;

/** One view of one product: immutable events, the highest-volume table (no updated_at). */
export const productViews = pgTable(
  'product_views',
  {
    id: partitionedId(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => authUsers.id, { onDelete: 'set null' }),
    sessionId: text('session_id').notNull(),
    viewTimestamp: eventTime('view_timestamp'),
    viewSource: text('view_source', { enum: viewSources }),
    viewPosition: integer('view_position'),
    viewDurationSeconds: integer('view_duration_seconds'),
    interactionType: text('interaction_type', { enum: interactionTypes })
      .notNull()
      .default('impression'),
    hasClickedAffiliate: flag('has_clicked_affiliate'),
    hasShared: flag('has_shared'),
    hasSaved: flag('has_saved'),
    recommendationId: uuid('recommendation_id').references(() => recommendations.id, {
      onDelete: 'set null',
    }),
    searchQuery: text('search_query'),
    filterCriteria: jsonb('filter_criteria').$type<Record<string, unknown>>().notNull().default({}),
    deviceType: text('device_type'),
    viewportSize: text('viewport_size'),
    screenDensity: numeric('screen_density', { precision: 3, scale: 1, mode: 'number' }),
    relevanceScore: score('relevance_score'),
    predictedInterest: score('predicted_interest'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'product_views_pkey', columns: [t.id, t.viewTimestamp] }),
    ...checksFor('product_views', t, productViewRules),
    index('idx_product_views_product_timestamp').on(
      t.productId,
      t.viewTimestamp.desc().nullsFirst(),
    ),
    index('idx_product_views_user_timestamp')
      .on(t.userId, t.viewTimestamp.desc().nullsFirst())
      .where(sql`user_id IS NOT NULL`),
    index('idx_product_views_session_timestamp').on(
      t.sessionId,
      t.viewTimestamp.desc().nullsFirst(),
    ),
    index('idx_product_views_source_timestamp').on(
      t.viewSource,
      t.viewTimestamp.desc().nullsFirst(),
    ),
    index('idx_product_views_interaction_timestamp').on(
      t.interactionType,
      t.viewTimestamp.desc().nullsFirst(),
    ),
    index('idx_product_views_recommendation_id')
      .on(t.recommendationId)
      .where(sql`recommendation_id IS NOT NULL`),
    index('idx_product_views_affiliate_clicks')
      .on(t.hasClickedAffiliate, t.viewTimestamp.desc().nullsFirst())
      .where(sql`has_clicked_affiliate = true`),
    index('idx_product_views_analytics').on(
      t.productId,
      t.viewSource,
      t.interactionType,
      t.viewTimestamp.desc().nullsFirst(),
    ),
    index('idx_product_views_ctr').on(t.productId, t.viewPosition, t.hasClickedAffiliate),
    serviceRoleManages('product_views'),
    ownerReads('product_views', t.userId),
    anonReadsOwn('product_views', t.userId, inCallersSessions(t.sessionId)),
    // Visitors have no recommendations (and no privilege to look them up).
    anonInsertsAnonymous(
      'product_views',
      t.userId,
      sql`${inCallersSession(t.sessionId)} and ${t.recommendationId} is null`,
    ),
    ownerInserts(
      'product_views',
      t.userId,
      sql`${inCallersSession(t.sessionId)} and ${ofCallersRecommendation(t.recommendationId)}`,
    ),
  ],
).enableRLS();
