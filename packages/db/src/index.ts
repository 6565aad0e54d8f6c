export { type ArrayInsert, arrayInserts } from './array-insert';
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
export { copyRows } from './copy';
export { defaultDataDir, holdsDatabase, resolveDataDir } from './data-dir';
export {
  AclueDbError,
  DatabaseConnectionError,
  DatabaseLockedError,
  type LockHolder,
  MigrationError,
} from './errors';
export { explainPlan, type PlanNode } from './explain';
export {
  type Identity,
  identityStatement,
  setLocalIdentity,
  type VerifiedClaims,
} from './identity';
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
  recordMigrations,
  unrecordedMessage,
  unrecordedTables,
} from './migrations';
export { literal, quoteIdent } from './objects/sql-text';
export {
  listPartitions,
  type MaintainPartitionsOptions,
  maintainPartitions,
  type PartitionInfo,
  type PartitionMaintenance,
} from './partitions';
export { type PostgresError, postgresErrorOf } from './postgres-error';
export { type ReplicaLag, replicationLag } from './replicas';
export {
  type AnonymisationResult,
  type ArchiveSink,
  anonymiseExpiredPersonalData,
  archivedColumnsLeftOut,
  archivePartition,
  type ExpiredPartition,
  expiredPartitions,
  type RetainedTable,
  retainedTables,
} from './retention';
export { BRING_BACK_HINT, type RollbackState, rollbackState } from './rollback-state';
export {
  type ClickDimension,
  clickDimensions,
  clickRollups,
  clickSessionRollup,
  conversionRollup,
  convertingRows,
  distinctKeys,
  firstsRows,
  type Grain,
  grainsOf,
  type RefreshRollupsOptions,
  type Rollup,
  type RollupIndex,
  type RollupRefresh,
  type RollupSourceStatus,
  type RollupTableKind,
  rawRollupRows,
  refreshRollups,
  rollupColumns,
  rollupRows,
  rollupSchema,
  rollupSources,
  rollupStatus,
  rollups,
  rollupTableName,
  sessionRollup,
  tableKindsOf,
  unmarkedBefore,
  viewPositionRollup,
  viewProductRollup,
  viewSessionRollup,
  withMeasures,
} from './rollups';
export { MFA_POLICY_SUFFIX } from './schema/policies';
export {
  readableColumns,
  type TableFacts,
  tableFacts,
  tableFactsOf,
  tablesInGroups,
} from './table-facts';
export {
  deploymentTables,
  rollbackTableNames,
  rollbackTables,
  schemaTables,
  type TableName,
  tables,
} from './tables';
export { type TableSchemas, tableSchemas } from './validation';
export * from './zod';
