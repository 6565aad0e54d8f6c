import { getTableConfig } from 'drizzle-orm/pg-core';
import { commentStatements, tableComments } from './comments';
import { derivedColumnFunctions, derivedColumnTriggers } from './derived';
import { partitionMaintenanceStatements } from './partitions';
import { defaultPrivilegeStatements, grantStatements, tableGrants } from './privileges';
import { quotaFunctions, quotaTriggers } from './quotas';
import {
  hourlyRollupStatements,
  markExistingDaysStatements,
  rollupIndexStatements,
  rollupKeyAndPolicyStatements,
  rollupSchemaStatements,
  rollupTriggers,
} from './rollups';
import { seedCategoriesStatement } from './seed';
import { apiRoleTimeoutStatements, supabaseCompatibilityStatements } from './supabase';
import {
  conversionGuardFunction,
  revokeExecute,
  tableTriggers,
  triggerFunctions,
  triggerStatement,
} from './triggers';

export * from '../migration-lint';
export * from './comments';
export { derivedColumnFunctions, derivedColumnMessages, derivedColumnTriggers } from './derived';
export * from './partitions';
export { inlinedSql, policyExpression, policyRoles, readableUnder } from './policy-text';
export * from './privileges';
export {
  QUOTA_SQLSTATE,
  quotaFunctions,
  quotaMessages,
  quotaTables,
  quotaTriggers,
} from './quotas';
export * from './rollups';
export * from './seed';
export {
  SERVICE_ONLY_POLICY,
  SERVICE_ONLY_POLICY_BODY,
  serviceOnlyPolicyStatements,
} from './service-only';
export * from './supabase';
export * from './triggers';

/**
 * What drizzle-kit cannot express, by custom migration name. Each migration was rendered from these
 * declarations when it was created; a later change to a declaration needs a new custom migration
 * (migrations are append-only), and verification compares the live database to the declarations.
 */
export const customMigrationStatements = {
  supabase_compat: () => supabaseCompatibilityStatements,
  // 0002_database_objects was rendered from the declarations of its day; `security` carries
  // their later changes, and `push` applies the current ones (`databaseObjectStatements`).
  security: () => securityStatements(),
  // 0006 was rendered by schema-ops (it needs drizzle-kit's CREATE TABLE); this one carries the
  // maintenance function's later changes (datestyle pinned, detached months re-attached, rows
  // moved by column name).
  partition_maintenance: () => partitionMaintenanceStatements,
  // The maintenance function locks the parent against writes while it attaches a month (0007's
  // locked only the default partition, and a concurrent insert could fail with 23514).
  partition_maintenance_lock: () => partitionMaintenanceStatements,
  // The rollups' schema, tables and day-marking triggers; the refresh job fills the tables.
  rollups: () => [
    ...rollupSchemaStatements,
    ...rollupTriggers.map((t) => triggerStatement(t)),
    ...markExistingDaysStatements,
  ],
  // The hourly twins of the rollups with few keys per hour (0008 was rendered before them).
  hourly_rollups: () => hourlyRollupStatements,
  // The sessions' `firsts` and the clicking sessions' hourly twin (0009 was rendered before them).
  rollup_firsts: () => hourlyRollupStatements,
  // The indexes popularity reads its few ranking products by.
  rollup_indexes: () => rollupIndexStatements,
  // A click's network, link and commission come from its product (a trigger); the API roles may
  // no longer give them, nor a view's has_clicked_affiliate, nor read what a click earned.
  click_revenue_fields: () => [
    ...derivedColumnFunctions.map((f) => f.definition),
    ...derivedColumnTriggers.map((t) => triggerStatement(t)),
    ...tableGrants
      .filter((g) => ['affiliate_clicks', 'product_views'].includes(getTableConfig(g.table).name))
      .flatMap(grantStatements),
  ],
  // The API roles' statement timeouts, where nothing set one (Supabase sets the same values).
  api_role_timeouts: () => apiRoleTimeoutStatements,
  // Supabase's linter: a primary key on every rollup table, and a policy saying "service only" on
  // every table of the rollup and partition schemas (the maintenance function adds it to new months).
  rollup_keys_service_policies: () => [
    "SET LOCAL lock_timeout = '10s';",
    ...partitionMaintenanceStatements,
    ...rollupKeyAndPolicyStatements,
  ],
  // Quotas per caller, counted in the database whichever way a write comes in.
  write_quotas: () => [
    ...quotaFunctions.map((f) => f.definition),
    ...revokeExecute(quotaFunctions),
    ...quotaTriggers.map((t) => triggerStatement(t)),
  ],
  // What a product earns is hidden from the API roles: the click's derive trigger reads it as
  // its owner, applying the product's read policies to an API caller itself.
  hidden_commission_rate: () => [
    ...derivedColumnFunctions.map((f) => f.definition),
    ...revokeExecute(derivedColumnFunctions),
    ...tableGrants
      .filter((g) => getTableConfig(g.table).name === 'products')
      .flatMap(grantStatements),
  ],
} satisfies Record<string, () => readonly string[]>;

/**
 * The security migration: the conversion guard, closed default privileges, and every table's
 * grants re-derived from its access rules (each grant statement revokes first, so it is exact).
 */
export function securityStatements(): string[] {
  return [
    conversionGuardFunction.definition,
    ...tableTriggers
      .filter((t) => t.function.endsWith(conversionGuardFunction.name))
      .map((t) => triggerStatement(t)),
    ...defaultPrivilegeStatements,
    ...tableGrants.flatMap(grantStatements),
  ];
}

/**
 * The rollups' schema, the trigger functions, triggers, grants, default privileges, comments and seed, in order. `rerunnable` replaces
 * existing triggers instead of failing on them, for `aclue-db push`; every other statement is
 * idempotent as it is.
 */
export function databaseObjectStatements({ rerunnable = false } = {}): string[] {
  return [
    ...rollupSchemaStatements,
    ...triggerFunctions.map((f) => f.definition),
    ...tableTriggers.map((t) => triggerStatement(t, { orReplace: rerunnable })),
    ...revokeExecute(triggerFunctions),
    ...tableGrants.flatMap(grantStatements),
    ...defaultPrivilegeStatements,
    ...tableComments.flatMap(commentStatements),
    seedCategoriesStatement,
    ...markExistingDaysStatements,
  ];
}

export type CustomMigrationName = keyof typeof customMigrationStatements;
