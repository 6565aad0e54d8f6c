import { index, integer, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { authUsers } from 'drizzle-orm/supabase';
import { createdAt, flag, id, optionalTime, rate } from './columns';
import { ownerReads, serviceRoleManages } from './policies';
import { products } from './products';
import { checksFor, type TableRules } from './rules';
import { swipeSessions } from './swipe-sessions';

export const recommendationRules = {
  access: { group: 'personal', owner: { user: 'userId' } },
  lengths: { reasoning: 4000 },
  futureTimes: ['expiresAt'],
  ranges: { confidenceScore: { min: 0, max: 1 }, rankPosition: { min: 1 } },
} as const satisfies TableRules;

/** What the recommender proposed to a user. The owner reads; only the service role writes. */
export const recommendations = pgTable(
  'recommendations',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    sessionId: uuid('session_id').references(() => swipeSessions.id),
    confidenceScore: rate('confidence_score').notNull(),
    algorithmVersion: varchar('algorithm_version', { length: 50 }),
    reasoning: text('reasoning'),
    rankPosition: integer('rank_position'),
    createdAt: createdAt(),
    expiresAt: optionalTime('expires_at'),
    isClicked: flag('is_clicked'),
    clickedAt: optionalTime('clicked_at'),
    isPurchased: flag('is_purchased'),
    purchasedAt: optionalTime('purchased_at'),
  },
  (t) => [
    ...checksFor('recommendations', t, recommendationRules),
    index('idx_recommendations_user_created').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('idx_recommendations_product_id').on(t.productId),
    index('idx_recommendations_session_id').on(t.sessionId),
    serviceRoleManages('recommendations'),
    ownerReads('recommendations', t.userId),
  ],
).enableRLS();
