import type { Database } from '@aclue/db';
import { sql, TransactionRollbackError } from 'drizzle-orm';

/** The transaction `db.transaction` hands its callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * What `work` returns, run after `statements` in one transaction that is then rolled back: each
 * case sees its own change of the database, and the next one starts from what was there.
 */
export async function rolledBack<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
  statements: readonly string[] = [],
): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await db.transaction(async (tx) => {
      for (const statement of statements) await tx.execute(sql.raw(statement));
      result = { value: await work(tx) };
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  if (!result) throw new Error('the rolled-back work did not finish');
  return result.value;
}
