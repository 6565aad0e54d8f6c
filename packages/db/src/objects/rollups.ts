import {
  type Rollup,
  type RollupSource,
  type RollupTableKind,
  rollupSchema,
  rollupSources,
  rollups,
  rollupTableName,
  sourceOf,
  tableKindsOf,
} from '../rollups/declarations';
import { serviceOnlyPolicyStatements } from './service-only';
import { literal, quoteIdent } from './sql-text';
import type { FunctionDeclaration, TriggerDeclaration } from './triggers';

/**
 * Which hours of a source may differ from its rollups. A write marks the UTC day and hour it
 * touched (old and new values of every day column); the refresh job clears the marks before it
 * recomputes a day. No unique key on purpose: a writer that finds no mark inserts one without
 * waiting on another writer's uncommitted mark, so concurrent writers never queue here;
 * duplicates are harmless and go with the next refresh.
 */
export const dirtyDaysTable = `${rollupSchema}.dirty_days`;

/**
 * The days whose rollup rows were computed, and up to when (`through`: the next midnight for a
 * past day; for today, the hour the refresh began). A day's rollup answers for [day, through)
 * while no mark falls before `through`; its hourly rollups answer for each unmarked hour before
 * `through` when `hourly` (false for days refreshed before the hourly tables existed: those have
 * no rows there, and their raw rows may since have been archived, so they are not recomputed).
 */
export const refreshedDaysTable = `${rollupSchema}.refreshed_days`;

export const rollupTable = (rollup: Rollup, kind: RollupTableKind = 'day') =>
  `${rollupSchema}.${quoteIdent(rollupTableName(rollup, kind))}`;

const markFunctionName = (source: RollupSource) => `mark_${source.table}_days_dirty`;

/** The UTC day and hour of each day column of row `r`, as a VALUES list. */
const hourValues = (source: RollupSource) =>
  `VALUES ${source.dayColumns
    .map((column) => {
      const utc = `(r.${quoteIdent(column)} AT TIME ZONE 'UTC')`;
      return `(${utc}::date, pg_catalog.date_part('hour', ${utc})::integer)`;
    })
    .join(', ')}`;

/** Marks the UTC day and hour of every day column of one transition table's rows. */
function markHours(source: RollupSource, rows: 'new_rows' | 'old_rows'): string {
  return `INSERT INTO ${dirtyDaysTable} (source, day, hour)
    SELECT DISTINCT ${literal(source.table)}, v.day, v.hour
    FROM ${rows} r, LATERAL (${hourValues(source)}) AS v(day, hour)
    WHERE v.day IS NOT NULL AND (
      -- A REPEATABLE READ or SERIALIZABLE writer reads marks in its own old snapshot: it may see
      -- one a refresh has since cleared, so it always marks.
      pg_catalog.current_setting('transaction_isolation') <> 'read committed'
      OR NOT EXISTS (
        SELECT 1 FROM ${dirtyDaysTable} m
        WHERE m.source = ${literal(source.table)} AND m.day = v.day AND m.hour = v.hour));`;
}

/**
 * Marks the hours a statement touched. SECURITY DEFINER because the writer (anon, a signed-in
 * user) has no privilege on `aclue_rollups`; it writes nothing but marks, derived from the rows
 * the statement itself changed, so a caller learns and gains nothing through it.
 */
export const rollupMarkFunctions: readonly (FunctionDeclaration & { source: string })[] =
  rollupSources.map((source) => ({
    schema: rollupSchema,
    name: markFunctionName(source),
    source: source.table,
    searchPath: '',
    securityDefiner: true,
    definition: `CREATE OR REPLACE FUNCTION ${rollupSchema}.${markFunctionName(source)}()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    ${markHours(source, 'new_rows')}
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    ${markHours(source, 'old_rows')}
  END IF;
  -- No row says which days a TRUNCATE emptied: none counts as refreshed any more.
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM ${refreshedDaysTable} WHERE source = ${literal(source.table)};
  END IF;
  RETURN NULL;
END;
$fn$;`,
  }));

/**
 * Statement-level triggers per source, one per event (PostgreSQL allows transition tables on one
 * event per trigger): a COPY or a multi-row insert marks its days once, not per row; a TRUNCATE
 * unflags every day of its table.
 */
