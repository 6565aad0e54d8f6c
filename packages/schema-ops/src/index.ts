export { BaselineError, type BaselineReport, baseline } from './baseline';
export { type DriftReport, detectDrift, formatDrift, unsavedSchemaChanges } from './drift';
export { type LintFinding, lintMigrations } from './migration-lint';
export { PushError, type PushReport, safePush } from './push';
