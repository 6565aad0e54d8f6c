import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { type PgDatabase, type PgQueryResultHKT, withReplicas } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { describeConnectionFailure, parsePostgresUrl, redactUrl } from './connection';
import { holdsDatabase, resolveDataDir } from './data-dir';
import { lockDataDir } from './embedded-lock';
import { DatabaseConnectionError } from './errors';
import * as schema from './schema';

export type Schema = typeof schema;

export interface CreateDbOptions {
  /** A PostgreSQL URL. Defaults to `DATABASE_URL`; without either, the embedded database is used. */
  url?: string;
  /**
   * Folder of the embedded database (default `ACLUE_DATA_DIR`, then the project's
   * `.aclue/pglite`, found from the working directory upwards: see {@link resolveDataDir}).
   */
  dataDir?: string;
  /**
   * Create the embedded database when its folder holds none (default true). With `false` a
   * missing database is a {@link DatabaseConnectionError} that says how to create it, rather than
   * a new empty database in a mistyped or unexpected place.
   */
  create?: boolean;
  /**
   * Called once the embedded folder is locked and found to hold no database, just before one is
   * created there (so of two processes racing to create it, only the first is told).
   */
  onCreate?: (dataDir: string) => void;
  /** Embedded database in memory only: for tests and throwaway runs. */
  memory?: boolean;
  /** An embedded database already open (for example a clone of a migrated template). */
  pglite?: PGlite;
  /** Connection pool size on a server (default 10), for the primary and for each replica. */
  poolSize?: number;
  /**
   * Streaming read replicas of `url` (hot standbys). drizzle's `withReplicas` sends top-level
   * `select`s to them; `$reader()` gives one for whole read-only work (the repositories' analytics);
   * writes, transactions and raw SQL stay on the primary, so a caller reads its own writes. Each
   * must be a standby: a primary given as a replica is refused. Server only.
   */
  replicas?: readonly string[];
  /**
   * Name the statements the repositories send on a server, so each connection parses and plans
   * them once (about a quarter off a short call; default false). Only on a direct connection or a
   * session-mode pooler: transaction-mode poolers before PgBouncer 1.21 (Debian's 1.18) do not
   * keep named statements between transactions. After a migration changes what a statement
   * returns, the first call on each stale plan fails once (SQLSTATE 0A000) and every later one is
   * prepared afresh.
   */
  preparedStatements?: boolean;
  /**
   * How long to wait for another process to close the embedded data folder before giving up
   * with a {@link DatabaseLockedError} (default 0: refuse at once).
   */
  lockWaitMs?: number;
}

interface HandleCommon {
  /** Where the data lives, safe to print: the URL without its password, or the data folder. */
  readonly $target: string;
  /** Closes the pool or the embedded database; Node will not exit while either is open. */
  $close(): Promise<void>;
  /**
   * Where read-only work that may lag a little goes: the next replica (round robin), or this
   * database when it has none.
   */
  $reader(): Database;
  /** The replicas, in the order given (none on the embedded database or without `replicas`). */
  readonly $readers: readonly Database[];
}

/** The embedded engine: `$client` is the PGlite instance. */
export interface EmbeddedHandle extends HandleCommon {
  readonly $driver: 'pglite';
  readonly $client: PGlite;
}

/** A PostgreSQL server: `$client` is the `pg` pool. */
export interface ServerHandle extends HandleCommon {
  readonly $driver: 'pg';
  readonly $client: pg.Pool;
  /** Whether repository statements are prepared per connection (see CreateDbOptions). */
  readonly $preparedStatements: boolean;
}

/**
 * A typed Drizzle database, identical in use on the embedded database and on a server. Checking
 * `$driver` narrows `$client` to the driver's own type (PGlite or `pg.Pool`), as drizzle's
 * `PgliteDatabase` / `NodePgDatabase` do.
 */
export type Database = PgDatabase<PgQueryResultHKT, Schema> & (EmbeddedHandle | ServerHandle);

/** The database a transaction callback receives, for helpers that work on either. */
export type Executor = Pick<Database, 'execute' | 'select' | 'insert' | 'update' | 'delete'>;

