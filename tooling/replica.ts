import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A real streaming replica for the read-replica tests: a primary cluster of the suite's own
 * (initdb, replication allowed — the machine's server is left alone) and a standby made from it
 * with pg_basebackup, each on a free port. PostgreSQL refuses to run as root, so as root both run
 * as the `postgres` user.
 */

const binaries = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  const found = versions
    .map((v) => join(root, v, 'bin'))
    .find((b) => existsSync(join(b, 'initdb')));
  return found;
})();

const asRoot = process.getuid?.() === 0;

function run(binary: string, args: string[]): string {
  if (!binaries)
    throw new Error(
      'the replica tests need PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup)',
    );
  const path = join(binaries, binary);
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', path, ...args]]
    : [path, args];
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(
      `${binary} failed: ${(result.stderr || result.stdout || '').trim().split('\n').slice(-3).join(' ')}`,
    );
  }
  return result.stdout;
}

function ownedFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  chmodSync(dir, 0o700);
  return dir;
}

export interface ReplicaPair {
  primaryUrl: string;
  replicaUrl: string;
  stop(): void;
}

/** Starts a primary and a streaming standby of it; `stop()` shuts both down and removes them. */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primaryDir = ownedFolder('aclue-primary-');
  const replicaDir = ownedFolder('aclue-replica-');
  const sockets = ownedFolder('aclue-sockets-');
  run('initdb', [
    '-D',
    primaryDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  writeFileSync(
    join(primaryDir, 'pg_hba.conf'),
    [
      'local all all trust',
      'host all all 127.0.0.1/32 trust',
      'host replication all 127.0.0.1/32 trust',
      '',
    ].join('\n'),
  );
  const options = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c fsync=off -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c max_connections=60`;
  run('pg_ctl', [
    '-D',
    primaryDir,
    '-o',
    options(primaryPort),
    '-l',
    join(primaryDir, 'log'),
    '-w',
    'start',
  ]);
  try {
    run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    run('pg_ctl', [
      '-D',
      replicaDir,
      '-o',
      options(replicaPort),
      '-l',
      join(replicaDir, 'log'),
      '-w',
      'start',
    ]);
  } catch (error) {
    run('pg_ctl', ['-D', primaryDir, '-m', 'immediate', 'stop']);
    throw error;
  }
  const stop = () => {
    for (const dir of [replicaDir, primaryDir]) {
      try {
        run('pg_ctl', ['-D', dir, '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(sockets, { recursive: true, force: true });
  };
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
    stop,
  };
}
