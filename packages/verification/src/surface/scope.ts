import { platformBaseline, supabaseRoles } from '@aclue/db/objects';
import { type SQL, sql } from 'drizzle-orm';

/** `a, b, c` as bound parameters, for `IN (…)` lists of names. */
export const sqlList = (values: readonly string[]): SQL =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );

/** The schemas PostgREST serves: every relation and function in them is reachable with the anon key. */
export const exposedSchemas: readonly string[] = platformBaseline.exposedSchemas;

/**
 * The API roles row level security governs — the public anon key and signed-in users: the
 * declared Supabase roles without BYPASSRLS.
 */
export const apiCallers: readonly string[] = supabaseRoles
  .filter((role) => !role.bypassRls)
  .map((role) => role.name);
