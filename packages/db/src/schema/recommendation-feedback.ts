import { sql } from 'drizzle-orm';
import { index, integer, numeric, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { authUid, authUsers } from 'drizzle-orm/supabase';
import { createdAt, flag, id, optionalTime, score } from './columns';
import { ownerInserts, ownerReads, serviceRoleManages } from './policies';
import { products } from './products';
import { recommendations } from './recommendations';
import { checksFor, type TableRules } from './rules';

export const feedbackTypes = ['explicit', 'implicit'] as const;

export const feedbackActions = [
  'like',
  'dislike',
  'love',
  'not_interested',
  'click',
  'purchase',
  'ignore',
  'report',
  'share',
  'save',
  'view_details',
] as const;

export const feedbackSources = [
  'recommendation_list',
  'email',
  'push_notification',
  'in_app',
  'web_app',
] as const;

export const recommendationFeedbackRules = {
  // Training and moderation columns (weight, processed, validated, notes) are the service role's.
  access: {
    group: 'personal',
    owner: { user: 'userId' },
    insert: [
      'recommendationId',
      'productId',
      'feedbackType',
      'feedbackAction',
      'feedbackValue',
      'rating',
      'comment',
      'feedbackTags',
      'timeToActionSeconds',
      'dwellTimeSeconds',
      'clickDepth',
      'scrollDepth',
      'feedbackSource',
      'sessionId',
      'positionInList',
      'modelVersion',
      'originalConfidenceScore',
    ],
  },
  lengths: { comment: 4000, sessionId: 128, modelVersion: 100, validationNotes: 4000 },
  enums: {
    feedbackType: feedbackTypes,
    feedbackAction: feedbackActions,
    feedbackSource: feedbackSources,
  },
  ranges: {
    feedbackValue: { min: -1, max: 1 },
    rating: { min: 1, max: 5 },
    timeToActionSeconds: { min: 0, max: 86_400 },
    dwellTimeSeconds: { min: 0, max: 86_400 },
    clickDepth: { min: 0, max: 1_000 },
    scrollDepth: { min: 0, max: 1 },
    positionInList: { min: 1 },
    originalConfidenceScore: { min: 0, max: 1 },
    trainingWeight: { min: 0 },
  },
} as const satisfies TableRules;

/** A user's reaction to a recommendation: training data for the recommender. */
export const recommendationFeedback = pgTable(
  'recommendation_feedback',
  {
    id: id(),
    recommendationId: uuid('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    feedbackType: text('feedback_type', { enum: feedbackTypes }).notNull(),
    feedbackAction: text('feedback_action', { enum: feedbackActions }).notNull(),
    feedbackValue: numeric('feedback_value', { precision: 3, scale: 2, mode: 'number' }).notNull(),
    rating: integer('rating'),
    comment: text('comment'),
    feedbackTags: text('feedback_tags').array(),
    timeToActionSeconds: integer('time_to_action_seconds'),
    dwellTimeSeconds: integer('dwell_time_seconds'),
    clickDepth: integer('click_depth'),
    scrollDepth: score('scroll_depth'),
    feedbackSource: text('feedback_source', { enum: feedbackSources }),
    sessionId: text('session_id'),
    positionInList: integer('position_in_list'),
    modelVersion: text('model_version').notNull(),
    originalConfidenceScore: score('original_confidence_score'),
    trainingWeight: numeric('training_weight', { precision: 3, scale: 2, mode: 'number' })
      .notNull()
      .default(1),
    isProcessed: flag('is_processed'),
    processingTimestamp: optionalTime('processing_timestamp'),
    // User-submitted feedback trains nothing until moderation validates it.
    isValidated: flag('is_validated'),
    validationNotes: text('validation_notes'),
    createdAt: createdAt(),
  },
  (t) => [
    ...checksFor('recommendation_feedback', t, recommendationFeedbackRules),
    index('idx_recommendation_feedback_recommendation').on(
      t.recommendationId,
      t.createdAt.desc().nullsFirst(),
    ),
    index('idx_recommendation_feedback_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('idx_recommendation_feedback_product_value').on(
      t.productId,
      t.feedbackValue.desc().nullsFirst(),
    ),
    index('idx_recommendation_feedback_unprocessed')
      .on(t.isProcessed, t.createdAt)
      .where(sql`is_processed = false`),
    index('idx_recommendation_feedback_action_value').on(t.feedbackAction, t.feedbackValue),
    index('idx_recommendation_feedback_model').on(t.modelVersion, t.isProcessed),
    index('idx_recommendation_feedback_training')
      .on(t.trainingWeight.desc().nullsFirst(), t.isValidated, t.isProcessed)
      .where(sql`is_validated = true`),
    serviceRoleManages('recommendation_feedback'),
    ownerReads('recommendation_feedback', t.userId),
    // Feedback only on a recommendation made to this user, about the product it recommended,
    // while that product is active.
    ownerInserts(
      'recommendation_feedback',
      t.userId,
      sql`exists (select 1 from public.recommendations r where r.id = ${t.recommendationId} and r.user_id = ${authUid} and r.product_id = ${t.productId}) and exists (select 1 from public.products p where p.id = ${t.productId} and p.is_active)`,
    ),
  ],
).enableRLS();
