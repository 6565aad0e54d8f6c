import type { PgTable } from 'drizzle-orm/pg-core';
import * as schema from './schema';

/** Every table of the schema, by TypeScript name. */
export const tables = {
  categories: schema.categories,
  products: schema.products,
  swipeSessions: schema.swipeSessions,
  swipeInteractions: schema.swipeInteractions,
  recommendations: schema.recommendations,
  affiliateClicks: schema.affiliateClicks,
  userPreferences: schema.userPreferences,
  sessionAnalytics: schema.sessionAnalytics,
  productViews: schema.productViews,
  recommendationFeedback: schema.recommendationFeedback,
} satisfies Record<string, PgTable>;

/** The five tables of the original deployment. */
export const deploymentTables = [
  schema.affiliateClicks,
  schema.userPreferences,
  schema.sessionAnalytics,
  schema.productViews,
  schema.recommendationFeedback,
] as const;

/** Each table's rules (checks, zod refinements, constraint messages). */
export const tableRules = [
  [schema.categories, schema.categoryRules],
  [schema.products, schema.productRules],
  [schema.swipeSessions, schema.swipeSessionRules],
  [schema.swipeInteractions, schema.swipeInteractionRules],
  [schema.recommendations, schema.recommendationRules],
  [schema.affiliateClicks, schema.affiliateClickRules],
  [schema.userPreferences, schema.userPreferenceRules],
  [schema.sessionAnalytics, schema.sessionAnalyticsRules],
  [schema.productViews, schema.productViewRules],
  [schema.recommendationFeedback, schema.recommendationFeedbackRules],
] as const;
