/**
 * A PostgreSQL cluster built the way a hosted Supabase project starts, for tests: Supabase's own
 * init scripts and platform migrations (tooling/supabase-postgres, PostgreSQL License),
 * bootstrapped by `supabase_admin`, with `postgres` demoted to a non-superuser. Needs root and
 * Debian's postgresql-common (.ci/run's machine); anything else fails with one line saying so.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./supabase-postgres/build-cluster.sh', import.meta.url));

export interface SupabaseCluster {
  /** The `postgres` database, as the demoted `postgres` role. */
  url: string;
  /** Stops and removes the cluster. */
  dispose(): void;
}

/** Builds the cluster `name` on `port` (about 20 s); a cluster of that name is replaced. */
export function buildSupabaseCluster(port: number, name: string): SupabaseCluster {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the Supabase cluster tests build a PostgreSQL cluster with pg_createcluster: run them as root (.ci/run does)',
    );
  }
  const out = execFileSync('bash', [script, String(port), name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const version = readdirSync('/etc/postgresql')
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  return {
    url: out.trim().split('\n').at(-1) as string,
    dispose: () =>
      execFileSync('pg_dropcluster', ['--stop', version as string, name], { stdio: 'ignore' }),
  };
}
