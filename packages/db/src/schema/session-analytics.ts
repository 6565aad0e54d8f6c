import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { authUsers } from 'drizzle-orm/supabase';
import {
  counter,
  createdAt,
  eventTime,
  flag,
  id,
  money,
  optionalTime,
  score,
  updatedAt,
} from './columns';
import { anonInsertsAnonymous, ownerInserts, ownerReads, serviceRoleManages } from './policies';
import { checksFor, type TableRules } from './rules';

interface SessionMilestones {
  startedAt?: Date | null;
  endedAt?: Date | null;
  hasRegistered?: boolean | null;
  registrationTimestamp?: Date | null;
  hasConverted?: boolean | null;
  conversionTimestamp?: Date | null;
}

export const sessionAnalyticsRules = {
  ranges: {
    durationSeconds: { min: 0 },
    pagesViewed: { min: 1 },
    totalClicks: { min: 0 },
    totalSwipes: { min: 0 },
    productsViewed: { min: 0 },
    recommendationsViewed: { min: 0 },
    affiliateClicks: { min: 0 },
    conversionValue: { min: 0 },
    sessionQualityScore: { min: 0, max: 1 },
    engagementScore: { min: 0, max: 1 },
  },
  rows: [
    {
      name: 'session_analytics_ended_after_start_check',
      expression: 'ended_at IS NULL OR ended_at >= started_at',
      message: 'ended_at must not be before started_at',
      holds: (s: SessionMilestones) => !s.endedAt || !s.startedAt || s.endedAt >= s.startedAt,
    },
    {
      name: 'session_analytics_registered_has_timestamp_check',
      expression: 'NOT has_registered OR registration_timestamp IS NOT NULL',
      message: 'a session that registered needs registration_timestamp',
      holds: (s: SessionMilestones) => !s.hasRegistered || s.registrationTimestamp != null,
    },
    {
      name: 'session_analytics_converted_has_timestamp_check',
      expression: 'NOT has_converted OR conversion_timestamp IS NOT NULL',
      message: 'a session that converted needs conversion_timestamp',
      holds: (s: SessionMilestones) => !s.hasConverted || s.conversionTimestamp != null,
    },
  ],
} satisfies TableRules<SessionMilestones>;

/** One row per browser session, anonymous or signed in. */
export const sessionAnalytics = pgTable(
  'session_analytics',
  {
    id: id(),
    // The unique constraint's index serves lookups by session_id; the original's extra plain
    // index on it was a duplicate.
    sessionId: text('session_id').notNull().unique('session_analytics_session_id_key'),
    userId: uuid('user_id').references(() => authUsers.id, { onDelete: 'set null' }),
    anonymousId: text('anonymous_id'),
    startedAt: eventTime('started_at'),
    endedAt: optionalTime('ended_at'),
    durationSeconds: integer('duration_seconds'),
    lastActivityAt: eventTime('last_activity_at'),
    landingPage: text('landing_page').notNull(),
    exitPage: text('exit_page'),
    pagesViewed: integer('pages_viewed').notNull().default(1),
    pageSequence: text('page_sequence').array().notNull().default(sql`'{}'::text[]`),
    totalClicks: counter('total_clicks'),
    totalSwipes: counter('total_swipes'),
    productsViewed: counter('products_viewed'),
    recommendationsViewed: counter('recommendations_viewed'),
    affiliateClicks: counter('affiliate_clicks'),
    hasRegistered: flag('has_registered'),
    registrationTimestamp: optionalTime('registration_timestamp'),
    hasConverted: flag('has_converted'),
    conversionTimestamp: optionalTime('conversion_timestamp'),
    conversionValue: money('conversion_value'),
    deviceType: text('device_type'),
    browser: text('browser'),
    operatingSystem: text('operating_system'),
    screenResolution: text('screen_resolution'),
    countryCode: varchar('country_code', { length: 2 }),
    city: text('city'),
    timezone: text('timezone'),
    referrerUrl: text('referrer_url'),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    utmContent: text('utm_content'),
    utmTerm: text('utm_term'),
    isBounce: flag('is_bounce'),
    isActive: flag('is_active', true),
    sessionQualityScore: score('session_quality_score'),
    engagementScore: score('engagement_score'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    ...checksFor('session_analytics', t, sessionAnalyticsRules),
    index('idx_session_analytics_user_id').on(t.userId).where(sql`user_id IS NOT NULL`),
    index('idx_session_analytics_anonymous_id')
      .on(t.anonymousId)
      .where(sql`anonymous_id IS NOT NULL`),
    index('idx_session_analytics_started_at').on(t.startedAt.desc().nullsFirst()),
    index('idx_session_analytics_conversions')
      .on(t.hasConverted, t.conversionTimestamp.desc().nullsFirst())
      .where(sql`has_converted = true`),
    index('idx_session_analytics_active')
      .on(t.isActive, t.lastActivityAt.desc().nullsFirst())
      .where(sql`is_active = true`),
    index('idx_session_analytics_landing_page').on(t.landingPage),
    index('idx_session_analytics_utm').on(t.utmSource, t.utmMedium, t.utmCampaign),
    serviceRoleManages('session_analytics'),
    ownerReads('session_analytics', t.userId),
    anonInsertsAnonymous('session_analytics', t.userId),
    ownerInserts('session_analytics', t.userId),
  ],
).enableRLS();
