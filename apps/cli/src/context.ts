import { createDb, type Database } from '@aclue/db';
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

/** A flag's value as whole seconds: plain digits only (no `1e3`, `0x10` or padding). */
export function seconds(flag: string, value: string): number {
  if (!/^\d{1,6}$/.test(value)) {
    throw new UsageError(`${flag} takes a whole number of seconds, got "${value}"`);
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
    ...(options.wait === undefined ? {} : { lockWaitMs: seconds('--wait', options.wait) * 1000 }),
  });
  try {
    return await work(db);
  } finally {
    await db.$close();
  }
}

/** `embedded database at …` or `postgres://user@host/db`: where a command is working. */
export const describeTarget = (db: Database) =>
  db.$driver === 'pglite' ? `embedded database at ${db.$target}` : db.$target;
