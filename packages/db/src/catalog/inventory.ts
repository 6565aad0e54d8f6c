import type { Executor } from '../client';
import { readCatalog } from './read';

/** What one table has, counted from the live catalog. */
export interface TableInventory {
  table: string;
  rls: boolean;
  columns: number;
  indexes: number;
  policies: number;
  checks: number;
  foreignKeys: number;
  triggers: number;
}

/**
 * Counts, per table of `schema`, its columns, indexes, policies, checks, foreign keys and
 * triggers: a summary of the same catalog reading verification compares object by object.
 */
export async function inventory(db: Executor, schema = 'public'): Promise<TableInventory[]> {
  const catalog = await readCatalog(db, schema);
  return [...catalog.values()].map((table) => ({
    table: table.name,
    rls: table.rls,
    columns: table.columns.size,
    indexes: table.indexes.size,
    policies: table.policies.size,
    checks: table.checks.size,
    foreignKeys: table.foreignKeys.size,
    triggers: table.triggers.size,
  }));
}
