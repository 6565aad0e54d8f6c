import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { type Partitioning, ruleColumnName } from '../schema/rules';
import { schemaTables, type TableName } from '../tables';
import { commentStatements, tableComments } from './comments';
import { grantStatements, tableGrants } from './privileges';
import { SERVICE_ONLY_POLICY, SERVICE_ONLY_POLICY_BODY } from './service-only';
import { literal, quoteIdent } from './sql-text';
import type { FunctionDeclaration } from './triggers';

/**
 * Where partitions live. PostgREST serves every table of an exposed schema, and a partition is a
 * table: one in `public` would be a second door to its rows that the parent's policies do not
 * guard. Here the API roles have no USAGE, every partition has RLS on and no grants, and rows are
 * reached through the parent, whose policies and privileges decide (PostgreSQL checks a routed
 * INSERT or a SELECT on the parent only).
 */
export const partitionSchema = 'aclue_partitions';

/**
 * The first key of the advisory lock partition maintenance and retention take per partitioned
 * table (the second is `hashtext` of its qualified name): they never interleave.
 */
export const ADVISORY_LOCK_CLASS = 73460112;

export interface PartitionedTable {
  name: TableName;
  /** The parent's SQL name (`product_views`). */
  sql: string;
  table: PgTable;
  /** The partition column's SQL name. */
  column: string;
  partitioning: Partitioning;
}

/** Every table the schema partitions, read from its rules. */
export const partitionedTables: readonly PartitionedTable[] = (
  Object.keys(schemaTables) as TableName[]
).flatMap((name) => {
  const { table, rules } = schemaTables[name];
  const partitioning = (rules as { partitioning?: Partitioning }).partitioning;
  if (!partitioning) return [];
  const column = ruleColumnName(table, partitioning.by);
  return [{ name, sql: getTableConfig(table).name, table, column, partitioning }];
});

/** `product_views_p2026_11`: the partition of one UTC month. */
export const monthPartitionName = (parent: string, month: Date) =>
  `${parent}_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;

/** Rows outside every monthly partition land here; maintenance moves them out. */
export const defaultPartitionName = (parent: string) => `${parent}_default`;

/**
 * Creates what is missing of a parent's partitions: the default one, and one per UTC month from
 * `first_month` through `last_month`. A new month is built beside the parent (rows the default
 * partition holds for it are moved in) and then attached; from the first attach to commit the
 * parent is locked against writes, so no concurrent insert fails or is lost. Reads of the
 * monthly partitions go on; a read that scans the default partition waits for the attach (which
 * locks that partition exclusively), and a long one holds the attach, and so the writers, up.
 * Run it where a month starts quietly (daily, ahead of the months it creates).
 * Returns the partitions it created. One function serves the migration, `aclue-db partitions
 * maintain` and a pg_cron job.
 */
export const partitionMaintenanceFunction: FunctionDeclaration = {
  schema: partitionSchema,
  name: 'maintain_monthly_partitions',
  searchPath: '',
  returns: 'text',
  definition: `CREATE OR REPLACE FUNCTION ${partitionSchema}.maintain_monthly_partitions(
  parent regclass, key_column text, first_month timestamptz, last_month timestamptz)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = ''
SET timezone = 'UTC'
SET datestyle = 'ISO, YMD'
AS $fn$
DECLARE
  parent_name text;
  default_partition text;
  columns text;
  month_start timestamptz := pg_catalog.date_trunc('month', first_month);
  month_end timestamptz;
  partition_name text;
  found regclass;
