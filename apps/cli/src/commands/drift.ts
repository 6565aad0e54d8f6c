import { createDb, type Database, migrate } from '@aclue/db';
import { detectDrift, formatDrift } from '@aclue/schema-ops';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode } from '../exit';
import { emit } from '../output';

export interface DriftOptions extends GlobalOptions {
  migrationsDir?: string;
  scratch?: boolean;
}

/**
 * The database every command uses (--database-url, DATABASE_URL, else the project's embedded
 * one); with --scratch, a throwaway embedded database built from the committed migrations, so
 * "migrations vs database" checks that the migrations really build what the schema declares.
 */
async function withTarget<T>(
  options: DriftOptions,
  work: (db: Database, scratch: boolean) => Promise<T>,
) {
  if (!options.scratch) return withDatabase(options, (db) => work(db, false));
  const db = await createDb({ memory: true });
  try {
    await migrate(db, options.migrationsDir ? { migrationsFolder: options.migrationsDir } : {});
    return await work(db, true);
  } finally {
    await db.$close();
  }
}

export async function driftCommand(options: DriftOptions): Promise<number> {
  return withTarget(options, async (db, scratch) => {
    const report = await detectDrift(
      db,
      options.migrationsDir ? { migrationsFolder: options.migrationsDir } : {},
    );
    emit(options.json, report, () =>
      [
        scratch
          ? 'scratch embedded database, migrated from the committed migrations'
          : describeTarget(db),
        formatDrift(report),
      ].join('\n'),
    );
    return report.drifted ? ExitCode.finding : ExitCode.ok;
  });
}
