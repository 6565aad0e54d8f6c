import type * as s from './schema';
import { schemaTables, type TableName } from './tables';
import { type TableSchemas, tableSchemas } from './validation';

type Schemas = {
  [K in TableName]: TableSchemas<(typeof schemaTables)[K]['table']>;
};

/**
 * zod schemas per table (`select`, `insert`, `update`): types, enums, lengths and every CHECK
 * constraint, with messages that name the column and the rule.
 *
 * @example
 * const result = validation.affiliateClicks.insert.safeParse(body);
 * if (!result.success) console.log(z.prettifyError(result.error));
 */
export const validation = Object.fromEntries(
  Object.entries(schemaTables).map(([name, { table, rules }]) => [
    name,
    tableSchemas(table, rules),
  ]),
) as Schemas;

export type CategorySelect = typeof s.categories.$inferSelect;
export type CategoryInsert = typeof s.categories.$inferInsert;
export type ProductSelect = typeof s.products.$inferSelect;
export type ProductInsert = typeof s.products.$inferInsert;
export type SwipeSessionSelect = typeof s.swipeSessions.$inferSelect;
export type SwipeSessionInsert = typeof s.swipeSessions.$inferInsert;
export type SwipeInteractionSelect = typeof s.swipeInteractions.$inferSelect;
export type SwipeInteractionInsert = typeof s.swipeInteractions.$inferInsert;
export type RecommendationSelect = typeof s.recommendations.$inferSelect;
export type RecommendationInsert = typeof s.recommendations.$inferInsert;
export type AffiliateClickSelect = typeof s.affiliateClicks.$inferSelect;
export type AffiliateClickInsert = typeof s.affiliateClicks.$inferInsert;
export type UserPreferencesSelect = typeof s.userPreferences.$inferSelect;
export type UserPreferencesInsert = typeof s.userPreferences.$inferInsert;
export type SessionAnalyticsSelect = typeof s.sessionAnalytics.$inferSelect;
export type SessionAnalyticsInsert = typeof s.sessionAnalytics.$inferInsert;
export type ProductViewSelect = typeof s.productViews.$inferSelect;
export type ProductViewInsert = typeof s.productViews.$inferInsert;
export type RecommendationFeedbackSelect = typeof s.recommendationFeedback.$inferSelect;
export type RecommendationFeedbackInsert = typeof s.recommendationFeedback.$inferInsert;
export type ConversionCorrectionSelect = typeof s.conversionCorrections.$inferSelect;
export type ConversionCorrectionInsert = typeof s.conversionCorrections.$inferInsert;
