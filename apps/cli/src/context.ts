import { createDb, type Database, holdsDatabase, migrationStatus, resolveDataDir } from '@aclue/db';
import { UsageError } from './exit';
import { tell } from './output';

/** Options every command takes. */
export interface GlobalOptions {
  databaseUrl?: string;
  dataDir?: string;
  json?: boolean;
  verbose?: boolean;
  /** Seconds to wait for another process to close the embedded database. */
  wait?: string;
}

/**
 * A numeric flag's value: plain digits only (no `1e3`, `0x10`, `7.0` or padding), from `min`
 * through `max` (if given). `unit` names what it counts in the message.
 */
export function wholeNumber(
  flag: string,
  value: string | undefined,
  min = 0,
  unit = 'number',
  max?: { limit: number; why: string },
): number {
  if (value === undefined || !/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw new UsageError(
      `${flag} takes a whole ${unit}${min > 0 ? ` of at least ${min}` : ''}, got "${value ?? ''}"`,
    );
  }
  if (max && Number(value) > max.limit) {
    throw new UsageError(`${flag} takes at most ${max.limit} (${max.why}), got ${value}`);
  }
  return Number(value);
}

/**
 * Opens the database the options point to, runs `work`, and always closes it. Only commands that
 * build a database (`missing: 'create'`: setup, migrate, push) may create an embedded one;
 * `'preview'` (a dry run) works on a throwaway one instead; the others refuse a folder that holds
 * none, so a mistyped --data-dir or another working folder is not mistaken for an empty database.
 */
export async function withDatabase<T>(
  options: GlobalOptions,
  work: (db: Database) => Promise<T>,
  { missing = 'refuse' }: { missing?: 'create' | 'preview' | 'refuse' } = {},
): Promise<T> {
  if (options.databaseUrl !== undefined && options.databaseUrl.trim() === '') {
    throw new UsageError(
      '--database-url is empty: give a postgres:// URL, or leave the flag out to use DATABASE_URL or the embedded database',
    );
  }
  const embedded = !options.databaseUrl && !process.env.DATABASE_URL;
  const dataDir = resolveDataDir(options.dataDir);
  const absent = embedded && !holdsDatabase(dataDir);
  if (absent && missing === 'preview') {
    tell(`aclue-db: no embedded database at ${dataDir} yet: previewing on an empty one`);
  }
  const db = await createDb(
    absent && missing === 'preview'
      ? { memory: true }
      : {
          ...(options.databaseUrl ? { url: options.databaseUrl } : {}),
          ...(embedded ? { dataDir } : {}),
          create: missing === 'create',
          onCreate: (dir: string) => tell(`aclue-db: creating a new embedded database at ${dir}`),
          ...(options.wait === undefined
            ? {}
            : {
                lockWaitMs: wholeNumber('--wait', options.wait, 0, 'number of seconds') * 1000,
              }),
        },
  );
  try {
    return await work(db);
  } finally {
    await db.$close();
  }
}

/** Refuses, with the command to run, a database that is missing migrations. */
export async function requireMigrated(db: Database): Promise<void> {
  const pending = (await migrationStatus(db)).filter((m) => m.state !== 'applied');
  if (pending.length > 0) {
    throw new UsageError(
      `${describeTarget(db)} is not migrated (${pending.length} of its migrations are not applied): run \`aclue-db migrate\` first`,
    );
  }
}

/** `embedded database at …` or `postgres://user@host/db`: where a command is working. */
export const describeTarget = (db: Database) =>
  db.$driver === 'pglite' ? `embedded database at ${db.$target}` : db.$target;
