import { partitionedTables, partitionSchema } from './objects/partitions';

/**
 * What PostgreSQL said about a failed statement. drizzle wraps the driver's error in a
 * `DrizzleQueryError` whose message holds the whole SQL text and its parameters (never show that
 * to anyone); the fields below are the server's own, the same from `pg` and from PGlite. The
 * server's DETAIL is left out on purpose: it quotes the row's values ("Key (email)=(…) already
 * exists"), which do not belong in logs or responses.
 */
export interface PostgresError {
  /** SQLSTATE, for example `23505` (unique violation) or `42501` (insufficient privilege). */
  code: string;
  /**
   * The server's message: names the objects involved, not the statement. A data exception may
   * quote the offending input (`invalid input syntax for type uuid: "…"`), so show it to operators,
   * not to end users.
   */
  message: string;
  hint?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

const sqlState = /^[0-9A-Z]{5}$/;

/**
 * A row of a partitioned table is checked in the partition it lands in, so the server names
 * `aclue_partitions.product_views_p2026_11`: the caller wrote to `public.product_views`, and the
 * constraint messages are keyed by that name.
 */
function asParent(found: PostgresError): PostgresError {
  if (found.schema !== partitionSchema || !found.table) return found;
  const parent = partitionedTables.find((t) =>
    new RegExp(`^${t.sql}_(p\\d{4}_\\d{2}|default)$`).test(found.table ?? ''),
  );
  if (!parent) return found;
  return {
    ...found,
    schema: 'public',
    table: parent.sql,
    message: found.message.replaceAll(`"${found.table}"`, `"${parent.sql}"`),
  };
}

/**
 * The PostgreSQL error under whatever a query threw (drizzle's `DrizzleQueryError`, a driver
 * error, or one wrapped again by the caller), or `undefined` when the failure was not the
 * server's (a closed pool, a bug in the caller's callback).
 *
 * @example
 * try { await db.insert(productViews).values(row) }
 * catch (error) { if (postgresErrorOf(error)?.code === '23503') … }
 */
export function postgresErrorOf(error: unknown): PostgresError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const candidate = current as Partial<PostgresError> & { cause?: unknown };
    if (typeof candidate.code === 'string' && sqlState.test(candidate.code)) {
      const found: PostgresError = { code: candidate.code, message: candidate.message ?? '' };
      for (const key of ['hint', 'schema', 'table', 'column', 'constraint'] as const) {
        const value = candidate[key];
        if (typeof value === 'string' && value !== '') found[key] = value;
      }
      return asParent(found);
    }
    current = candidate.cause;
  }
  return undefined;
}
