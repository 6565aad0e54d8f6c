import { createDb, queryRows } from '@aclue/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSupabaseCluster, type SupabaseCluster } from '../../../tooling/supabase-cluster';
import { runCli } from './run-cli';

/**
 * The CLI on a cluster initialised by Supabase's own SQL (tooling/supabase-cluster.ts), run as
 * the demoted `postgres`, as a team on a hosted project runs it.
 */
describe('on a cluster initialised by Supabase’s own SQL, as the demoted postgres', () => {
  let cluster: SupabaseCluster;
  let url: string;
  beforeAll(() => {
    cluster = buildSupabaseCluster(5436, 'aclue_cli_supabase');
    url = cluster.url;
  }, 180_000);
  afterAll(() => cluster?.dispose());

  it('postgres is not a superuser there, as on a hosted project', async () => {
    const db = await createDb({ url });
    try {
      const [postgres] = await queryRows<{ rolsuper: boolean }>(
        db,
        sql`SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'`,
      );
      expect(postgres?.rolsuper).toBe(false);
    } finally {
      await db.$close();
    }
  });

  it('migrates, verifies with 0 failed (the platform’s objects as notes), drifts nowhere, pushes again', async () => {
    const env = { DATABASE_URL: url };
    const migrated = await runCli(['migrate'], env);
    expect(migrated.stderr + migrated.stdout).toMatch(/applied \d+ migrations/);
    expect(migrated.code).toBe(0);
    const verified = await runCli(['verify'], env);
    expect(verified.stdout).toMatch(/\d+ checks, 0 failed/);
    expect(verified.stdout).toMatch(
      /ℹ \[privileges\] privileges of .* on storage\.buckets: the platform's: owned and granted by supabase_storage_admin/,
    );
    expect(verified.code).toBe(0);
    const drift = await runCli(['drift'], env);
    expect(drift.stdout).toContain('✔ committed migrations = live database');
    expect(drift.code).toBe(0);
    const pushed = await runCli(['push'], env);
    expect(pushed.stdout).toMatch(/verified: \d+ checks, 0 failed/);
    expect(pushed.code).toBe(0);
  });
});
