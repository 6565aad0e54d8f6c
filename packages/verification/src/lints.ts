import { type Executor, queryRows, rollupSchema } from '@aclue/db';
import { partitionSchema } from '@aclue/db/objects';
import { policyLints } from './lints/policies';
import { routineLints } from './lints/routines';
import type { Lint } from './lints/rule';
import { tableLints } from './lints/tables';
import { type CheckResult, fail, pass } from './results';
import { apiCallers, sqlList } from './surface/scope';

/**
 * Every rule of Supabase's database linter (splinter) that applies to what this project owns,
 * over the served schema and the partition and rollup schemas. Not mirrored: `unused_index`
 * (the monitor reports it: a fresh database has used none), `table_bloat` (the monitor's dead
 * rows), and the rules about Supabase's own settings and storage buckets.
 */
export const lints: readonly Lint[] = [...tableLints, ...policyLints, ...routineLints];

export async function runLints(db: Executor, schema: string): Promise<CheckResult[]> {
  const scope = {
    schemas: sqlList([...new Set([schema, partitionSchema, rollupSchema])]),
    callers: sqlList(apiCallers),
  };
  const results: CheckResult[] = [];
  for (const lint of lints) {
    const rows = await queryRows<Record<string, string>>(db, lint.query(scope));
    if (rows.length === 0) results.push(pass('lints', null, lint.name));
    for (const row of rows) {
      const { table, detail, fix } = lint.describe(row);
      // The served schema's tables by their bare names, as every other check names them.
      const name = table?.startsWith(`${schema}.`) ? table.slice(schema.length + 1) : table;
      results.push(fail('lints', name, lint.name, detail, fix));
    }
  }
  return results;
}
