import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  defaultMigrationsFolder,
  type MigrationFile,
  readMigrations,
  tablesInGroups,
} from '@aclue/db';
import { allowedLintFindings } from '@aclue/db/objects';

/** One finding about one migration. */
export interface LintFinding {
  migration: string;
  rule: string;
  message: string;
  /** Why it is acceptable, when it is on the allow list. */
  allowed?: string;
}

/**
 * The tables that grow without bound — rows recorded per visit or per user action (the tracking
 * and personal groups): a blocking index build on them stops the platform.
 */
const bigTables: readonly string[] = tablesInGroups('tracking', 'personal').map((t) => t.sql);

interface OwnRule {
  rule: string;
  message: string;
  matches: (statement: string, migration: MigrationFile) => boolean;
}

const createsTable = (migration: MigrationFile, table: string) =>
  migration.statements.some((s) => new RegExp(`CREATE TABLE[^(]*"?${table}"?\\s*\\(`, 'i').test(s));

const ownRules: OwnRule[] = [
  {
    rule: 'drop-table',
    message: 'drops a table and every row in it',
    matches: (s) => /\bDROP\s+TABLE\b/i.test(s),
  },
  {
    rule: 'drop-column',
    message: 'drops a column and its data; deployed code still reading it will fail',
    matches: (s) => /\bDROP\s+COLUMN\b/i.test(s),
  },
  {
    rule: 'not-null-without-default',
    message: 'adds a NOT NULL column without a default: fails on any table that has rows',
    matches: (s) => /\bADD\s+COLUMN\b[^;]*\bNOT\s+NULL\b/i.test(s) && !/\bDEFAULT\b/i.test(s),
  },
  {
    rule: 'blocking-index-on-big-table',
    message:
      'builds an index without CONCURRENTLY on a high-volume table: writes wait until it ends',
    matches: (s, migration) => {
      const target =
        /CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)[^;]*?\bON\s+(?:"?public"?\.)?"?(\w+)"?/i.exec(
          s,
        )?.[1];
      return target !== undefined && bigTables.includes(target) && !createsTable(migration, target);
    },
  },
];

const require = createRequire(import.meta.url);

/** squawk's findings for one migration file (gcc reporter: file:line:col: level: rule message). */
async function squawk(file: string): Promise<{ rule: string; message: string }[]> {
  const bin = join(dirname(require.resolve('squawk-cli/package.json')), 'js/bin/squawk');
  const run = promisify(execFile);
  const output = await run(process.execPath, [
    bin,
    '--reporter',
    'gcc',
    '--assume-in-transaction',
    file,
  ]).then(
    (r) => r.stdout,
    // squawk exits 1 when it finds something; its findings are still on stdout.
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  return output
    .split('\n')
    .map((line) => /:\d+:\d+: \w+: ([\w-]+) (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ rule: m[1] ?? '', message: m[2] ?? '' }));
}

/** The reason a finding is accepted: the migration's own, else the one for every migration. */
const allowance = (migration: string, rule: string) =>
  (
    allowedLintFindings.find((a) => a.rule === rule && a.migration === migration) ??
    allowedLintFindings.find((a) => a.rule === rule && a.migration === '*')
  )?.reason;

/**
 * Lints every migration for operations unsafe on a live database: squawk's rules plus ours. One
 * finding per migration and rule; findings on the allow list carry its reason.
 */
export async function lintMigrations(folder = defaultMigrationsFolder): Promise<LintFinding[]> {
  const findings: LintFinding[] = [];
  for (const migration of readMigrations(folder)) {
    const raw = [
      ...(await squawk(join(folder, `${migration.tag}.sql`))),
      ...ownRules.flatMap((r) =>
        migration.statements.some((s) => r.matches(s, migration)) ? [r] : [],
      ),
    ];
    const seen = new Set<string>();
    for (const { rule, message } of raw) {
      if (seen.has(rule)) continue;
      seen.add(rule);
      const allowed = allowance(migration.tag, rule);
      findings.push({ migration: migration.tag, rule, message, ...(allowed ? { allowed } : {}) });
    }
  }
  return findings;
}
