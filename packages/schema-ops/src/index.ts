export { type DriftReport, detectDrift, formatDrift, unsavedSchemaChanges } from './drift';
export { type LintFinding, lintMigrations } from './migration-lint';
export { type PushReport, safePush } from './push';
