import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { groupByGivenColumns, toText } from './row-encoding';

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
  for (const [signature, indices] of groupByGivenColumns(rows)) {
    const group = indices.map((index) => rows[index] as Record<string, unknown>);
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
          .map((row) => keys.map((key) => toText(columns[key], row[key])));
        yield stringify(block, { quoted_string: true });
      }
    };
    await pipeline(Readable.from(blocks()), copy);
  }
  return rows.length;
}
