export {
  type CreateDbOptions,
  createDb,
  type Database,
  defaultDataDir,
  type Executor,
  queryRows,
  type Schema,
} from './client';
export { redactUrl } from './connection';
export { AclueDbError, DatabaseConnectionError, MigrationError } from './errors';
export { inventory, type SchemaInventory } from './inventory';
export {
  type AppliedMigration,
  defaultMigrationsFolder,
  type MigrateOptions,
  type MigrateResult,
  type MigrationFile,
  type MigrationPlan,
  migrate,
  planMigrations,
  readMigrations,
} from './migrations';
export * from './objects';
export * from './schema';
export { deploymentTables, tableRules, tables } from './tables';
