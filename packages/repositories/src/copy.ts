import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '@aclue/db';
import { stringify } from 'csv-stringify/sync';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { from as copyFrom } from 'pg-copy-streams';

/** Loads validated rows into a table, as the service role, in one transaction. */
export type BulkLoader = (table: PgTable, rows: Record<string, unknown>[]) => Promise<void>;

const toCsvValue = (value: unknown): unknown => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
};

/** Rows keyed by the (sorted) list of columns they give a value for, in first-seen order. */
function groupByGivenColumns(rows: Record<string, unknown>[]) {
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
 * `COPY … FROM STDIN` through pg-copy-streams: the fastest way into PostgreSQL, for the service
 * role's bulk loads. Only a server connection can stream COPY; on the embedded database this is
 * undefined and callers fall back to multi-row INSERTs.
 */
export function copyLoader(db: Database): BulkLoader | undefined {
  if (db.$driver !== 'pg') return undefined;
  const pool = db.$client;
  return async (table, rows) => {
    const columns = getTableColumns(table);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE service_role');
      // COPY has no DEFAULT: a row that leaves a column out must not send NULL for it. Rows are
      // loaded in groups that give the same columns, one COPY each, in the one transaction.
      for (const [signature, group] of groupByGivenColumns(rows)) {
        const keys = signature.split(',');
        const names = keys.map((key) => `"${columns[key]?.name}"`).join(', ');
        const copy = client.query(
          copyFrom(
            `COPY public."${getTableConfig(table).name}" (${names}) FROM STDIN WITH (FORMAT csv)`,
          ),
        );
        // CSV in blocks of 1,000 rows (streaming row by row costs more than the COPY itself);
        // quoting every string keeps '' apart from NULL (an unquoted empty field).
        const blocks = function* () {
          for (let i = 0; i < group.length; i += 1_000) {
            const block = group
              .slice(i, i + 1_000)
              .map((row) => keys.map((key) => toCsvValue(row[key])));
            yield stringify(block, { quoted_string: true });
          }
        };
        await pipeline(Readable.from(blocks()), copy);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
}
