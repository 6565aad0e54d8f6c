import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Database,
  type Executor,
  type Identity,
  identityStatement,
  postgresErrorOf,
  setLocalIdentity,
} from '@aclue/db';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { DatabaseUnavailableError, RepositoryError, toRepositoryError } from './errors';
import { type Preamble, queryAfter } from './identified-query';

/**
 * Runs work in a transaction as one identity; what every repository method goes through. A call
 * that only reads says `readOnly`: its transaction is `READ ONLY` (a write in it fails), and on a
 * server its result is handed back as soon as it arrives, the COMMIT finishing after it.
 */
export type Runner = <T>(
  work: (tx: Executor) => Promise<T>,
  options?: { readOnly?: boolean },
) => Promise<T>;

/** A runner that opens one transaction per call and sets the identity locally in it. */
export function transactionRunner(db: Database, identity: Identity): Runner {
  if (db.$driver === 'pg') return serverRunner(db.$client, identity, db.$preparedStatements);
  return (work, { readOnly = false } = {}) =>
    db
      .transaction(
        async (tx) => {
          await setLocalIdentity(tx, identity);
          const call = closable(tx);
          try {
            return await work(call.executor);
          } finally {
            call.close();
          }
        },
        readOnly ? { accessMode: 'read only' } : undefined,
      )
      .catch((error: unknown) => {
        throw toRepositoryError(error);
      });
}

/**
 * The transaction's executor for one call, refusing to start a query once the call has ended:
 * after it, drizzle's transaction object would run queries outside the transaction, as the
 * connection's own role.
 */
function closable(tx: Executor): { executor: Executor; close(): void } {
  let open = true;
  const executor = new Proxy(tx, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!open) throw callEnded();
        return value.apply(object, args);
      };
    },
  });
  return {
    executor,
    close: () => {
      open = false;
    },
  };
}

/**
 * Statement names, one per statement text for the whole process, so a name always means the same
 * text on every connection (node-pg refuses one name for two texts). Bounded: past the limit new
 * texts run unnamed, as they would without prepared statements. A new generation of names starts
 * when a migration changed what a prepared statement returns (SQLSTATE 0A000, "cached plan must
 * not change result type"): every connection then prepares the statement afresh.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 1_000;
let generation = 0;

function nameOf(text: string): string | undefined {
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `aclue_${generation}_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

const isStalePlan = (error: unknown) => postgresErrorOf(error)?.code === '0A000';

/** Thrown by a query a call left running after the call ended (a forgotten Promise.all branch). */
const callEnded = () =>
  new RepositoryError(
    'this repository call has already ended: its queries may not run on the connection another call now holds (await every query inside the call)',
  );

/**
 * The client as drizzle sees it for one call. Its first query goes with the call's `preamble`
 * (`BEGIN` and the identity) in one round trip; a call that sends no query begins nothing. It
 * names each statement when asked to, and refuses any query once the call has ended — the
 * connection then belongs to another caller, or to no one.
 */
function callClient(client: pg.PoolClient, prepared: boolean, preamble: readonly Preamble[]) {
  const handle = {
    open: true,
    begun: false,
    query: (config: pg.QueryConfig, values?: unknown[]) => {
      if (!handle.open) return Promise.reject(callEnded());
      // The name is the process's own for the text (drizzle's `prepare` names are dropped): it
      // changes generation after a stale plan, and none is sent unless the pool prepares.
      const name = prepared ? nameOf(config.text) : undefined;
      const named = { ...config, name };
      let query: Promise<pg.QueryResult>;
      if (handle.begun) query = client.query(named, values);
      else {
        handle.begun = true;
        query = queryAfter(client, preamble, { ...named, values: values ?? config.values });
      }
      if (!name) return query;
      return query.catch((error: unknown) => {
        if (isStalePlan(error)) {
          generation += 1;
          statementNames.clear();
        }
        throw error;
      });
    },
  };
  return handle;
}

type CallClient = ReturnType<typeof callClient>;

