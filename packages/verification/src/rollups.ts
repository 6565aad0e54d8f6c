import {
  type Executor,
  firstsRows,
  queryRows,
  quoteIdent,
  rawRollupRows,
  rollupSchema,
  rollupTableName,
  unmarkedBefore,
} from '@aclue/db';
import {
  dirtyDaysTable,
  ROLLUP_ROW_KEY,
  refreshedDaysTable,
  rollupTable,
  rollupTableColumns,
  rollupTableIndexes,
  rollupTables,
} from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { type CheckResult, expectEqual, fail, pass } from './results';
import { apiCallers, sqlList } from './surface/scope';

const MIGRATE = 'run `aclue-db migrate` (or `aclue-db push` where the database is pushed)';

interface LiveRollupTable {
  logged: boolean;
  name: string;
  rls: boolean;
  columns: string[];
  /** Its valid indexes: key columns, included columns, predicate as PostgreSQL deparses it. */
  indexes: { name: string; on: string[]; include: string[]; predicate: string | null }[];
  /** API roles (PUBLIC's grants included) holding any privilege on it. */
  reachable_by: string[];
  /** What the service role may do beyond SELECT. */
  service_writes: string[];
}

/** An index as compared: key columns, included columns, predicate. */
const indexShape = (i: { on: readonly string[]; include: readonly string[]; where: string }) =>
  // PostgreSQL deparses a predicate in parentheses (`(conversions <> 0)`).
  `(${i.on.join(', ')})${i.include.length > 0 ? ` INCLUDE (${i.include.join(', ')})` : ''}${i.where ? ` WHERE ${i.where.replace(/[()\s]/g, '')}` : ''}`;

/**
 * The analytics' rollups: each declared table with its columns, RLS on, nothing for the API
 * roles, read-only for the service role, and no USAGE on the schema for anon and authenticated
 * (what would otherwise let a caller forge or erase the figures every report is built from).
 * Their triggers and the marking functions are checked with the other triggers and functions.
 */
