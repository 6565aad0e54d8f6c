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
  if (db.$driver === 'pg') return serverRunner(db.$client, identity, db.$preparedStatements);
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
const preparedExecutors = new WeakMap<pg.PoolClient, Executor>();

/**
 * Statement names, one per statement text for the whole process, so a name always means the same
 * text on every connection (node-pg refuses one name for two texts). Bounded: past the limit new
 * texts run unnamed, as they would without prepared statements.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 1_000;

function nameOf(text: string): string | undefined {
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `aclue_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/** The client as drizzle sees it, naming each statement so the connection prepares it once. */
const naming = (client: pg.PoolClient) => ({
  query: (config: pg.QueryConfig, values?: unknown[]) => {
    const name = config.name ?? nameOf(config.text);
    return client.query(name ? { ...config, name } : config, values);
  },
});

const executorOf = (client: pg.PoolClient, prepared: boolean): Executor => {
  const cache = prepared ? preparedExecutors : executors;
  let executor = cache.get(client);
  if (!executor) {
    executor = drizzle(
      (prepared ? naming(client) : client) as pg.PoolClient,
    ) as unknown as Executor;
    cache.set(client, executor);
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
function serverRunner(pool: pg.Pool, identity: Identity, prepared: boolean): Runner {
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
      const result = await work(executorOf(client, prepared));
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