export const rollupTriggers: readonly TriggerDeclaration[] = rollupSources.flatMap((source) =>
  (
    [
      ['INSERT', { new: 'new_rows' }],
      ['UPDATE', { old: 'old_rows', new: 'new_rows' }],
      ['DELETE', { old: 'old_rows' }],
      ['TRUNCATE', undefined],
    ] as const
  ).map(([event, transitionTables]) => ({
    table: source.table,
    name: `mark_rollup_days_on_${event.toLowerCase()}`,
    timing: 'AFTER' as const,
    event,
    level: 'STATEMENT' as const,
    ...(transitionTables ? { transitionTables } : {}),
    function: `${rollupSchema}.${markFunctionName(source)}`,
  })),
);

/**
 * A rollup table's columns: `day` (and `hour` at the hour grain), the keys, the measures; a
 * `firsts` table: each hour's keys counted by the hour each was last seen before (null: never).
 */
export const rollupTableColumns = (rollup: Rollup, kind: RollupTableKind) =>
  kind === 'firsts'
    ? [
        { name: 'day', type: 'date' },
        { name: 'hour', type: 'integer' },
        { name: 'previous_hour', type: 'timestamp with time zone' },
        { name: 'keys_seen', type: 'bigint' },
      ]
    : [
        { name: 'day', type: 'date' },
        ...(kind === 'hour' ? [{ name: 'hour', type: 'integer' }] : []),
        ...rollup.keys.map((k) => ({ name: k.name, type: k.type })),
        ...rollup.measures.map((m) => ({ name: m.name, type: m.type })),
      ];

/**
 * A rollup table's indexes: `day` (and `hour`), the key of an hourly `firsts` rollup (it looks up
 * the hour each key was last seen before another), and those its declaration asks for
 * (`declared`). Verification checks each one is there.
 */
export function rollupTableIndexes(rollup: Rollup, kind: RollupTableKind) {
  const name = rollupTableName(rollup, kind);
  const list = (columns: readonly string[]) => columns.map((c) => quoteIdent(c)).join(', ');
  const index = (
    suffix: string,
    on: readonly string[],
    { include = [], where }: { include?: readonly string[]; where?: string } = {},
    declared = false,
  ) => ({
    name: `${name}_${suffix}`,
    on,
    include,
    where,
    declared,
    statement: `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${name}_${suffix}`)} ON ${rollupTable(rollup, kind)} (${list(on)})${include.length > 0 ? ` INCLUDE (${list(include)})` : ''}${where ? ` WHERE ${where}` : ''};`,
  });
  return [
    index('day', kind === 'day' ? ['day'] : ['day', 'hour']),
    ...(kind === 'hour' && rollup.firsts
      ? [index('key', [...rollup.keys.map((k) => k.name), 'day', 'hour'])]
      : []),
    ...(kind === 'day' ? (rollup.indexes ?? []).map((i) => index(i.name, i.on, i, true)) : []),
  ];
}

function rollupTableStatements(rollup: Rollup, kind: RollupTableKind): string[] {
  const nullable = new Set([...rollup.keys.map((k) => k.name), 'previous_hour']);
  const columns = rollupTableColumns(rollup, kind).map(
    (c) => `${quoteIdent(c.name)} ${c.type}${nullable.has(c.name) ? '' : ' NOT NULL'}`,
  );
  const table = rollupTable(rollup, kind);
  const create = `CREATE TABLE ${table} (${columns.join(', ')});`;
  return [
    kind === 'day'
      ? create.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')
      : // The days refreshed before this table existed have no rows in it: their flag says so.
        `DO $$ BEGIN IF pg_catalog.to_regclass(${literal(table)}) IS NULL THEN
  ${create}
  UPDATE ${refreshedDaysTable} SET hourly = false WHERE source = ${literal(sourceOf(rollup).table)};
END IF; END $$;`,
    ...rollupTableIndexes(rollup, kind)
      .filter((index) => !index.declared)
      .map((index) => index.statement),
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`,
    `REVOKE ALL ON ${table} FROM PUBLIC, anon, authenticated, service_role;`,
    `GRANT SELECT ON ${table} TO service_role;`,
  ];
}

/** Every table of every rollup. */
export const rollupTables: readonly { rollup: Rollup; kind: RollupTableKind }[] = rollups.flatMap(
  (rollup) => tableKindsOf(rollup).map((kind) => ({ rollup, kind })),
);

/**
 * The hourly tables, and the flag of the days that have rows in them (migrations 0009, 0010). A
 * table created later than its source's refreshed days unflags them (`hourly`): they keep their
 * daily figures (their raw rows may since have been archived) and read their hours raw, until a
 * write marks them for a refresh again.
 */
