import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from './client';
import { rollbackTableNames } from './tables';

/** The commands that bring a rolled-back database back, for every message that meets one. */
export const BRING_BACK_HINT =
  'run `aclue-db push`, then `aclue-db restore --from <export-dir>` (the folder rollback wrote)';

export interface RollbackState {
  /** Which of the tables `aclue-db rollback` drops are absent from `public`. */
  missing: string[];
  /** Every one of them is absent: the state a rollback leaves (its migrations still recorded). */
  rolledBack: boolean;
}

/** Whether the database is in the state `aclue-db rollback` leaves it in. */
export async function rollbackState(db: Executor): Promise<RollbackState> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`SELECT c.relname AS name FROM pg_catalog.pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname = ANY(${`{${rollbackTableNames.join(',')}}`}::text[])`,
  );
  const present = new Set(rows.map((r) => r.name));
  const missing = rollbackTableNames.filter((name) => !present.has(name));
  return { missing, rolledBack: missing.length === rollbackTableNames.length };
}
