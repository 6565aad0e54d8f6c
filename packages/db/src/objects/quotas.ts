import { getTableConfig } from 'drizzle-orm/pg-core';
import { ruleColumnName, type TableAccess, type WriteQuota } from '../schema/rules';
import { schemaTables } from '../tables';
import { apiRoles } from './privileges';
import { literal, quoteIdent } from './sql-text';
import type { FunctionDeclaration, TriggerDeclaration } from './triggers';

/**
 * The SQLSTATE a quota refusal raises. PostgREST answers a `PTxxx` code with HTTP status xxx, so
 * a client going around the API gets 429 too; the repositories raise `QuotaExceededError`.
 */
export const QUOTA_SQLSTATE = 'PT429';

/**
 * The first key of the advisory lock a quota check takes per counted session or owner (the
 * second is `hashtext` of table and key): two statements adding to the same session are counted
 * one after the other, so together they cannot pass a limit each would pass alone.
 */
export const QUOTA_LOCK_CLASS = 73460113;

interface QuotaTable {
  table: string;
  quota: WriteQuota;
  session?: string;
  owner?: { user: string; anonymous?: string };
  time?: string;
}

/** Every table whose rules declare a quota, in SQL names. */
export const quotaTables: readonly QuotaTable[] = Object.values(schemaTables).flatMap(
  ({ table, rules }) => {
    const { quota, access } = rules as { quota?: WriteQuota; access?: TableAccess };
    if (!quota) return [];
    const column = (key: string) => ruleColumnName(table, key);
    const owner = access?.owner;
    if (quota.perSession && !access?.session) {
      throw new Error(`${getTableConfig(table).name}: perSession quota without a session column`);
    }
    if (quota.perOwnerPerHour && !owner) {
      throw new Error(`${getTableConfig(table).name}: perOwnerPerHour quota without an owner`);
    }
    return [
      {
        table: getTableConfig(table).name,
        quota,
        ...(access?.session ? { session: column(access.session.column) } : {}),
        ...(owner
          ? {
              owner: {
                user: column(owner.user),
                ...(owner.anonymous ? { anonymous: column(owner.anonymous) } : {}),
              },
            }
          : {}),
        ...(quota.perOwnerPerHour ? { time: column(quota.perOwnerPerHour.time) } : {}),
      },
    ];
  },
);

/** The sentence a person reads for each limit; also the message the database raises. */
export const quotaMessages = (q: QuotaTable) => ({
  rowBytes: `${q.table}: a row may hold at most ${q.quota.rowBytes} bytes`,
  perSession: `${q.table}: a session may hold at most ${q.quota.perSession} rows`,
  perOwnerPerHour: `${q.table}: a caller may add at most ${q.quota.perOwnerPerHour?.rows} rows an hour`,
});

const raise = (message: string, hint: string) =>
  `RAISE SQLSTATE '${QUOTA_SQLSTATE}' USING MESSAGE = ${literal(message)}, DETAIL = ${literal(message)}, HINT = ${literal(hint)};`;

/**
 * Locks then counts, per distinct `key` among the statement's rows (`r`) that match `rows`, in
 * key order (two statements never wait on each other's locks crosswise); raises when the table
 * holds more than `limit` rows matching `counted` (over `t`, for `k.key`).
 */
function countPerKey(
  q: QuotaTable,
  { key, rows = 'true', counted }: { key: string; rows?: string; counted: string },
  limit: number,
  message: string,
) {
  return `FOR k IN SELECT DISTINCT ${key} AS key FROM new_rows r WHERE ${key} IS NOT NULL AND ${rows} ORDER BY 1 LOOP
      PERFORM pg_catalog.pg_advisory_xact_lock(${QUOTA_LOCK_CLASS}, pg_catalog.hashtext(${literal(`${q.table}:`)} || k.key::text));
      IF (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM public.${quoteIdent(q.table)} t
            WHERE ${counted} LIMIT ${limit + 1}) AS counted) > ${limit} THEN
        ${raise(message, 'wait, or start over later; the limit is per caller and counts every way in')}
      END IF;
    END LOOP;`;
}

const functionName = (q: QuotaTable) => `enforce_${q.table}_quota`;

/**
 * One statement-level trigger function per table with a quota. SECURITY DEFINER so it counts
 * rows the caller may not read (RLS hides other visitors' views, and anon reads no views at
 * all); it reads only counts and raises, returning nothing. `current_user` is then its owner, so
 * the caller's role comes from the `role` setting, which SET ROLE (PostgREST, the repositories)
 * sets and a SECURITY DEFINER call leaves alone.
 */
export const quotaFunctions: readonly FunctionDeclaration[] = quotaTables.map((q) => {
  const messages = quotaMessages(q);
  const perSession =
    q.quota.perSession && q.session
      ? countPerKey(
          q,
          { key: `r.${quoteIdent(q.session)}`, counted: `t.${quoteIdent(q.session)} = k.key` },
          q.quota.perSession,
          messages.perSession,
        )
      : '';
  // The owner is the user when signed in, else the anonymous visitor; keys compare in their own
  // type so the owner columns' indexes serve the count.
  const perOwner = (() => {
    const hourly = q.quota.perOwnerPerHour;
    if (!hourly || !q.owner || !q.time) return [];
    const user = quoteIdent(q.owner.user);
    const recent = `t.${quoteIdent(q.time)} >= pg_catalog.now() - interval '1 hour'`;
    const users = countPerKey(
      q,
      { key: `r.${user}`, counted: `t.${user} = k.key AND ${recent}` },
      hourly.rows,
      messages.perOwnerPerHour,
    );
    if (!q.owner.anonymous) return [users];
    const anonymous = quoteIdent(q.owner.anonymous);
    return [
      users,
      countPerKey(
        q,
        {
          key: `r.${anonymous}`,
          rows: `r.${user} IS NULL`,
          counted: `t.${user} IS NULL AND t.${anonymous} = k.key AND ${recent}`,
        },
        hourly.rows,
        messages.perOwnerPerHour,
      ),
    ];
  })();
  return {
    schema: 'public',
    name: functionName(q),
    searchPath: '',
    securityDefiner: true,
    definition: `CREATE OR REPLACE FUNCTION public.${functionName(q)}()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  k record;
BEGIN
  IF pg_catalog.current_setting('role') NOT IN (${apiRoles.map(literal).join(', ')}) THEN
    RETURN NULL;
  END IF;
  -- The row's text form: what the caller sent, however PostgreSQL compresses or moves it.
  IF EXISTS (SELECT 1 FROM new_rows r WHERE pg_catalog.octet_length(r::text) > ${q.quota.rowBytes}) THEN
    ${raise(messages.rowBytes, 'send less: shorter texts, fewer items')}
  END IF;
  IF TG_OP = 'INSERT' THEN
    ${[perSession, ...perOwner].filter(Boolean).join('\n    ')}
  END IF;
  RETURN NULL;
END;
$fn$;`,
  };
});

/** The triggers that run them: after each INSERT and UPDATE statement, over its new rows. */
export const quotaTriggers: readonly TriggerDeclaration[] = quotaTables.flatMap((q) =>
  (['INSERT', 'UPDATE'] as const).map((event) => ({
    table: q.table,
    name: `enforce_quota_on_${event.toLowerCase()}`,
    timing: 'AFTER' as const,
    event,
    level: 'STATEMENT' as const,
    transitionTables: { new: 'new_rows' },
    function: `public.${functionName(q)}`,
  })),
);
