import {
  type Database,
  type Executor,
  type Identity,
  identityStatementText,
  setLocalIdentity,
} from '@aclue/db';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { toRepositoryError } from './errors';

/** Runs work in a transaction as one identity; what every repository method goes through. */
export type Runner = <T>(work: (tx: Executor) => Promise<T>) => Promise<T>;

/** A runner that opens one transaction per call and sets the identity locally in it. */
export function transactionRunner(db: Database, identity: Identity): Runner {
  if (db.$driver === 'pg') return serverRunner(db.$client, identity);
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

/** One drizzle executor per pooled connection, made once: drizzle() itself costs a few µs. */
const executors = new WeakMap<pg.PoolClient, Executor>();
const executorOf = (client: pg.PoolClient): Executor => {
  let executor = executors.get(client);
  if (!executor) {
    executor = drizzle(client) as unknown as Executor;
    executors.set(client, executor);
  }
  return executor;
};

/**
 * On a server, a call costs three round trips: `BEGIN` and the identity in one simple query (its
 * values written as literals by pg's escapeLiteral), the work, `COMMIT`. Everything the identity
 * sets is transaction-local, so behind a transaction-mode pooler (PgBouncer, Supavisor) the next
 * caller on the same server connection starts clean. A connection whose ROLLBACK fails is
 * destroyed, never returned to the pool mid-transaction.
 */
function serverRunner(pool: pg.Pool, identity: Identity): Runner {
  const begin = `BEGIN; ${identityStatementText(identity, pg.escapeLiteral)}`;
  return async (work) => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toRepositoryError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await work(executorOf(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
        broken = rollbackFailed instanceof Error ? rollbackFailed : new Error('rollback failed');
      });
      throw toRepositoryError(error);
    } finally {
      client.release(broken);
    }
  };
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
