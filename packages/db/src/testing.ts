import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createDb, type Database } from './client';
import { redactUrl } from './connection';
import { migrate } from './migrations';
import { quoteIdent } from './objects/sql-text';

/**
 * Fresh databases for tests, on the embedded database and on a PostgreSQL server alike, so one
 * suite runs on both (as drizzle-orm's own integration suites do).
 */

/**
 * `pglite`: the embedded database. `pg`: the PostgreSQL server directly. `pgbouncer`: the same
 * server through a PgBouncer in transaction mode (see test-pooler.ts).
 */
export type TestDriver = 'pglite' | 'pg' | 'pgbouncer';

/**
 * Drivers to test: `ACLUE_TEST_DRIVERS=pglite,pg,pgbouncer`. The default is the embedded database
 * and the server; suites that must hold behind a transaction-mode pooler (the repositories) ask
 * for `{ pooled: true }` and get PgBouncer too.
 */
export function testDrivers({ pooled = false }: { pooled?: boolean } = {}): TestDriver[] {
  const fallback = pooled ? 'pglite,pg,pgbouncer' : 'pglite,pg';
  const wanted = (process.env.ACLUE_TEST_DRIVERS ?? fallback).split(',').map((d) => d.trim());
  const known: TestDriver[] = pooled ? ['pglite', 'pg', 'pgbouncer'] : ['pglite', 'pg'];
  return known.filter((d) => wanted.includes(d));
}

/**
 * `url` through the PgBouncer the test run started (tooling/pgbouncer.ts, a vitest global setup
 * of the suites that use the `pgbouncer` driver), which announces its port in the environment.
 */
function throughPooler(url: string): string {
  const port = process.env.ACLUE_TEST_PGBOUNCER_PORT;
  if (!port) {
    throw new Error(
      "the pgbouncer driver needs the PgBouncer the test run starts: add tooling/pgbouncer.ts to the suite's vitest globalSetup, or leave pgbouncer out of ACLUE_TEST_DRIVERS",
    );
  }
  const pooled = new URL(url);
  pooled.hostname = '127.0.0.1';
  pooled.port = port;
  return pooled.toString();
}

/** The server used for `pg` tests; each test database is created on it and dropped after. */
export const testServerUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Database;
  /** The database's URL on the server (`pg` only). */
  url?: string;
  /** Closes the database and, on the server, drops it. */
  dispose(): Promise<void>;
}

async function onServer<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl });
  try {
    await client.connect();
  } catch (error) {
    // One line that says what to do, instead of a bare ECONNREFUSED in every suite.
    throw new Error(
      `the pg tests need PostgreSQL at ${redactUrl(testServerUrl)} (${(error as Error).message || (error as { code?: string }).code}): start it (\`pg_ctlcluster 15 main start\`), set TEST_DATABASE_URL, or run only the embedded engine with ACLUE_TEST_DRIVERS=pglite`,
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the test server (or a copy of `template`) and returns its URL. */
export async function createEmptyServerDatabase({
  template,
}: {
  template?: string;
} = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aclue_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const from = template ? ` TEMPLATE ${quoteIdent(template)}` : '';
  await onServer((c) => c.query(`CREATE DATABASE ${name}${from}`));
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(),
  };
}

/** How test processes find the migrated template of the run (tooling/server-template.ts). */
export const serverTemplateVariable = 'ACLUE_TEST_SERVER_TEMPLATE';

/**
 * A migrated database on the test server to copy test databases from: `CREATE DATABASE … TEMPLATE`
 * takes about half the time of migrating (0.6 s against 1.3 s on 2 cores). Closed to connections
 * once migrated, as a copy needs its source idle (and autovacuum then leaves it alone).
 */
export async function createServerTemplate(): Promise<{ name: string; drop(): Promise<void> }> {
  const { url, drop } = await createEmptyServerDatabase();
  const name = new URL(url).pathname.slice(1);
  const db = await createDb({ url, poolSize: 1 });
  try {
    await migrate(db);
  } catch (error) {
    await db.$close();
    await drop();
    throw error;
  }
  await db.$close();
  await onServer((c) =>
    c.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  );
  return {
    name,
    drop: () =>
      onServer(async (c) => {
        await c.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }).then(),
  };
}

let template: Promise<PGlite> | undefined;

/** One migrated embedded database per process; tests get clones (~1 s instead of ~3 s). */
function migratedTemplate(): Promise<PGlite> {
  template ??= createDb({ memory: true }).then(async (db) => {
    await migrate(db);
    if (db.$driver !== 'pglite') throw new Error('an in-memory database is always embedded');
    return db.$client;
  });
  return template;
}

/**
 * A fresh database on `driver`, migrated unless `migrated: false`.
 *
 * @example
 * const { db, dispose } = await createTestDatabase('pglite');
 * afterAll(dispose);
 */
export async function createTestDatabase(
  driver: TestDriver,
  { migrated = true }: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const db = migrated
      ? await createDb({ pglite: (await (await migratedTemplate()).clone()) as PGlite })
      : await createDb({ memory: true });
    return { db, dispose: () => db.$close() };
  }
  // Copied from the run's migrated template where there is one; migrated here otherwise.
  const template = migrated ? process.env[serverTemplateVariable] : undefined;
  const server = await createEmptyServerDatabase({ template });
  const migrateHere = migrated && !template;
  let db: Database;
  if (driver === 'pgbouncer') {
    // Migrated directly on the server (as operators do), then used only through the pooler,
    // with unnamed statements (PgBouncer 1.18 does not keep named ones between transactions).
    if (migrateHere) {
      const direct = await createDb({ url: server.url, poolSize: 1 });
      await migrate(direct).finally(() => direct.$close());
    }
    db = await createDb({ url: throughPooler(server.url), poolSize: 20 });
  } else {
    // A direct connection: repository statements are prepared once per connection.
    db = await createDb({ url: server.url, poolSize: 4, preparedStatements: true });
    if (migrateHere) await migrate(db);
  }
  return {
    db,
    url: server.url,
    dispose: async () => {
      await db.$close();
      await server.drop();
    },
  };
}

export { createAuthUser } from './samples';
