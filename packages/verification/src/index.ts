export { type CatalogTable, readCatalog } from './catalog';
export { type DeclaredTable, declaredTables } from './declared';
export { type DriftReport, detectDrift, formatDrift, unsavedSchemaChanges } from './drift';
export { runLints } from './lints';
export { type LintFinding, lintMigrations } from './migration-lint';
export { type PushReport, safePush } from './push';
export { formatJunit, formatText, summaryLine } from './report';
export type { CheckCategory, CheckResult } from './results';
export {
  VerificationError,
  type VerificationReport,
  type VerifyOptions,
  verify,
} from './verify';