export async function checkRollups(db: Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const [schema] = await queryRows<{ exists: boolean; usage: string[] }>(
    db,
    sql`SELECT to_regnamespace(${rollupSchema}) IS NOT NULL AS exists,
          coalesce((SELECT array_agg(role ORDER BY role) FROM unnest(ARRAY[${sqlList(apiCallers)}]::text[]) role
            WHERE to_regnamespace(${rollupSchema}) IS NOT NULL
              AND pg_catalog.has_schema_privilege(role, ${rollupSchema}, 'USAGE')), '{}') AS usage`,
  );
  if (!schema?.exists) return [fail('tables', null, `schema ${rollupSchema}`, 'missing', MIGRATE)];
  const usageName = `the API roles have no USAGE on schema ${rollupSchema}`;
  results.push(
    schema.usage.length === 0
      ? pass('privileges', null, usageName)
      : fail(
          'privileges',
          null,
          usageName,
          `USAGE held by ${schema.usage.join(', ')}`,
          `REVOKE USAGE ON SCHEMA ${rollupSchema} FROM PUBLIC, ${schema.usage.join(', ')}`,
          'a caller could read business figures, or with a careless grant forge them',
        ),
  );

  const live = await queryRows<LiveRollupTable>(
    db,
    sql`SELECT c.relname AS name, c.relrowsecurity AS rls, c.relpersistence = 'p' AS logged,
          array(SELECT a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
          coalesce((SELECT json_agg(json_build_object(
              'name', i.relname,
              'on', array(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE k.n <= x.indnkeyatts ORDER BY k.n),
              'include', array(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE k.n > x.indnkeyatts ORDER BY k.n),
              'predicate', pg_catalog.pg_get_expr(x.indpred, x.indrelid)))
            FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = c.oid AND x.indisvalid), '[]') AS indexes,
          array(SELECT role FROM unnest(ARRAY[${sqlList(apiCallers)}]::text[]) role
            WHERE pg_catalog.has_table_privilege(role, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
            ORDER BY role) AS reachable_by,
          array(SELECT p FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
            WHERE pg_catalog.has_table_privilege('service_role', c.oid, p)) AS service_writes
        FROM pg_catalog.pg_class c
        WHERE c.relnamespace = ${rollupSchema}::regnamespace AND c.relkind IN ('r', 'p')`,
  );
  const expected = [
    ...rollupTables.map(({ rollup, kind }) => ({
      name: rollupTableName(rollup, kind),
      columns: [...rollupTableColumns(rollup, kind), ROLLUP_ROW_KEY].map(
        (c) => `${c.name} ${c.type}`,
      ),
      indexes: rollupTableIndexes(rollup, kind),
    })),
    ...[dirtyDaysTable, refreshedDaysTable].map((t) => ({
      name: t.split('.')[1] as string,
      columns: undefined,
      indexes: [],
    })),
  ];
  for (const table of expected) {
    const found = live.find((t) => t.name === table.name);
    const where = `${rollupSchema}.${table.name}`;
    if (!found) {
      results.push(fail('tables', null, where, 'missing', MIGRATE));
      continue;
    }
    if (table.columns) {
      results.push(
        expectEqual('columns', null, `${where} columns`, table.columns, found.columns, MIGRATE),
      );
    }
    // Without them the reports still answer, scanning whole days of a rollup instead.
    for (const index of table.indexes) {
      const name = `index ${rollupSchema}.${index.name}`;
      const live = found.indexes.find((i) => i.name === index.name);
      const expected = indexShape({ ...index, where: index.where ?? '' });
      const actual = live && indexShape({ ...live, where: live.predicate ?? '' });
      results.push(
        actual === expected
          ? pass('indexes', null, name)
          : fail(
              'indexes',
              null,
              name,
              actual
                ? `expected ${expected}, found ${actual}`
                : 'missing (or invalid: a CREATE INDEX CONCURRENTLY that failed)',
              actual
                ? `DROP INDEX ${rollupSchema}.${quoteIdent(index.name)}; ${index.statement.replace('IF NOT EXISTS ', '')}`
                : `${index.statement.replace('IF NOT EXISTS ', '')} (drop an invalid one of that name first)`,
              'the reports reading this rollup scan every row of their days: slower as the catalogue grows',
            ),
      );
    }
    results.push(
      found.logged
        ? pass('durability', null, `${where} is logged`)
        : fail(
            'durability',
            null,
            `${where} is logged`,
            'UNLOGGED: its changes skip the write-ahead log',
            `ALTER TABLE ${where} SET LOGGED`,
            'the reports read an empty rollup after a crash or failover, and replicas never see it',
          ),
    );
    results.push(
      found.rls
        ? pass('rls', null, `${where} has RLS on`)
        : fail(
            'rls',
            null,
            `${where} has RLS on`,
            'RLS is off',
            `ALTER TABLE ${where} ENABLE ROW LEVEL SECURITY`,
          ),
      found.reachable_by.length === 0 && found.service_writes.length === 0
        ? pass('privileges', null, `${where}: read by service_role only`)
        : fail(
            'privileges',
            null,
            `${where}: read by service_role only`,
            [
              ...(found.reachable_by.length > 0
                ? [`privileges held by ${found.reachable_by.join(', ')}`]
                : []),
              ...(found.service_writes.length > 0
                ? [`service_role may ${found.service_writes.join(', ')}`]
                : []),
            ].join('; '),
            `REVOKE ALL ON ${where} FROM PUBLIC, anon, authenticated, service_role; GRANT SELECT ON ${where} TO service_role`,
            'whoever writes the rollups decides what every report says',
          ),
    );
  }
  // A rule or trigger on these tables could swallow the day marks or rewrite the figures.
  const hooks = await queryRows<{ what: string; tbl: string }>(
    db,
    sql`SELECT 'rule ' || rulename AS what, tablename AS tbl FROM pg_catalog.pg_rules
          WHERE schemaname = ${rollupSchema}
        UNION ALL
        SELECT 'trigger ' || t.tgname, c.relname FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
          WHERE c.relnamespace = ${rollupSchema}::regnamespace AND NOT t.tgisinternal`,
  );
  const hooksName = `no rules or triggers on the tables of ${rollupSchema}`;
  results.push(
    hooks.length === 0
      ? pass('triggers', null, hooksName)
      : fail(
          'triggers',
          null,
          hooksName,
          hooks.map((h) => `${h.what} on ${h.tbl}`).join(', '),
          `drop them (DROP RULE … / DROP TRIGGER … ON ${rollupSchema}.<table>)`,
          'a rule or trigger there can drop the marks of written days or rewrite the figures every report reads',
        ),
  );
  for (const extra of live.filter((t) => !expected.some((e) => e.name === t.name))) {
    results.push(
      fail(
        'tables',
        null,
        `${rollupSchema}.${extra.name}`,
        'exists but is not declared',
        'drop it, or declare it in packages/db/src/rollups/declarations.ts',
      ),
    );
  }
  return results;
}

