import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import * as s from './schema';
import type { TableRules } from './schema/rules';

// Rules are typed over each table's own row; here they are read generically.
const entry = <T extends PgTable>(table: T, rules: TableRules<never>) => ({ table, rules });

/** Every table of the schema with its rules, by TypeScript name. */
export const schemaTables = {
  categories: entry(s.categories, s.categoryRules),
  products: entry(s.products, s.productRules),
  swipeSessions: entry(s.swipeSessions, s.swipeSessionRules),
  swipeInteractions: entry(s.swipeInteractions, s.swipeInteractionRules),
  recommendations: entry(s.recommendations, s.recommendationRules),
  affiliateClicks: entry(s.affiliateClicks, s.affiliateClickRules),
  userPreferences: entry(s.userPreferences, s.userPreferenceRules),
  sessionAnalytics: entry(s.sessionAnalytics, s.sessionAnalyticsRules),
  productViews: entry(s.productViews, s.productViewRules),
  recommendationFeedback: entry(s.recommendationFeedback, s.recommendationFeedbackRules),
  conversionCorrections: entry(s.conversionCorrections, s.conversionCorrectionRules),
};

export type TableName = keyof typeof schemaTables;

/** Every table of the schema. */
export const tables: readonly PgTable[] = Object.values(schemaTables).map((entry) => entry.table);

/** The five tables of the original deployment. */
export const deploymentTables: readonly PgTable[] = [
  s.affiliateClicks,
  s.userPreferences,
  s.sessionAnalytics,
  s.productViews,
  s.recommendationFeedback,
];

const nameOf = (table: PgTable) => getTableConfig(table).name;

/**
 * What `aclue-db rollback` drops: the five deployment tables and every table whose foreign keys
 * point into them (the conversion audit trail), which cannot outlive them. Derived from the
 * declared foreign keys, so a new dependent table joins the list by itself.
 */
export const rollbackTables: readonly PgTable[] = [
  ...deploymentTables,
  ...tables.filter(
    (table) =>
      !deploymentTables.includes(table) &&
      getTableConfig(table).foreignKeys.some((fk) =>
        deploymentTables.includes(fk.reference().foreignTable),
      ),
  ),
];

/** The SQL names of `rollbackTables`, in the order rollback exports them. */
export const rollbackTableNames: readonly string[] = rollbackTables.map(nameOf);
