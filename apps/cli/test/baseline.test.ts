import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

/** Rows of the migration history, read in this process (closed before the CLI runs again). */
async function recorded(target: Target): Promise<number> {
  const db = await target.open();
  try {
    const { rows } = (await db.execute(
      sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
    )) as unknown as { rows: { n: number }[] };
    return rows[0]?.n ?? 0;
  } catch {
    return 0;
  } finally {
    await db.$close();
  }
}

describe.each(testDrivers())('push, then baseline, then migrate on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
    expect((await runCli(['push'], target.env)).code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('status and migrate name baseline on a pushed database, and apply nothing (exit 1)', async () => {
    const status = await runCli(['status'], target.env);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/no migration recorded .* run aclue-db baseline/);
    const migrated = await runCli(['migrate'], target.env);
    expect(migrated.code).toBe(1);
    expect(migrated.stderr).toMatch(/run aclue-db baseline.*nothing was applied/);
    expect(await recorded(target)).toBe(0);
  });

  it('baseline refuses a database that differs from the migrations, naming the difference', async () => {
    const rename = async (from: string, to: string) => {
      const db = await target.open();
      await db.execute(sql.raw(`ALTER INDEX ${from} RENAME TO ${to}`));
      await db.$close();
    };
    await rename('idx_affiliate_clicks_session_id', 'renamed_by_hand');
    const refused = await runCli(['baseline'], target.env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/differs from the migrations .* no migration was recorded/);
    expect(refused.stdout).toMatch(/idx_affiliate_clicks_session_id: missing/);
    expect(await recorded(target)).toBe(0);
    await rename('renamed_by_hand', 'idx_affiliate_clicks_session_id');
  });

  it('records every migration once the schema is proved equal; then status and migrate agree', async () => {
    const run = await runCli(['baseline'], target.env);
    expect(run.stdout).toMatch(
      /proved equal to the migrations: \d+ tables[\s\S]*recorded \d+ migrations as applied/,
    );
    expect(run.code).toBe(0);
    const status = await runCli(['status', '--json'], target.env);
    expect(status.code).toBe(0);
    const states = JSON.parse(status.stdout).migrations as { state: string }[];
    expect(states.every((s) => s.state === 'applied')).toBe(true);
    // baseline ran verify's structural checks itself; migrate finds nothing to do.
    expect((await runCli(['migrate'], target.env)).stdout).toMatch(/up to date/);
    // A second baseline has nothing to do.
    const again = await runCli(['baseline'], target.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/nothing to baseline/);
  });
});
