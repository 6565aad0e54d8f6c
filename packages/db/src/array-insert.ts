import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { quoteIdent } from './objects/sql-text';
import { groupByGivenColumns, toText } from './row-encoding';

/** One array literal of text elements, every element quoted so '' stays apart from NULL. */
function textArray(values: readonly unknown[]): string {
  const elements = values.map((value) =>
    value === null ? 'NULL' : `"${String(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`,
  );
  return `{${elements.join(',')}}`;
}

/**
 * Rows per statement. An array per column has no parameter limit to stay under; the cap bounds a
 * statement's size (about 1 MB of views) and a statement trigger's transition table.
 */
const ROWS_PER_STATEMENT = 10_000;

/** One INSERT of a group of rows that give the same columns, and the rows' places in the batch. */
export interface ArrayInsert {
  statement: SQL;
  indices: number[];
}

/**
 * INSERTs of any number of rows — drizzle insert objects, TypeScript keys — that send one text
 * array per column and read them back with `unnest`: `INSERT INTO t (a, b) SELECT a::uuid, b
 * FROM unnest($1::text::text[], $2::text::text[])`. A statement's text, parameters and plan do not
 * grow with its rows (a multi-row VALUES list has a parameter per value, is capped at 65,535 of
 * them, and costs more to build, send, parse and plan than the rows cost to write), so a batch is
 * one statement per set of given columns and 10,000 rows, and statement triggers fire once per
 * statement. Each array goes as one text parameter and is cast in the database, so both drivers
 * send it byte for byte. Only the columns the rows give are named (column privileges may refuse
 * the others); a column some rows leave out keeps its DEFAULT for them, as those rows go in their
 * own statement. PostgreSQL inserts a statement's rows, and returns them, in the order `unnest`
 * reads them: the order of `indices`, places in `rows`.
 */
export function arrayInserts(
  table: PgTable,
  rows: readonly Record<string, unknown>[],
  returning?: SQL,
): ArrayInsert[] {
  const columns = getTableColumns(table);
  const { name, schema = 'public' } = getTableConfig(table);
  const target = sql.raw(`${quoteIdent(schema)}.${quoteIdent(name)}`);
  const groups = [...groupByGivenColumns(rows)].flatMap(([signature, indices]) =>
    Array.from({ length: Math.ceil(indices.length / ROWS_PER_STATEMENT) }, (_, n) => ({
      signature,
      indices: indices.slice(n * ROWS_PER_STATEMENT, (n + 1) * ROWS_PER_STATEMENT),
    })),
  );
  return groups.map(({ signature, indices }) => {
    const keys = signature.split(',').filter((key) => columns[key]);
    const insert =
      keys.length === 0
        ? // Rows that give nothing: every column's default, one row per row.
          sql`INSERT INTO ${target} SELECT FROM generate_series(1, ${indices.length}::integer)`
        : sql`INSERT INTO ${target} (${sql.raw(keys.map((key) => quoteIdent(columns[key]?.name ?? key)).join(', '))})
            SELECT ${sql.raw(keys.map((key, k) => readAs(`c${k}`, columns[key]?.getSQLType())).join(', '))}
            FROM unnest(${sql.join(
              keys.map((key) => {
                const values = indices.map((index) => toText(columns[key], rows[index]?.[key]));
                return sql`${textArray(values)}::text::text[]`;
              }),
              sql`, `,
            )}) AS given(${sql.raw(keys.map((_, k) => `c${k}`).join(', '))})`;
    return { statement: returning ? sql`${insert} RETURNING ${returning}` : insert, indices };
  });
}

/** An unnested text element read as its column's type. */
const readAs = (element: string, type = 'text') =>
  type === 'text' ? element : `${element}::${type}`;
