import { type Executor, queryRows } from '@aclue/db';
import {
  defaultPartitionName,
  monthPartitionName,
  type PartitionedTable,
  partitionedTables,
  partitionSchema,
} from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { type CheckResult, expectEqual, fail, pass } from './results';
import { apiCallers, exposedSchemas, sqlList } from './surface/scope';

const MAINTAIN = 'run `aclue-db partitions maintain`';

interface LivePartition {
  schema: string;
  name: string;
  bound: string;
  rls: boolean;
  /** API roles holding any privilege on it, PUBLIC's included. */
  reachable_by: string[];
  /** Parent indexes with no attached index on this partition. */
  missing_indexes: string[];
}

/**
 * Partitioned parents and every partition they have now: the partition key, where each partition
 * lives (never a schema the API serves), RLS on and no API privileges on each, every parent index
 * attached on each, the months ahead created, the default partition empty. Partitions created
 * later are covered by the schema itself: the API roles have no USAGE on it.
 */
export async function checkPartitions(
  db: Executor,
  schema: string,
  tables: readonly string[],
  { wholeSchema }: { wholeSchema: boolean },
): Promise<CheckResult[]> {
  const results: CheckResult[] = wholeSchema ? await checkPartitionSchema(db) : [];
  for (const table of partitionedTables.filter((t) => tables.includes(t.sql))) {
    results.push(...(await checkPartitionedTable(db, schema, table)));
  }
  return results;
}

async function checkPartitionSchema(db: Executor): Promise<CheckResult[]> {
  const rows = await queryRows<{ role: string }>(
    db,
    sql`SELECT role FROM unnest(ARRAY[${sqlList(apiCallers)}]::text[]) role
        WHERE to_regnamespace(${partitionSchema}) IS NOT NULL
          AND pg_catalog.has_schema_privilege(role, ${partitionSchema}, 'USAGE')`,
  );
  const name = `the API roles have no USAGE on schema ${partitionSchema}`;
  return [
    rows.length === 0
      ? pass('privileges', null, name)
      : fail(
          'privileges',
          null,
          name,
          `USAGE held by ${rows.map((r) => r.role).join(', ')}`,
          `REVOKE USAGE ON SCHEMA ${partitionSchema} FROM PUBLIC, ${rows.map((r) => r.role).join(', ')}`,
          'a partition created later with careless grants would be readable and writable directly, past the parent table’s policies',
        ),
  ];
}

async function checkPartitionedTable(
  db: Executor,
  schema: string,
  table: PartitionedTable,
): Promise<CheckResult[]> {
  const parent = `${schema}.${table.sql}`;
  const [key] = await queryRows<{ key: string | null }>(
    db,
    sql`SELECT pg_catalog.pg_get_partkeydef(c.oid) AS key FROM pg_catalog.pg_class c
        WHERE c.oid = to_regclass(${parent})`,
  );
  if (!key) return []; // the table is missing: the structural checks say so
  const results = [
    expectEqual(
      'tables',
      table.sql,
      'partitioned by month',
      `RANGE (${table.column})`,
      key.key ?? 'not partitioned',
      'run `aclue-db migrate` (or `aclue-db push`, which converts the table keeping its rows)',
    ),
  ];
  if (!key.key) return results;

  const partitions = await queryRows<LivePartition>(
    db,
    sql`SELECT n.nspname AS schema, c.relname AS name,
          pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound, c.relrowsecurity AS rls,
          ARRAY(SELECT role FROM unnest(ARRAY[${sqlList(apiCallers)}]::text[]) role
                WHERE pg_catalog.has_table_privilege(role, c.oid,
                  'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))::text[] AS reachable_by,
          ARRAY(SELECT pi.relname FROM pg_catalog.pg_index px
                JOIN pg_catalog.pg_class pi ON pi.oid = px.indexrelid
                WHERE px.indrelid = i.inhparent AND NOT EXISTS (
                  SELECT 1 FROM pg_catalog.pg_inherits ii
                  JOIN pg_catalog.pg_index ci ON ci.indexrelid = ii.inhrelid
                  WHERE ii.inhparent = px.indexrelid AND ci.indrelid = c.oid))::text[] AS missing_indexes
        FROM pg_catalog.pg_inherits i
        JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = to_regclass(${parent})
        ORDER BY c.relname`,
  );
  for (const p of partitions) {
    const where = `partition ${p.schema}.${p.name}`;
    results.push(
      p.schema === partitionSchema
        ? pass('exposure', table.sql, `${where} lives in ${partitionSchema}`)
        : fail(
            'exposure',
            table.sql,
            `${where} lives in ${partitionSchema}`,
            `it is in schema ${p.schema}${exposedSchemas.includes(p.schema) ? ', which the API serves' : ''}`,
            `ALTER TABLE ${p.schema}.${p.name} SET SCHEMA ${partitionSchema}`,
            exposedSchemas.includes(p.schema)
              ? `its rows are reachable through the API by the partition's own name, past ${table.sql}'s policies`
              : undefined,
          ),
      p.rls
        ? pass('rls', table.sql, `${where}: row level security enabled`)
        : fail(
            'rls',
            table.sql,
            `${where}: row level security enabled`,
            'disabled',
            `ALTER TABLE ${p.schema}.${p.name} ENABLE ROW LEVEL SECURITY`,
            'any role granted on the partition reads and writes every row of its month',
          ),
      p.reachable_by.length === 0
        ? pass('privileges', table.sql, `${where}: no API role holds anything`)
        : fail(
            'privileges',
            table.sql,
            `${where}: no API role holds anything`,
            `held by ${p.reachable_by.join(', ')}`,
            `REVOKE ALL ON ${p.schema}.${p.name} FROM PUBLIC, ${p.reachable_by.join(', ')}`,
            `rows are reached through ${table.sql}, whose grants and policies decide; a grant on the partition bypasses them`,
          ),
      p.missing_indexes.length === 0
        ? pass('indexes', table.sql, `${where}: every index of ${table.sql}`)
        : fail(
            'indexes',
            table.sql,
            `${where}: every index of ${table.sql}`,
            `missing ${p.missing_indexes.join(', ')}`,
            'detach the partition and attach it again (ATTACH builds the missing indexes)',
          ),
    );
  }

  const names = new Set(partitions.map((p) => p.name));
  const now = new Date();
  for (let offset = 0; offset <= 1; offset += 1) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const name = monthPartitionName(table.sql, month);
    const label = `partition for ${month.toISOString().slice(0, 7)} exists`;
    results.push(
      names.has(name)
        ? pass('tables', table.sql, label)
        : fail(
            'tables',
            table.sql,
            label,
            `no ${partitionSchema}.${name}`,
            MAINTAIN,
            'rows of that month land in the default partition, which every query then scans',
          ),
    );
  }
  const fallback = partitions.find((p) => p.name === defaultPartitionName(table.sql));
  const [held] = fallback
    ? await queryRows<{ rows: boolean }>(
        db,
        sql.raw(`SELECT EXISTS (SELECT 1 FROM ${partitionSchema}."${fallback.name}") AS rows`),
      )
    : [];
  results.push(
    !fallback
      ? fail(
          'tables',
          table.sql,
          'default partition exists',
          'missing',
          MAINTAIN,
          'a row outside every month is refused',
        )
      : held?.rows
        ? fail(
            'tables',
            table.sql,
            'default partition is empty',
            'it holds rows outside every monthly partition',
            `${MAINTAIN} --from <YYYY-MM of the oldest row>, which moves them into their months`,
            'every query on the table scans them, whatever period it asks for',
          )
        : pass('tables', table.sql, 'default partition is empty'),
  );
  return results;
}
