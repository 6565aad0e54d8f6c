import { index, pgTable, text, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { authUsers } from 'drizzle-orm/supabase';
import { eventTime, flag, id, money, optionalTime } from './columns';
import { ownerManages, serviceRoleManages } from './policies';
import { checksFor, type TableRules } from './rules';

interface SwipeSessionTimes {
  budgetMin?: number | null;
  budgetMax?: number | null;
  startedAt?: Date | null;
  completedAt?: Date | null;
}

export const swipeSessionRules = {
  access: {
    group: 'personal',
    owner: { user: 'userId' },
    insert: [
      'sessionType',
      'occasion',
      'budgetMin',
      'budgetMax',
      'recipientRelationship',
      'recipientAgeRange',
      'recipientGender',
      'recipientInterests',
    ],
    update: ['isCompleted', 'completedAt'],
    delete: true,
    serviceInsert: ['startedAt'],
  },
  ranges: { budgetMin: { min: 0 }, budgetMax: { min: 0 } },
  rows: [
    {
      name: 'swipe_sessions_budget_range_check',
      expression: 'budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max',
      message: 'budget_min must not exceed budget_max',
      holds: (s: SwipeSessionTimes) =>
        s.budgetMin == null || s.budgetMax == null || s.budgetMin <= s.budgetMax,
    },
    {
      name: 'swipe_sessions_completed_after_start_check',
      expression: 'completed_at IS NULL OR completed_at >= started_at',
      message: 'completed_at must not be before started_at',
      holds: (s: SwipeSessionTimes) =>
        !s.completedAt || !s.startedAt || s.completedAt >= s.startedAt,
    },
  ],
} as const satisfies TableRules<SwipeSessionTimes>;

/** A gift-finding session of swipes. Owner-only. */
export const swipeSessions = pgTable(
  'swipe_sessions',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    sessionType: varchar('session_type', { length: 50 }).notNull().default('discovery'),
    occasion: varchar('occasion', { length: 100 }),
    budgetMin: money('budget_min'),
    budgetMax: money('budget_max'),
    recipientRelationship: varchar('recipient_relationship', { length: 100 }),
    recipientAgeRange: varchar('recipient_age_range', { length: 50 }),
    recipientGender: varchar('recipient_gender', { length: 50 }),
    recipientInterests: text('recipient_interests').array(),
    startedAt: eventTime('started_at'),
    completedAt: optionalTime('completed_at'),
    isCompleted: flag('is_completed'),
  },
  (t) => [
    ...checksFor('swipe_sessions', t, swipeSessionRules),
    index('idx_swipe_sessions_user_id').on(t.userId),
    // What swipes reference with (session_id, user_id): a swipe only in its owner's session.
    unique('swipe_sessions_id_user_id_key').on(t.id, t.userId),
    serviceRoleManages('swipe_sessions'),
    ownerManages('swipe_sessions', t.userId),
  ],
).enableRLS();
