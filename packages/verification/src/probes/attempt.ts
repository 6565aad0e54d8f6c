import { type Executor, type Identity, postgresErrorOf, setLocalIdentity } from '@aclue/db';
import { type SQL, TransactionRollbackError } from 'drizzle-orm';

type Transaction = Executor & {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
};

/**
 * Runs `work` in a savepoint of `tx`: if it fails, only the savepoint is rolled back, so one
 * failing probe (a missing table) does not abort the checks after it.
 */
export const inSavepoint = <T>(tx: Executor, work: (savepoint: Executor) => Promise<T>) =>
  (tx as Transaction).transaction(work);

/** What a statement did: how many rows it touched or returned, or the error that stopped it. */
export type Outcome =
  | { ok: true; count: number; rows: Record<string, unknown>[] }
  | { ok: false; code: string; message: string };

// Rows returned (SELECT) or touched (INSERT/UPDATE/DELETE), on either driver.
const toOutcome = (result: unknown): Outcome => {
  const r = result as {
    rows?: Record<string, unknown>[];
    rowCount?: number | null;
    affectedRows?: number;
  };
  const rows = r.rows ?? [];
  return { ok: true, rows, count: Math.max(rows.length, r.rowCount ?? r.affectedRows ?? 0) };
};

/**
 * Runs `query` (or several, in order) as `identity` inside a savepoint that is always rolled back:
 * the role, the claims and every row written disappear with it. The outcome is the last
 * statement's, or the first error.
 */
export async function attempt(
  tx: Executor,
  identity: Identity,
  query: SQL | SQL[],
): Promise<Outcome> {
  let outcome: Outcome = { ok: false, code: 'none', message: 'not run' };
  try {
    await (tx as Transaction).transaction(async (savepoint) => {
      await setLocalIdentity(savepoint, identity);
      try {
        for (const statement of [query].flat()) {
          outcome = toOutcome(await savepoint.execute(statement));
        }
      } catch (error) {
        const refused = postgresErrorOf(error);
        outcome = {
          ok: false,
          code: refused?.code ?? 'unknown',
          message: refused?.message ?? String(error),
        };
      }
      throw new TransactionRollbackError();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  return outcome;
}