/**
 * Opens the database: the PostgreSQL server at `url` / `DATABASE_URL` when there is one, the
 * embedded PGlite database otherwise. Connects eagerly, so a bad URL, an unreachable server or a
 * wrong password fails here with a {@link DatabaseConnectionError} that says which.
 *
 * @example
 * const db = await createDb();               // embedded, in .aclue/pglite
 * const db = await createDb({ url: process.env.DATABASE_URL });
 * await db.select().from(products).limit(10);
 * await db.$close();
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  const url =
    options.url ?? (options.pglite || options.memory ? undefined : process.env.DATABASE_URL);
  const replicas = options.replicas ?? [];
  if (!url) {
    if (replicas.length > 0) {
      throw new DatabaseConnectionError(
        'read replicas need a PostgreSQL server: give `url` (or DATABASE_URL) with `replicas`',
      );
    }
    return openEmbedded(options);
  }
  const open = (target: string) =>
    openServer(target, options.poolSize ?? 10, options.preparedStatements ?? false);
  const primary = await open(url);
  if (replicas.length === 0) return primary;
  const readers: Database[] = [];
  try {
    const ours = await systemIdentifier(primary);
    for (const replica of replicas) {
      const reader = await open(replica);
      readers.push(reader);
      const [state] = await queryRows<{ standby: boolean }>(
        reader,
        sql`SELECT pg_catalog.pg_is_in_recovery() AS standby`,
      );
      if (!state?.standby) {
        throw new DatabaseConnectionError(
          `the replica ${redactUrl(replica)} is not a standby (pg_is_in_recovery() is false): reads sent there would not be of ${redactUrl(url)}`,
        );
      }
      const theirs = await systemIdentifier(reader);
      if (ours && theirs && ours !== theirs) {
        throw new DatabaseConnectionError(
          `the replica ${redactUrl(replica)} is a standby of another cluster (system identifier ${theirs}, the primary's is ${ours})`,
        );
      }
    }
  } catch (error) {
    await Promise.all([primary, ...readers].map((db) => db.$close()));
    throw error;
  }
  return withReaders(primary, readers);
}

/**
 * The cluster's identity, which its standbys share; undefined where the role may not read it
 * (`pg_control_system()` is for superusers and pg_monitor).
 */
async function systemIdentifier(db: Database): Promise<string | undefined> {
  try {
    const [row] = await queryRows<{ id: string }>(
      db,
      sql`SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()`,
    );
    return row?.id;
  } catch {
    return undefined;
  }
}

/** drizzle's withReplicas over our handles: round robin, one `$close` for every pool. */
function withReaders(primary: Database, readers: Database[]): Database {
  let next = 0;
  const pick = () => {
    const reader = readers[next % readers.length] as Database;
    next += 1;
    return reader;
  };
  const combined = withReplicas(primary, readers as [Database, ...Database[]], pick);
  return Object.assign(combined, {
    $reader: pick,
    $readers: readers,
    $close: once(async () => {
      await Promise.all([primary, ...readers].map((db) => db.$close()));
    }),
  }) as unknown as Database;
}

/** Closing twice is harmless: the second call waits for the first. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= close();
    return closing;
  };
}

async function openServer(url: string, max: number, prepared: boolean): Promise<Database> {
  parsePostgresUrl(url);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // Without a listener an idle client's error (server restart) would crash the process.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw describeConnectionFailure(url, error);
  }
  const db = drizzlePg(pool, { schema });
  const handle = Object.assign(db, {
    $driver: 'pg' as const,
    $preparedStatements: prepared,
    $target: redactUrl(url),
    $close: once(() => pool.end()),
    $readers: [],
  }) as unknown as Database;
  return Object.assign(handle, { $reader: () => handle });
}

async function openEmbedded(options: CreateDbOptions): Promise<Database> {
  let client = options.pglite;
  let target = 'memory';
  let release = async () => {};
  if (!client) {
    const dataDir = options.memory ? undefined : resolveDataDir(options.dataDir);
    if (dataDir && options.create === false && !holdsDatabase(dataDir)) {
      throw new DatabaseConnectionError(
        `no embedded database at ${dataDir}: run \`aclue-db setup\` to create it, or point --data-dir, ACLUE_DATA_DIR or DATABASE_URL at an existing database`,
      );
    }
    if (dataDir) {
      target = dataDir;
      try {
        mkdirSync(dataDir, { recursive: true });
      } catch (error) {
        throw new DatabaseConnectionError(
          `cannot create the embedded database folder ${dataDir}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    // PGlite is single-process: the folder is ours alone until $close.
    if (dataDir) release = await lockDataDir(dataDir, { waitMs: options.lockWaitMs ?? 0 });
    if (dataDir && !holdsDatabase(dataDir)) options.onCreate?.(dataDir);
    try {
      // pg_trgm must be loaded on every open, or writes to trigram-indexed tables fail; and only
      // PGlite.create() loads extensions (the constructor + waitReady silently does not, in 0.5).
      client = await PGlite.create(dataDir, { extensions: { pg_trgm, amcheck } });
    } catch (error) {
      await release();
      throw new DatabaseConnectionError(
        `cannot open the embedded database in ${target}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  const pglite = client;
  const db = drizzlePglite(pglite, { schema });
  const handle = Object.assign(db, {
    $driver: 'pglite' as const,
    $target: target,
    $readers: [],
    $close: once(async () => {
      try {
        await pglite.close();
      } finally {
        await release();
      }
    }),
  }) as unknown as Database;
  return Object.assign(handle, { $reader: () => handle });
}

/**
 * Runs raw SQL and returns its rows, on either driver (both answer `{ rows }`, which the shared
 * Drizzle base type leaves untyped).
 */
export async function queryRows<Row>(db: Pick<Database, 'execute'>, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}
