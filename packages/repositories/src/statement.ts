import type { Executor } from '@aclue/db';
import { Column, is, Placeholder, type Query, sql } from 'drizzle-orm';
import type { PgColumn, PgSession } from 'drizzle-orm/pg-core';

type OrderedFields = NonNullable<Parameters<PgSession['prepareQuery']>[1]>;

/** What a reusable statement's builder returns: a drizzle select on the executor it was given. */
export interface Select {
  toSQL(): Query;
  execute(): Promise<unknown>;
  _: { selectedFields: unknown };
}

/**
 * A repository query drizzle composes once: its SQL text, parameter order and result mapping are
 * kept, and each call only binds its values (placeholders, named in `names`) and runs it in the
 * call's transaction, through its drizzle session (`tx._.session`). Composing a select (walking
 * its SQL chunks, checking each chunk's kind) cost more CPU on this path than the round trip it
 * sends, so the hot reads do it once per process. The same text every time also lets a pool with
 * prepared statements name it once.
 *
 * Values bound to a placeholder reach the driver as they are (drizzle does not pass them through
 * the column's encoder): give strings, numbers or Dates the driver sends as such.
 */
export function reusable<const Names extends readonly string[], Built extends Select>(
  names: Names,
  build: (tx: Executor, value: (name: Names[number]) => Placeholder) => Built,
): (
  tx: Executor,
  values: Record<Names[number], unknown>,
) => Promise<Awaited<ReturnType<Built['execute']>>> {
  let composed: { query: Query; fields: OrderedFields } | undefined;
  return async (tx, values): Promise<Awaited<ReturnType<Built['execute']>>> => {
    composed ??= compose(
      build(tx, (name) => {
        if (!names.includes(name)) throw new TypeError(`${name} is not among [${names}]`);
        return sql.placeholder(name);
      }),
    );
    const prepared = tx._.session.prepareQuery(composed.query, composed.fields, undefined, true);
    const rows: unknown = await prepared.execute(values);
    return rows as Awaited<ReturnType<Built['execute']>>;
  };
}

/** The statement and its columns in result order; only flat selections (a table's columns). */
function compose(select: Select): { query: Query; fields: OrderedFields } {
  const fields = Object.entries(select._.selectedFields as Record<string, unknown>).map(
    ([key, field]) => {
      if (!is(field, Column)) {
        throw new TypeError(`reusable statements select columns only; ${key} is not one`);
      }
      return { path: [key], field: field as PgColumn };
    },
  );
  const query = select.toSQL();
  // Only placeholders: a value written into the builder would be kept for every later call —
  // the first caller's id, say, for everyone.
  if (!query.params.every((param) => is(param, Placeholder))) {
    throw new TypeError('a reusable statement takes its values as placeholders only');
  }
  return { query, fields };
}
