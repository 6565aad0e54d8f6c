import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port';

/**
 * A real PgBouncer in transaction mode in front of the test server, started once per test run:
 * Debian's pgbouncer 1.18, which hands every transaction to any of a few server connections and
 * does not keep named prepared statements across transactions — what Supavisor and most poolers
 * in front of Supabase do to the repositories.
 */

const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));

/** Server connections per database and user: few, so callers really share them. */
export const poolerServerConnections = 3;

/** How the test processes find it: `@aclue/db/testing` reads this (the `pgbouncer` driver). */
const portVariable = 'ACLUE_TEST_PGBOUNCER_PORT';

async function start(server: URL): Promise<{ port: number; process: ChildProcess }> {
  if (!binary) {
    throw new Error(
      'the pgbouncer tests need PgBouncer: `apt-get install pgbouncer` (.ci/run installs it), or leave pgbouncer out of ACLUE_TEST_DRIVERS',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'aclue-pgbouncer-'));
  const port = await freePort();
  const config = join(dir, 'pgbouncer.ini');
  writeFileSync(
    config,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432} user=${decodeURIComponent(server.username || 'postgres')}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir = ''",
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${poolerServerConnections}`,
      'max_client_conn = 1000',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root (as CI and containers often are): it drops to another user,
  // which needs to write its log and pid file into the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o777);
  const child = spawn(binary, asRoot ? ['-u', 'nobody', config] : [config], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
    });
    try {
      await probe.connect();
      await probe.end();
      return { port, process: child };
    } catch {
      await probe.end().catch(() => {});
      await sleep(100);
    }
  }
  child.kill();
  throw new Error(
    `pgbouncer did not start on 127.0.0.1:${port} (log: ${join(dir, 'pgbouncer.log')})`,
  );
}

/** Starts a PgBouncer in transaction mode in front of `serverUrl`; `stop()` ends it. */
export async function startPgBouncer(serverUrl: string): Promise<{ port: number; stop(): void }> {
  const { port, process: child } = await start(new URL(serverUrl));
  return { port, stop: () => child.kill() };
}

/**
 * Vitest global setup: one PgBouncer for the whole run, in front of the test server, ended with
 * the run (a worker's exit hooks may never run). Started only when the pgbouncer driver is wanted
 * (ACLUE_TEST_DRIVERS unset, or naming it). Suites read it through `@aclue/db/testing`.
 */
export default async function setup() {
  const wanted = process.env.ACLUE_TEST_DRIVERS;
  if (
    wanted !== undefined &&
    !wanted
      .split(',')
      .map((d) => d.trim())
      .includes('pgbouncer')
  )
    return;
  const pooler = await startPgBouncer(
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  process.env[portVariable] = String(pooler.port);
  return pooler.stop;
}