export const hourlyRollupStatements: readonly string[] = [
  `ALTER TABLE ${refreshedDaysTable} ADD COLUMN IF NOT EXISTS hourly boolean NOT NULL DEFAULT false;`,
  ...rollupTables
    .filter((t) => t.kind !== 'day')
    .flatMap((t) => rollupTableStatements(t.rollup, t.kind)),
];

/**
 * The indexes the rollups declare beyond `day` (migration 0011). Only the refresh job writes the
 * rollup tables, so building them in the migration's transaction blocks nothing but a refresh.
 */
export const rollupIndexStatements: readonly string[] = rollupTables.flatMap((t) =>
  rollupTableIndexes(t.rollup, t.kind)
    .filter((index) => index.declared)
    .map((index) => index.statement),
);

/**
 * Every rollup table's surrogate primary key. The keys of a rollup row may be null (a click with
 * no campaign), so no natural key can be primary; this one lets logical replication (read
 * replicas, Supabase Realtime) replay the refresh job's deletes, and satisfies Supabase's linter
 * (`no_primary_key`). The refresh job never names it: it is the table's last column.
 */
export const ROLLUP_ROW_KEY = { name: 'row_id', type: 'bigint' } as const;

/** Every table of `aclue_rollups`, qualified: the rollups and their bookkeeping. */
export const rollupSchemaTables: readonly string[] = [
  dirtyDaysTable,
  refreshedDaysTable,
  ...rollupTables.map((t) => rollupTable(t.rollup, t.kind)),
];

/** The row keys and service-only policies of the rollup tables (migration 0018): rerunnable. */
export const rollupKeyAndPolicyStatements: readonly string[] = [
  ...rollupSchemaTables
    .filter((table) => table !== refreshedDaysTable)
    .map(
      (table) =>
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${ROLLUP_ROW_KEY.name} ${ROLLUP_ROW_KEY.type} GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`,
    ),
  ...rollupSchemaTables.flatMap(serviceOnlyPolicyStatements),
];

/** Everything of the rollups but the triggers: safe to run again (push runs it every time). */
export const rollupSchemaStatements: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${rollupSchema};`,
  `REVOKE ALL ON SCHEMA ${rollupSchema} FROM PUBLIC, anon, authenticated;`,
  `GRANT USAGE ON SCHEMA ${rollupSchema} TO service_role;`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA ${rollupSchema} REVOKE ALL ON TABLES FROM PUBLIC, anon, authenticated;`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA ${rollupSchema} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC, anon, authenticated;`,
  `CREATE TABLE IF NOT EXISTS ${dirtyDaysTable} (source text NOT NULL, day date NOT NULL, hour integer NOT NULL, marked_at timestamptz NOT NULL DEFAULT pg_catalog.now());`,
  `CREATE INDEX IF NOT EXISTS dirty_days_source_day ON ${dirtyDaysTable} (source, day);`,
  `CREATE TABLE IF NOT EXISTS ${refreshedDaysTable} (source text NOT NULL, day date NOT NULL, through timestamptz NOT NULL, refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now(), PRIMARY KEY (source, day));`,
  ...[dirtyDaysTable, refreshedDaysTable].flatMap((table) => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`,
    `REVOKE ALL ON ${table} FROM PUBLIC, anon, authenticated, service_role;`,
    `GRANT SELECT ON ${table} TO service_role;`,
  ]),
  ...rollupTables
    .filter((t) => t.kind === 'day')
    .flatMap((t) => rollupTableStatements(t.rollup, t.kind)),
  ...hourlyRollupStatements,
  ...rollupIndexStatements,
  ...rollupKeyAndPolicyStatements,
  ...rollupMarkFunctions.flatMap((f) => [
    f.definition,
    `REVOKE ALL ON FUNCTION ${f.schema}.${f.name}() FROM PUBLIC, anon, authenticated, service_role;`,
  ]),
];

/**
 * Marks every day that holds rows and is not refreshed: rows written before the triggers existed
 * (the migration, a push) are then summarised by the next refresh like any other write.
 */
export const markExistingDaysStatements: readonly string[] = rollupSources.map(
  (source) => `INSERT INTO ${dirtyDaysTable} (source, day, hour)
  SELECT DISTINCT ${literal(source.table)}, v.day, v.hour FROM public.${quoteIdent(source.table)} r,
    LATERAL (${hourValues(source)}) AS v(day, hour)
  WHERE v.day IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM ${refreshedDaysTable} f WHERE f.source = ${literal(source.table)} AND f.day = v.day)
    AND NOT EXISTS (SELECT 1 FROM ${dirtyDaysTable} m WHERE m.source = ${literal(source.table)} AND m.day = v.day AND m.hour = v.hour);`,
);
