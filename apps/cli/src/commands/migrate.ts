import { type Database, type MigrateResult, migrate } from '@aclue/db';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { emit } from '../output';

export interface MigrateOptions extends GlobalOptions {
  dryRun?: boolean;
  migrationsDir?: string;
}

/** The lines that say what a migrate run did (or, dry, would do). */
export function describeMigration(db: Database, result: MigrateResult): string {
  const lines = [`${describeTarget(db)}`];
  const tags = result.pending.map((m) => m.tag);
  if (tags.length === 0) {
    lines.push(`up to date: ${result.applied.length} migrations applied earlier, nothing to do`);
  } else if (result.dryRun) {
    lines.push(`would apply ${tags.length} migrations (dry run, nothing changed):`);
    for (const m of result.pending) lines.push(`\n-- ${m.tag}.sql\n${m.statements.join('\n')}`);
  } else {
    lines.push(`applied ${tags.length} migrations: ${tags.join(', ')}`);
  }
  return lines.join('\n');
}

export const migrationJson = (result: MigrateResult) => ({
  dryRun: result.dryRun,
  applied: result.pending.map((m) => ({ tag: m.tag, hash: m.hash })),
  alreadyApplied: result.applied.map((m) => m.tag),
});

export async function migrateCommand(options: MigrateOptions): Promise<number> {
  return withDatabase(
    options,
    async (db) => {
      const result = await migrate(db, {
        dryRun: options.dryRun ?? false,
        ...(options.migrationsDir ? { migrationsFolder: options.migrationsDir } : {}),
      });
      emit(options.json, migrationJson(result), () => describeMigration(db, result));
      return 0;
    },
    { missing: options.dryRun ? 'preview' : 'create' },
  );
}
