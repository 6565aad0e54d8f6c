import { foreignKey, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { categories } from './categories';
import { createdAt, eventTime, id, score } from './columns';
import { ownerManages, serviceRoleManages } from './policies';
import { products } from './products';
import { checksFor, type TableRules } from './rules';
import { swipeSessions } from './swipe-sessions';

/** `up` is a super like. */
export const swipeDirections = ['left', 'right', 'up', 'down'] as const;

export const swipeInteractionRules = {
  access: {
    group: 'personal',
    owner: { user: 'userId' },
    insert: [
      'sessionId',
      'productId',
      'categoryId',
      'swipeDirection',
      'timeSpentSeconds',
      'preferenceStrength',
    ],
    delete: true,
    serviceInsert: ['swipeTimestamp'],
  },
  enums: { swipeDirection: swipeDirections },
  ranges: { timeSpentSeconds: { min: 0, max: 86_400 }, preferenceStrength: { min: 0, max: 1 } },
} as const satisfies TableRules;

/** One swipe on one product: the input of the preference job. Owner-only. */
export const swipeInteractions = pgTable(
  'swipe_interactions',
  {
    id: id(),
    sessionId: uuid('session_id').notNull(),
    // Its user is the session's: the (session_id, user_id) key below reaches auth.users through
    // swipe_sessions, and deleting the user cascades through the session.
    userId: uuid('user_id').notNull(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    categoryId: uuid('category_id').references(() => categories.id),
    swipeDirection: text('swipe_direction', { enum: swipeDirections }).notNull(),
    swipeTimestamp: eventTime('swipe_timestamp'),
    timeSpentSeconds: integer('time_spent_seconds'),
    preferenceStrength: score('preference_strength'),
    createdAt: createdAt(),
  },
  (t) => [
    ...checksFor('swipe_interactions', t, swipeInteractionRules),
    // Foreign keys ignore RLS: pairing the session with the swipe's user keeps a swipe out of
    // another user's session.
    foreignKey({
      name: 'swipe_interactions_session_owner_fk',
      columns: [t.sessionId, t.userId],
      foreignColumns: [swipeSessions.id, swipeSessions.userId],
    }).onDelete('cascade'),
    index('idx_swipe_interactions_session_id').on(t.sessionId, t.userId),
    index('idx_swipe_interactions_user_timestamp').on(
      t.userId,
      t.swipeTimestamp.desc().nullsFirst(),
    ),
    index('idx_swipe_interactions_product_id').on(t.productId),
    index('idx_swipe_interactions_category_id').on(t.categoryId),
    serviceRoleManages('swipe_interactions'),
    ownerManages('swipe_interactions', t.userId),
  ],
).enableRLS();
