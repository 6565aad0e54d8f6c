import { createDb, type Database } from '@aclue/db';

/** Options every command takes. */
export interface GlobalOptions {
  databaseUrl?: string;
  dataDir?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Opens the database the options point to, runs `work`, and always closes it. */
export async function withDatabase<T>(
  options: GlobalOptions,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const db = await createDb({
    ...(options.databaseUrl ? { url: options.databaseUrl } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
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
