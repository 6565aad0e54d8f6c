import { createDb, type Database, migrationStatus } from '@aclue/db';
import { UsageError } from './exit';

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
 * A numeric flag's value: plain digits only (no `1e3`, `0x10`, `7.0` or padding), at least `min`.
 * `unit` names what it counts in the message.
 */
export function wholeNumber(
  flag: string,
  value: string | undefined,
  min = 0,
  unit = 'number',
): number {
  if (value === undefined || !/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw new UsageError(
      `${flag} takes a whole ${unit}${min > 0 ? ` of at least ${min}` : ''}, got "${value ?? ''}"`,
    );
  }
  return Number(value);
}

/** Opens the database the options point to, runs `work`, and always closes it. */
export async function withDatabase<T>(
  options: GlobalOptions,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const db = await createDb({
    ...(options.databaseUrl ? { url: options.databaseUrl } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.wait === undefined
      ? {}
      : { lockWaitMs: wholeNumber('--wait', options.wait, 0, 'number of seconds') * 1000 }),
  });
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
