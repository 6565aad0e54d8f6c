import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyOfMigrations,
  freshTarget,
  keepFirstMigrations,
  runCli,
  type Target,
  tempDir,
} from './run-cli';

const deploymentTables = [
  'affiliate_clicks',
  'user_preferences',
  'session_analytics',
  'product_views',
  'recommendation_feedback',
];

describe.each(testDrivers())('aclue-db rollback on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('refuses without --yes, and on a database not at the expected migration', () => {
    const unconfirmed = runCli(['rollback', '--export-dir', tempDir()], target.env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/rerun with --yes/);
    // Migration 0000 alone: the deployment tables do not exist yet, so this is no rollback.
    const folder = copyOfMigrations();
    keepFirstMigrations(folder, 2);
    expect(runCli(['migrate', '--migrations-dir', folder], target.env).code).toBe(0);
    const unmigrated = runCli(['rollback', '--yes', '--export-dir', tempDir()], target.env);
    expect(unmigrated.code).toBe(2);
    expect(unmigrated.stderr).toMatch(
      /refusing: the database is not at the expected migration \(0002_database_objects pending/,
    );
  });

  it('exports every row and drops the tables; push and restore bring every row back', async () => {
    expect(runCli(['migrate'], target.env).code).toBe(0);
    expect(runCli(['seed', '--users', '10', '--days', '7'], target.env).code).toBe(0);
    const before = await fingerprints(target);
    const dir = tempDir();
    const run = runCli(['rollback', '--yes', '--export-dir', dir, '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    // The five, and the audit trail whose foreign key points into them.
    expect(report.dropped).toEqual([...deploymentTables, 'conversion_corrections']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.tables).toEqual(report.exported);
    for (const table of report.dropped) {
      const lines = readFileSync(join(dir, `${table}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean);
      expect(lines).toHaveLength(report.exported[table]);
    }
    expect(report.exported.product_views).toBeGreaterThan(0);

    const second = runCli(['rollback', '--yes', '--export-dir', tempDir()], target.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already rolled back/);
    const verify = runCli(['verify'], target.env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/table affiliate_clicks: missing/);
    expect(verify.stdout).not.toMatch(/current transaction is aborted/);

    const early = runCli(['restore', '--from', dir], target.env);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(
      /^aclue-db: the tables affiliate_clicks, .* do not exist: run `aclue-db push` first/,
    );

    expect(runCli(['push'], target.env).code).toBe(0);
    const restore = runCli(['restore', '--from', dir, '--json'], target.env);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout).restored).toEqual(report.exported);
    expect(await fingerprints(target)).toEqual(before);
    expect(runCli(['verify'], target.env).code).toBe(0);

    // Restoring twice would duplicate: refused, nothing loaded.
    const again = runCli(['restore', '--from', dir], target.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/restore loads into empty tables only/);
    expect(await fingerprints(target)).toEqual(before);
  });
});

/** Every row of every rolled-back table, as one digest per table. */
async function fingerprints(target: Target) {
  const db = await target.open();
  try {
    const digests: Record<string, string> = {};
    for (const table of [...deploymentTables, 'conversion_corrections']) {
      const [row] = await queryRows<{ digest: string; n: number }>(
        db,
        sql`SELECT md5(coalesce(string_agg(to_jsonb(t)::text, '|' ORDER BY to_jsonb(t)::text), '')) AS digest,
            count(*)::int AS n FROM ${sql.identifier(table)} t`,
      );
      digests[table] = `${row?.n}:${row?.digest}`;
    }
    return digests;
  } finally {
    await db.$close();
  }
}
