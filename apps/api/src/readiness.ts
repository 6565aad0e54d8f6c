import { type Database, migrationStatus } from '@aclue/db';
import { sql } from 'drizzle-orm';

const cache = new WeakMap<Database, { at: number; pending: Promise<number> }>();

/**
 * How many migrations the database still lacks (it throws when the database does not answer).
 * Probes and every API request ask: the answer is worked out at most once a second per
 * database, and concurrent callers share it (reading the migration files is not free).
 */
export function pendingMigrations(db: Database): Promise<number> {
  const cached = cache.get(db);
  if (cached && Date.now() - cached.at <= 1000) return cached.pending;
  const pending = db
    .execute(sql`SELECT 1`)
    .then(() => migrationStatus(db))
    .then((states) => states.filter((m) => m.state !== 'applied').length);
  pending.catch(() => cache.delete(db));
  cache.set(db, { at: Date.now(), pending });
  return pending;
}
