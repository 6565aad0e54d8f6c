import { type SQL, sql } from 'drizzle-orm';

/** `a, b, c` as bound parameters, for `IN (…)` lists of names. */
export const sqlList = (values: readonly string[]): SQL =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
