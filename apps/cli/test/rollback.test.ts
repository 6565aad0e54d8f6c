import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDrivers } from '@aclue/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target, tempDir } from './run-cli';

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
    const unmigrated = runCli(['rollback', '--yes', '--export-dir', tempDir()], target.env);
    expect(unmigrated.code).toBe(2);
    expect(unmigrated.stderr).toMatch(
      /refusing: the database is not at the expected migration \(0000_supabase_compat pending/,
    );
  });

  it('exports every row, drops the five tables, and push brings them back', () => {
    expect(runCli(['migrate'], target.env).code).toBe(0);
    expect(runCli(['seed', '--users', '10', '--days', '7'], target.env).code).toBe(0);
    const dir = tempDir();
    const run = runCli(['rollback', '--yes', '--export-dir', dir, '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    // The five, and the audit trail whose foreign key points into them.
    expect(report.dropped).toEqual([...deploymentTables, 'conversion_corrections']);
    for (const table of report.dropped) {
      const file = join(dir, `${table}.jsonl`);
      expect(existsSync(file)).toBe(true);
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(report.exported[table]);
    }
    expect(report.exported.product_views).toBeGreaterThan(0);
    const verify = runCli(['verify'], target.env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/table affiliate_clicks: missing/);
    expect(runCli(['push'], target.env).code).toBe(0);
    expect(runCli(['verify'], target.env).code).toBe(0);
  });
});
