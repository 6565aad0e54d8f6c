export {
  isPlausibleTime,
  isStorableText,
  jsonObject,
  jsonObjectProblem,
  storableString,
  storableTextMessage,
} from './bounds';
export {
  type CreateDbOptions,
  createDb,
  type Database,
  type Executor,
  queryRows,
  type Schema,
} from './client';
export { redactUrl } from './connection';
export { constraintMessages } from './constraints';
export { defaultDataDir, holdsDatabase, resolveDataDir } from './data-dir';
export {
  AclueDbError,
  DatabaseConnectionError,
  DatabaseLockedError,
  type LockHolder,
  MigrationError,
} from './errors';
export { explainPlan, type PlanNode } from './explain';
export { type Identity, setLocalIdentity, type VerifiedClaims } from './identity';
export { inventory, type TableInventory } from './inventory';
export { type AllowedLintFinding, allowedLintFindings } from './migration-lint';
export {
  type AppliedMigration,
  compareMigrations,
  defaultMigrationsFolder,
  type MigrateOptions,
  type MigrateResult,
  type MigrationFile,
  type MigrationPlan,
  type MigrationState,
  migrate,
  migrationStatus,
  planMigrations,
  readMigrations,
} from './migrations';
export * from './objects';
export * from './samples';
export * from './schema';
export { MFA_POLICY_SUFFIX } from './schema/policies';
export {
  bounds,
  describeRange,
  type Range,
  type RowRule,
  type TableAccess,
  type TableGroup,
  type TableRules,
} from './schema/rules';
export { deploymentTables, schemaTables, type TableName, tables } from './tables';
export { type TableSchemas, tableSchemas } from './validation';
export * from './zod';
