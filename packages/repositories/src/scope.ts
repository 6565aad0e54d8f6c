import { type Database, type Executor, type Identity, setLocalIdentity } from '@aclue/db';
import { toRepositoryError } from './errors';

/** Runs work in a transaction as one identity; what every repository method goes through. */
export type Runner = <T>(work: (tx: Executor) => Promise<T>) => Promise<T>;

/** A runner that opens one transaction per call and sets the identity locally in it. */
export function transactionRunner(db: Database, identity: Identity): Runner {
  return (work) =>
    db
      .transaction(async (tx) => {
        await setLocalIdentity(tx, identity);
        return work(tx);
      })
      .catch((error: unknown) => {
        throw toRepositoryError(error);
      });
}

/** A runner bound to a transaction already open (and already running as the identity). */
export const boundRunner =
  (tx: Executor): Runner =>
  (work) =>
    work(tx).catch((error: unknown) => {
      throw toRepositoryError(error);
    });

/**
 * Runs `work` as `temporary` inside the caller's transaction, then returns to the caller's
 * identity. For what the platform does on every caller's behalf (the service role keeping a
 * session's counters) or what only the connection's own role may touch (Supabase Auth's
 * `auth.users`) — never for reads or writes the caller asks for.
 */
export async function switchIdentity<T>(
  tx: Executor,
  temporary: Identity,
  caller: Identity,
  work: () => Promise<T>,
): Promise<T> {
  await setLocalIdentity(tx, temporary);
  const result = await work();
  await setLocalIdentity(tx, caller);
  return result;
}
