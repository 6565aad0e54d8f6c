import { createDb, type Database } from '@aclue/db';
import { createEmptyServerDatabase } from '@aclue/db/testing';

export interface Scratch {
  db: Database;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database on the benchmark server, dropped afterwards. */
export async function scratchDatabase(poolSize = 2): Promise<Scratch> {
  const server = await createEmptyServerDatabase();
  const db = await createDb({ url: server.url, poolSize });
  return {
    db,
    url: server.url,
    drop: async () => {
      await db.$close();
      await server.drop();
    },
  };
}

/**
 * BENCH_SEEDED_URL: a database seeded earlier (`aclue-db setup`, `aclue-db seed`), migrated to
 * this checkout and kept afterwards — to measure 20 M views more than once without 80 minutes
 * of seeding each time.
 */
export async function seededDatabase(url: string, poolSize = 2): Promise<Scratch> {
  const db = await createDb({ url, poolSize });
  return { db, url, drop: () => db.$close() };
}