BEGIN
  -- Two maintainers (or a maintainer and retention) take turns until commit.
  PERFORM pg_catalog.pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, pg_catalog.hashtext(parent::text));
  SELECT c.relname INTO parent_name FROM pg_catalog.pg_class c WHERE c.oid = parent;
  -- Rows move by column name: a partition's columns may be in another order than the parent's.
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
  default_partition := parent_name || '_default';
  IF pg_catalog.to_regclass(pg_catalog.format('${partitionSchema}.%I', default_partition)) IS NULL THEN
    EXECUTE pg_catalog.format('CREATE TABLE ${partitionSchema}.%I PARTITION OF %s DEFAULT', default_partition, parent);
    EXECUTE pg_catalog.format('ALTER TABLE ${partitionSchema}.%I ENABLE ROW LEVEL SECURITY', default_partition);
    EXECUTE pg_catalog.format('REVOKE ALL ON ${partitionSchema}.%I FROM PUBLIC, anon, authenticated', default_partition);
    EXECUTE pg_catalog.format('CREATE POLICY ${SERVICE_ONLY_POLICY} ON ${partitionSchema}.%I ${SERVICE_ONLY_POLICY_BODY}', default_partition);
    RETURN NEXT default_partition;
  END IF;
  WHILE month_start <= last_month LOOP
    month_end := month_start + interval '1 month';
    partition_name := parent_name || '_p' || pg_catalog.to_char(month_start, 'YYYY_MM');
    found := pg_catalog.to_regclass(pg_catalog.format('${partitionSchema}.%I', partition_name));
    -- Missing, or there but detached (by hand, or a failed run): built or re-attached.
    IF found IS NULL OR NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = found AND i.inhparent = parent
    ) THEN
      IF found IS NULL THEN
        EXECUTE pg_catalog.format(
          'CREATE TABLE ${partitionSchema}.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)',
          partition_name, parent);
      END IF;
      EXECUTE pg_catalog.format('ALTER TABLE ${partitionSchema}.%I ENABLE ROW LEVEL SECURITY', partition_name);
      EXECUTE pg_catalog.format('REVOKE ALL ON ${partitionSchema}.%I FROM PUBLIC, anon, authenticated', partition_name);
      EXECUTE pg_catalog.format('DROP POLICY IF EXISTS ${SERVICE_ONLY_POLICY} ON ${partitionSchema}.%I', partition_name);
      EXECUTE pg_catalog.format('CREATE POLICY ${SERVICE_ONLY_POLICY} ON ${partitionSchema}.%I ${SERVICE_ONLY_POLICY_BODY}', partition_name);
      -- Writers wait from here to commit; readers do not. A writer already routed to the default
      -- partition would fail its partition constraint (23514) once the month is attached, and one
      -- that slipped a row of this month in after the move would fail the attach: locking the
      -- parent first makes each writer wait before it is routed, then see the new month.
      EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', parent);
      EXECUTE pg_catalog.format('LOCK TABLE ${partitionSchema}.%I IN EXCLUSIVE MODE', default_partition);
      EXECUTE pg_catalog.format(
        'WITH moved AS (DELETE FROM ${partitionSchema}.%I WHERE %I >= %L AND %I < %L RETURNING %s) INSERT INTO ${partitionSchema}.%I (%s) SELECT %s FROM moved',
        default_partition, key_column, month_start, key_column, month_end, columns,
        partition_name, columns, columns);
      EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION ${partitionSchema}.%I FOR VALUES FROM (%L) TO (%L)',
        parent, partition_name, month_start, month_end);
      RETURN NEXT partition_name;
    END IF;
    month_start := month_end;
  END LOOP;
END;
$fn$;`,
};

/**
 * The service-only policy on every table of the partition schema that lacks it: partitions made
 * before the maintenance function added it (migration 0018), or by hand.
 */
export const partitionPolicyBackfillStatement = `DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT c.oid FROM pg_catalog.pg_class c
    WHERE c.relnamespace = ${literal(partitionSchema)}::regnamespace AND c.relkind = 'r'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p
                      WHERE p.polrelid = c.oid AND p.polname = ${literal(SERVICE_ONLY_POLICY)})
  LOOP
    EXECUTE pg_catalog.format('CREATE POLICY ${SERVICE_ONLY_POLICY} ON %s ${SERVICE_ONLY_POLICY_BODY}', t);
  END LOOP;
