import { copyRows, type Database } from '@aclue/db';
import type { PgTable } from 'drizzle-orm/pg-core';

/** Loads validated rows into a table, as the service role, in one transaction. */
export type BulkLoader = (table: PgTable, rows: Record<string, unknown>[]) => Promise<void>;

/**
 * `COPY … FROM STDIN` through pg-copy-streams: the fastest way into PostgreSQL, for the service
 * role's bulk loads. Only a server connection can stream COPY; on the embedded database this is
 * undefined and callers fall back to multi-row INSERTs.
 */
export function copyLoader(db: Database): BulkLoader | undefined {
  if (db.$driver !== 'pg') return undefined;
  const pool = db.$client;
  return async (table, rows) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE service_role');
      await copyRows(client, table, rows);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
}
