import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent } from './objects/sql-text';
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
  const target = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  for (const [signature, indices] of groupByGivenColumns(rows)) {
    const group = indices.map((index) => rows[index] as Record<string, unknown>);
    const keys = signature.split(',').filter((key) => columns[key]);
    if (keys.length === 0) {
      // Rows that give nothing: COPY needs a column, so every column's default by INSERT.
      await client.query(`INSERT INTO ${target} SELECT FROM generate_series(1, $1::integer)`, [
        group.length,
      ]);
      continue;
    }
    const names = keys.map((key) => quoteIdent(columns[key]?.name ?? key)).join(', ');
    const copy = client.query(copyFrom(`COPY ${target} (${names}) FROM STDIN`));
    // COPY's text format in blocks of 1,000 rows (streaming row by row costs more than the COPY
    // itself). Its escaping is four characters and \N for NULL; a CSV library took three times
    // as long to encode a batch as this, about a tenth of the whole COPY.
    const blocks = function* () {
      for (let i = 0; i < group.length; i += 1_000) {
        let block = '';
        for (const row of group.slice(i, i + 1_000)) {
          block += `${keys.map((key) => copyField(toText(columns[key], row[key]))).join('\t')}\n`;
        }
        yield block;
      }
    };
    await pipeline(Readable.from(blocks()), copy);
  }
  return rows.length;
}

const copyEscapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field of COPY's text format: \N for NULL; backslash, newline, return and tab escaped. */
const copyField = (value: unknown): string =>
  value === null ? '\\N' : String(value).replace(/[\\\n\r\t]/g, (c) => copyEscapes[c] ?? c);