/** The server call each async context belongs to: where `callExecutor`'s queries go. */
const currentCall = new AsyncLocalStorage<CallClient>();

/** Outside every call, a query through `callExecutor` has no connection to go to. */
const noCall = () =>
  new RepositoryError('a repository statement ran outside a repository call (no transaction)');

/**
 * The one drizzle executor every server call runs through, for the whole process: its client
 * sends each query to the connection of the call the query belongs to (found through
 * AsyncLocalStorage), so a statement drizzle composed and prepared once runs on any call's
 * connection, through drizzle's public `prepare()`.
 */
export const callExecutor: Executor = drizzle({
  client: {
    query: (config: pg.QueryConfig, values?: unknown[]) =>
      currentCall.getStore()?.query(config, values) ?? Promise.reject(noCall()),
  } as unknown as pg.PoolClient,
}) as unknown as Executor;

/** A connection problem without a SQLSTATE (reset, terminated, pool closed): the database is gone. */
function unavailable(error: unknown): unknown {
  const mapped = toRepositoryError(error);
  if (mapped instanceof RepositoryError || postgresErrorOf(error)) return mapped;
  return new DatabaseUnavailableError('the database connection was lost; retry the request', {
    cause: error,
  });
}

/**
 * On a server, a one-statement call costs two round trips: `BEGIN`, the identity's `set_config`s
 * and the statement in one (pipelined by the extended protocol, values as parameters), then
 * `COMMIT` — and a read-only call returns after the first: its `READ ONLY` transaction (REPEATABLE
 * READ, which never fails at COMMIT) has nothing for COMMIT to make durable, so the connection
 * goes back to the pool when COMMIT completes, without the caller waiting for it. Everything the
 * identity sets is transaction-local, so behind a transaction-mode pooler (PgBouncer, Supavisor)
 * the next caller on the same server connection starts clean. A connection lost mid-call fails
 * the call with DatabaseUnavailableError (never an unhandled 'error' event), and a connection
 * whose COMMIT or ROLLBACK fails is destroyed, never returned to the pool mid-transaction.
 */
function serverRunner(pool: pg.Pool, identity: Identity, prepared: boolean): Runner {
  const identityParts = identityStatement(identity);
  const preambles = {
    write: [{ text: 'BEGIN', values: [] }, identityParts],
    read: [{ text: 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', values: [] }, identityParts],
  };
  return async (work, { readOnly = false } = {}) => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    let broken: Error | undefined;
    // While checked out the pool does not listen: without this a lost connection crashes Node.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    const call = callClient(client, prepared, readOnly ? preambles.read : preambles.write);
    const release = () => {
      call.open = false;
      client.off('error', onError);
      client.release(broken);
    };
    let committing = false;
    try {
      // Awaited inside: a work returning drizzle's query (a thenable) runs it in the call.
      const result = await currentCall.run(call, async () => await work(callExecutor));
      call.open = false;
      if (call.begun && readOnly) {
        committing = true;
        client.query('COMMIT').then(release, (failed: unknown) => {
          broken = failed instanceof Error ? failed : new Error('commit failed');
          release();
        });
      } else if (call.begun) {
        await client.query('COMMIT');
      }
      return result;
    } catch (error) {
      // First, so a query the work left running can no longer start: after the ROLLBACK it would
      // run outside the transaction, as the connection's own role.
      call.open = false;
      if (!broken && call.begun) {
        await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
          broken = rollbackFailed instanceof Error ? rollbackFailed : new Error('rollback failed');
        });
      }
      throw broken ? unavailable(error) : toRepositoryError(error);
    } finally {
      if (!committing) release();
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
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // Back to the caller even on failure: a grouped call that catches this error goes on in the
    // same transaction, and must not go on as `temporary`. If the transaction is already aborted
    // the restore fails too, and nothing can run in it anyway.
    await setLocalIdentity(tx, caller).catch(() => {});
    throw error;
  }
  await setLocalIdentity(tx, caller);
  return result;
}
