import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type Column = ReturnType<typeof getTableColumns>[string];

/** A value as COPY's CSV reads it: the column's own driver encoding (arrays, JSON, dates). */
function toCopyText(column: Column | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const driver = column ? column.mapToDriverValue(value) : value;
  if (driver === null || driver === undefined) return null;
  if (typeof driver === 'boolean') return driver ? 't' : 'f';
  if (driver instanceof Date) return driver.toISOString();
  if (typeof driver === 'object') return JSON.stringify(driver);
  return driver;
}

/** Rows keyed by the (sorted) list of columns they give a value for, in first-seen order. */
function groupByGivenColumns(rows: readonly Record<string, unknown>[]) {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const signature = Object.keys(row)
      .filter((key) => row[key] !== undefined)
      .sort()
      .join(',');
    const group = groups.get(signature);
    if (group) group.push(row);
    else groups.set(signature, [row]);
  }
  return groups;
}

/**
 * Streams rows — drizzle insert objects, TypeScript keys — into `table` with `COPY … FROM STDIN`
 * on an open `pg` client, inside whatever transaction and role the client is in: the fastest way
 * into PostgreSQL. COPY has no DEFAULT, so rows that leave a column out are sent in groups that give
 * the same columns, one COPY each, and the column keeps its default. Returns the rows written.
 */
export async function copyRows(
  client: pg.ClientBase,
  table: PgTable,
  rows: readonly Record<string, unknown>[],
): Promise<number> {
  const columns = getTableColumns(table);
  const { name, schema = 'public' } = getTableConfig(table);
  for (const [signature, group] of groupByGivenColumns(rows)) {
    const keys = signature.split(',');
    const names = keys.map((key) => `"${columns[key]?.name ?? key}"`).join(', ');
    const copy = client.query(
      copyFrom(`COPY "${schema}"."${name}" (${names}) FROM STDIN WITH (FORMAT csv)`),
    );
    // CSV in blocks of 1,000 rows (streaming row by row costs more than the COPY itself); quoting
    // every string keeps '' apart from NULL (an unquoted empty field).
    const blocks = function* () {
      for (let i = 0; i < group.length; i += 1_000) {
        const block = group
          .slice(i, i + 1_000)
          .map((row) => keys.map((key) => toCopyText(columns[key], row[key])));
        yield stringify(block, { quoted_string: true });
      }
    };
    await pipeline(Readable.from(blocks()), copy);
  }
  return rows.length;
}
