import type { PartitionedTable } from '@aclue/db/objects';
import * as schema from '@aclue/db/schema';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';

type Snapshot = Parameters<typeof generateMigration>[0];

/**
 * The statements drizzle-kit writes to create one table of the schema (CREATE TABLE, foreign
 * keys, indexes, RLS, policies): its own differ, from the schema without the table to the schema.
 */
export async function drizzleCreateStatements(table: PartitionedTable): Promise<string[]> {
  const current = generateDrizzleJson(schema as Record<string, unknown>, undefined, ['public']);
  const without = structuredClone(current) as { tables: Record<string, unknown> };
  delete without.tables[`public.${table.sql}`];
  return generateMigration(without as Snapshot, current as Snapshot);
}