END $$;`;

/** The maintenance function, executable by its owner only, and the policies it now adds. */
export const partitionMaintenanceStatements: readonly string[] = [
  partitionMaintenanceFunction.definition,
  `REVOKE ALL ON FUNCTION ${partitionSchema}.${partitionMaintenanceFunction.name}(regclass, text, timestamptz, timestamptz) FROM PUBLIC, anon, authenticated;`,
  partitionPolicyBackfillStatement,
];

/** The schema, closed to the API roles, and the maintenance function. */
export const partitionSchemaStatements: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${partitionSchema}`,
  `REVOKE ALL ON SCHEMA ${partitionSchema} FROM PUBLIC, anon, authenticated`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA ${partitionSchema} REVOKE ALL ON TABLES FROM PUBLIC, anon, authenticated`,
  ...partitionMaintenanceStatements,
];

/**
 * Partitions for every month from `from` (default: now) through `ahead` months after the current
 * one, as one statement returning the names it created.
 */
export function maintainPartitionsStatement(
  table: PartitionedTable,
  { from, ahead = table.partitioning.ahead }: { from?: string; ahead?: number } = {},
): string {
  const first = from ?? 'pg_catalog.now()';
  return `SELECT created FROM ${partitionSchema}.${partitionMaintenanceFunction.name}(${literal(`public.${table.sql}`)}::regclass, ${literal(table.column)}, ${first}, pg_catalog.now() + interval '${ahead} months') AS created`;
}

const createTable = /^CREATE TABLE (IF NOT EXISTS )?"(\w+)" \(([\s\S]*)\);?\s*$/;

/**
 * drizzle-kit cannot declare a partitioned table (drizzle-orm#2854): given the statements it
 * writes to create the table (CREATE TABLE, keys, indexes, RLS, policies), turns its CREATE TABLE
 * into the partitioned parent and adds its grants, comments and partitions. `rowsFrom` names an existing plain table whose rows are copied in,
 * after the partitions their months need exist.
 */
export function partitionedTableStatements(
  table: PartitionedTable,
  drizzleCreate: readonly string[],
  { rowsFrom }: { rowsFrom?: string } = {},
): string[] {
  const statements = drizzleCreate.map((statement) => {
    const match = createTable.exec(statement.trim());
    if (!match || match[2] !== table.sql) return statement;
    return `CREATE TABLE "${table.sql}" (${match[3]}) PARTITION BY RANGE (${quoteIdent(table.column)});`;
  });
  if (!statements.some((s) => s.includes('PARTITION BY RANGE'))) {
    throw new Error(`no CREATE TABLE "${table.sql}" among the statements given`);
  }
  const columns = getTableConfig(table.table)
    .columns.filter((c) => !c.generated)
    .map((c) => quoteIdent(c.name))
    .join(', ');
  const from = rowsFrom
    ? `(SELECT pg_catalog.min(${quoteIdent(table.column)}) FROM public.${quoteIdent(rowsFrom)})`
    : undefined;
  return [
    ...statements,
    ...tableGrants.filter((g) => g.table === table.table).flatMap(grantStatements),
    ...tableComments.filter((c) => c.table === table.sql).flatMap(commentStatements),
    maintainPartitionsStatement(table, from ? { from: `coalesce(${from}, pg_catalog.now())` } : {}),
    ...(rowsFrom
      ? [
          `INSERT INTO public.${quoteIdent(table.sql)} (${columns}) SELECT ${columns} FROM public.${quoteIdent(rowsFrom)}`,
          `DROP TABLE public.${quoteIdent(rowsFrom)}`,
        ]
      : []),
  ];
}

/**
 * Turns the plain table into a partitioned one, keeping every row: the plain table is renamed
 * and its key and indexes renamed out of the way (their names are the new table's), the
 * partitioned table is created, its partitions made, the rows copied and the old table dropped.
 */
export function partitionExistingTableStatements(
  table: PartitionedTable,
  drizzleCreate: readonly string[],
): string[] {
  const old = `${table.sql}_unpartitioned`;
  const { indexes, primaryKeys } = getTableConfig(table.table);
  const key = primaryKeys[0]?.getName() ?? `${table.sql}_pkey`;
  return [
    `ALTER TABLE public.${quoteIdent(table.sql)} RENAME TO ${quoteIdent(old)}`,
    `ALTER TABLE public.${quoteIdent(old)} RENAME CONSTRAINT ${quoteIdent(key)} TO ${quoteIdent(`${old}_pkey`)}`,
    ...indexes.map((index) => `DROP INDEX IF EXISTS public.${quoteIdent(index.config.name ?? '')}`),
    ...partitionedTableStatements(table, drizzleCreate, { rowsFrom: old }),
  ];
}
