import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, defaultMigrationsFolder } from '@aclue/db';
import * as schema from '@aclue/db/schema';
import { type CheckResult, verify } from '@aclue/verification';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { type LintFinding, lintMigrations } from './migration-lint';

type Snapshot = Parameters<typeof generateMigration>[0];

/** The snapshot drizzle-kit stored with the last migration: what the migrations say the schema is. */
function lastSnapshot(folder: string): Snapshot {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number }[];
  };
  const last = journal.entries.at(-1);
  if (!last) throw new Error(`no migrations in ${folder}`);
  const file = join(folder, `meta/${String(last.idx).padStart(4, '0')}_snapshot.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
}

/**
 * Schema code vs committed migrations: the SQL a new migration would have to contain (none when
 * the migrations are up to date), computed by drizzle-kit's own differ.
 */
export async function unsavedSchemaChanges(
  imports: Record<string, unknown> = schema,
  folder = defaultMigrationsFolder,
): Promise<string[]> {
  const previous = lastSnapshot(folder);
  const current = generateDrizzleJson(imports, (previous as { id?: string }).id, ['public']);
  return generateMigration(previous, current as Snapshot);
}

export interface DriftReport {
  /** Schema code vs committed migrations: SQL no migration contains yet. */
  schemaChanges: string[];
  /** Committed migrations vs the live database: every structural check that failed. */
  databaseDifferences: CheckResult[];
  /** The migrations linted for unsafe operations; findings on the allow list say why. */
  lint: LintFinding[];
  drifted: boolean;
}

/**
 * The three comparisons no single tool makes: schema code vs migrations, migrations vs the live
 * database (someone changed production by hand, or a push dropped part of a policy), and the
 * migration SQL vs safe-operation rules.
 */
export async function detectDrift(
  db: Database,
  { migrationsFolder = defaultMigrationsFolder }: { migrationsFolder?: string } = {},
): Promise<DriftReport> {
  const schemaChanges = await unsavedSchemaChanges(schema, migrationsFolder);
  const report = await verify(db, { probes: false });
  const databaseDifferences = report.results.filter((r) => !r.ok && r.category !== 'lints');
  const lint = await lintMigrations(migrationsFolder);
  return {
    schemaChanges,
    databaseDifferences,
    lint,
    drifted:
      schemaChanges.length > 0 || databaseDifferences.length > 0 || lint.some((f) => !f.allowed),
  };
}

/** The drift report for people: each comparison as a readable diff. */
export function formatDrift(report: DriftReport): string {
  const lines: string[] = [];
  lines.push(
    report.schemaChanges.length === 0
      ? '✔ schema code = committed migrations'
      : `✘ schema code has changes no migration contains (run npm run generate -w @aclue/db):\n${report.schemaChanges.map((s) => `  + ${s.replaceAll('\n', '\n    ')}`).join('\n')}`,
  );
  lines.push(
    report.databaseDifferences.length === 0
      ? '✔ committed migrations = live database'
      : `✘ the live database differs from the migrations:\n${report.databaseDifferences.map((r) => `  ~ ${r.table ?? '(database)'}: ${r.name}: ${r.detail}`).join('\n')}`,
  );
  const blocking = report.lint.filter((f) => !f.allowed);
  lines.push(
    blocking.length === 0
      ? `✔ migration lint: ${report.lint.length} findings, all allowed with a reason`
      : `✘ migration lint:\n${blocking.map((f) => `  ! ${f.migration}: ${f.rule}: ${f.message}\n    allow it with a reason in packages/db/src/migration-lint.ts, or change the migration`).join('\n')}`,
  );
  return lines.join('\n');
}
