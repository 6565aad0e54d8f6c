import { type SQL, sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { authUsers } from 'drizzle-orm/supabase';
import { counter, createdAt, rate, score, updatedAt } from './columns';
import {
  ownerInserts,
  ownerReads,
  ownerUpdates,
  requiresMfa,
  serviceRoleManages,
} from './policies';
import { checksFor, type TableRules } from './rules';

/** Columns a person sets by hand; everything else is written by the preference job alone. */
const handSet = ['likedBrands', 'dislikedBrands', 'priceRange', 'priceSensitivity'] as const;

export const userPreferenceRules = {
  access: { group: 'personal', owner: { user: 'userId' }, insert: handSet, update: handSet },
  items: { embeddingVector: 4096 },
  lengths: { calculationVersion: 50 },
  jsonBytes: { mlFeatures: 65_536 },
  ranges: {
    priceSensitivity: { min: 0, max: 1 },
    rightSwipes: { min: 0, max: 100_000_000 },
    leftSwipes: { min: 0, max: 100_000_000 },
    superLikes: { min: 0, max: 100_000_000 },
    similarityThreshold: { min: 0, max: 1 },
    dataQualityScore: { min: 0, max: 1 },
    confidenceLevel: { min: 0, max: 1 },
  },
} as const satisfies TableRules;

// A generated column cannot read another generated column, so the total is spelled out twice.
const totalSwipes = 'right_swipes + left_swipes + super_likes';

const jsonObject = (name: string) =>
  jsonb(name).$type<Record<string, unknown>>().notNull().default({});

/** One row per user, computed by the preference job from swipes, feedback and views. */
export const userPreferences = pgTable(
  'user_preferences',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    categoryPreferences: jsonObject('category_preferences'),
    categoryConfidence: jsonObject('category_confidence'),
    priceRange: jsonObject('price_range'),
    brandScores: jsonObject('brand_scores'),
    styleScores: jsonObject('style_scores'),
    colourPreferences: jsonObject('colour_preferences'),
    occasionPreferences: jsonObject('occasion_preferences'),
    recipientPreferences: jsonObject('recipient_preferences'),
    mlFeatures: jsonObject('ml_features'),
    priceSensitivity: score('price_sensitivity').notNull().default(0.5),
    likedBrands: text('liked_brands').array().notNull().default(sql`'{}'::text[]`),
    dislikedBrands: text('disliked_brands').array().notNull().default(sql`'{}'::text[]`),
    rightSwipes: counter('right_swipes'),
    leftSwipes: counter('left_swipes'),
    superLikes: counter('super_likes'),
    // FIX: the original stored these with exact-equality checks that rejected every real row.
    totalSwipes: integer('total_swipes')
      .notNull()
      .generatedAlwaysAs((): SQL => sql.raw(totalSwipes)),
    engagementRate: rate('engagement_rate')
      .notNull()
      .generatedAlwaysAs(
        (): SQL =>
          sql.raw(
            `CASE WHEN ${totalSwipes} = 0 THEN 0 ELSE round((right_swipes + super_likes)::numeric / (${totalSwipes}), 4) END`,
          ),
      ),
    embeddingVector: real('embedding_vector').array(),
    clusterId: integer('cluster_id'),
    similarityThreshold: score('similarity_threshold').notNull().default(0.7),
    lastCalculated: timestamp('last_calculated', { withTimezone: true }),
    calculationVersion: text('calculation_version').notNull().default('v1.0'),
    dataQualityScore: score('data_quality_score').notNull().default(0),
    confidenceLevel: score('confidence_level').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    ...checksFor('user_preferences', t, userPreferenceRules),
    index('idx_user_preferences_last_calculated').on(t.lastCalculated.desc().nullsFirst()),
    index('idx_user_preferences_data_quality')
      .on(t.dataQualityScore.desc().nullsFirst())
      .where(sql`data_quality_score > 0.5`),
    index('idx_user_preferences_cluster_id').on(t.clusterId).where(sql`cluster_id IS NOT NULL`),
    index('idx_user_preferences_engagement_rate')
      .on(t.engagementRate.desc().nullsFirst())
      .where(sql`engagement_rate > 0`),
    index('idx_user_preferences_category_preferences').using('gin', t.categoryPreferences),
    index('idx_user_preferences_brand_scores').using('gin', t.brandScores),
    index('idx_user_preferences_style_scores').using('gin', t.styleScores),
    serviceRoleManages('user_preferences'),
    ownerReads('user_preferences', t.userId),
    ownerInserts('user_preferences', t.userId),
    ownerUpdates('user_preferences', t.userId),
    // Changing one's preferences needs MFA when the database requires it (aclue.require_mfa).
    requiresMfa('user_preferences', 'insert'),
    requiresMfa('user_preferences', 'update'),
  ],
).enableRLS();