/** Recent days compared, per rollup, by `verify --data`. */
const SAMPLED_DAYS = 7;

/**
 * `verify --data`: the last refreshed, unmarked days of each rollup hold exactly what their raw
 * rows sum to now (a hand-edited figure, or a write that marked no day, shows up here).
 */
export async function checkRollupContents(db: Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { rollup, kind } of rollupTables) {
    const source = getTableConfig(rollup.source).name;
    // The table's figures without its row key, in the order the recomputed rows have them.
    const figures = rollupTableColumns(rollup, kind)
      .map((c) => quoteIdent(c.name))
      .join(', ');
    // Days the rollup answers for: no write marked an hour before the rollup's end (and, for the
    // hourly tables, days refreshed with them).
    const days = sql`SELECT r.day, r.through FROM ${sql.raw(refreshedDaysTable)} r
      WHERE r.source = ${source} AND ${unmarkedBefore(sql`r.source`, sql`r.day`, sql`r.through`)}
        ${kind === 'day' ? sql`` : sql`AND r.hourly`}
      ORDER BY r.day DESC LIMIT ${SAMPLED_DAYS}`;
    const fresh =
      kind === 'firsts'
        ? // From the hourly rows, which the hourly table's own check compares with the raw rows.
          firstsRows(
            rollup,
            sql`SELECT day, hour FROM ${sql.raw(rollupTable(rollup, 'hour'))} WHERE day IN (SELECT day FROM sampled)`,
          )
        : rawRollupRows(
            rollup,
            sql`SELECT day::timestamp AT TIME ZONE 'UTC' AS range_from, through AS range_to FROM sampled`,
            undefined,
            kind,
          );
    const [row] = await queryRows<{ differing: number; days: number }>(
      db,
      sql`WITH sampled AS MATERIALIZED (${days}),
        stored AS (SELECT ${sql.raw(figures)} FROM ${sql.raw(rollupTable(rollup, kind))} WHERE day IN (SELECT day FROM sampled)),
        fresh AS (${fresh})
        SELECT (SELECT count(*) FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM fresh) AS x)::int
          + (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT ALL SELECT * FROM stored) AS y)::int AS differing,
          (SELECT count(*) FROM sampled)::int AS days`,
    );
    const name = `${rollupSchema}.${rollupTableName(rollup, kind)}: its last ${SAMPLED_DAYS} refreshed days match their rows`;
    results.push(
      !row || row.differing === 0
        ? pass('data', null, name)
        : fail(
            'data',
            null,
            name,
            `${row.differing} rows differ over ${row.days} days`,
            `DELETE FROM ${refreshedDaysTable} WHERE source = '${source}' (reports read raw rows at once), then \`aclue-db rollups refresh\``,
            'reports over those days show figures their rows do not add up to',
          ),
    );
  }
  return results;
}
