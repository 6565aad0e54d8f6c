import { type Executor, quoteIdent, readableColumns } from '@aclue/db';
import { desc, getTableColumns, SQL, StringChunk, sql } from 'drizzle-orm';
import { type AnyPgColumn, getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { ValidationError, validate } from './errors';
import { reusable } from './statement';

const uuid = z.uuid();

/**
 * INSERT naming only the columns the rows provide. Drizzle's builder lists every column (with
 * DEFAULT), which column privileges refuse: a user may insert feedback without the right to name
 * `training_weight` at all. Values go through each column's own driver mapping. The statement is
 * one flat list of chunks: nesting a `sql` fragment per row made 1,000-row batches ~7× slower to
 * build.
 */
export function insertProvided(table: PgTable, rows: Record<string, unknown>[]): SQL {
  const columns = getTableColumns(table);
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter(
    (key) => columns[key] && rows.some((row) => row[key] !== undefined),
  );
  const names = keys.map((key) => quoteIdent(columns[key]?.name ?? key)).join(', ');
  const chunks: unknown[] = [
    new StringChunk(
      `INSERT INTO public.${quoteIdent(getTableConfig(table).name)} (${names}) VALUES `,
    ),
  ];
  rows.forEach((row, r) => {
    chunks.push(new StringChunk(r === 0 ? '(' : ', ('));
    keys.forEach((key, k) => {
      if (k > 0) chunks.push(new StringChunk(', '));
      const value = row[key];
      const column = columns[key];
      if (value === undefined || !column) chunks.push(new StringChunk('DEFAULT'));
      else if (value === null) chunks.push(new StringChunk('NULL'));
      else chunks.push(column.mapToDriverValue(value));
    });
    chunks.push(new StringChunk(')'));
  });
  return new SQL(chunks as SQL['queryChunks']);
}

/** `insertProvided` returning the rows' generated ids (the caller may read its own rows back). */
export const insertReturningIds = (table: PgTable, rows: Record<string, unknown>[]): SQL =>
  sql`${insertProvided(table, rows)} RETURNING id`;

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Keyset pagination over `(timestamp DESC, id DESC)`. The cursor is the last row's id: the next
 * page starts below that row's exact key, read back in the database, so microseconds that a
 * JavaScript Date would drop never skip or repeat a row.
 */
export function after(
  table: PgTable,
  timestamp: AnyPgColumn,
  id: AnyPgColumn,
  cursor?: string,
): SQL | undefined {
  return cursor === undefined ? undefined : before(table, timestamp, id, cursorId(cursor));
}

/** The row id a `next` cursor carries; anything else is the caller's mistake, named `after`. */
function cursorId(cursor: string): string {
  const lastId = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url').toString() : '';
  if (!uuid.safeParse(lastId).success) {
    throw new ValidationError([
      { field: 'after', message: 'after must be the `next` cursor of a previous page' },
    ]);
  }
  return lastId;
}

const before = (table: PgTable, timestamp: AnyPgColumn, id: AnyPgColumn, lastId: unknown) =>
  sql`(${timestamp}, ${id}) < (SELECT ${timestamp}, ${id} FROM ${table} WHERE ${id} = ${lastId})`;

/** The most rows one keyset page may ask for. */
export const MAX_PAGE = 1_000;

const pageSize = z.object({
  limit: z
    .number('limit must be a number')
    .int('limit must be a whole number')
    .min(1, `limit must be between 1 and ${MAX_PAGE}`)
    .max(MAX_PAGE, `limit must be between 1 and ${MAX_PAGE}`),
});

/**
 * A page's `limit`, checked: before, a negative one made drizzle leave the LIMIT out (every row
 * the caller may see in one answer), and a non-number reached the database.
 */
export const pageLimit = (limit: unknown): number => validate(pageSize, { limit }).limit;

/**
 * A table's rows the caller may see (RLS picks them), newest first, a keyset page at a time: the
 * first page and the later ones are two statements composed once (see `reusable`). Asking for a
 * page checks its `limit` and `after`, and gives the work to run in a call.
 */
export function newestFirst<T extends PgTable & { $inferSelect: { id: string } }>(
  table: T,
  timestamp: AnyPgColumn,
  id: AnyPgColumn,
) {
  // The caller's columns: a table's hidden (business) columns are outside its privileges.
  const columns = readableColumns(table);
  const first = reusable(['limit'], (tx, value) =>
    tx
      .select(columns)
      .from(table as PgTable)
      .orderBy(desc(timestamp), desc(id))
      .limit(value('limit')),
  );
  const later = reusable(['limit', 'after'], (tx, value) =>
    tx
      .select(columns)
      .from(table as PgTable)
      .where(before(table, timestamp, id, value('after')))
      .orderBy(desc(timestamp), desc(id))
      .limit(value('limit')),
  );
  // The page is checked when it is asked for, before the call opens a transaction.
  return ({ limit, after: cursor }: { limit: number; after?: string }) => {
    const size = pageLimit(limit);
    const lastId = cursor === undefined ? undefined : cursorId(cursor);
    return async (tx: Executor): Promise<Page<T['$inferSelect']>> => {
      const rows = (
        lastId === undefined
          ? await first(tx, { limit: size + 1 })
          : await later(tx, { limit: size + 1, after: lastId })
      ) as T['$inferSelect'][];
      return toPage(rows, size);
    };
  };
}

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

/** Turns `limit + 1` fetched rows into a page and the cursor of the next. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last
    ? { items, next: Buffer.from(last.id).toString('base64url') }
    : { items };
}
