import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDb, DatabaseLockedError, queryRows } from '@aclue/db';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempDir } from './run-cli';

/**
 * The embedded database is single-writer: PGlite in two processes on one folder corrupts it
 * silently. Every command and every createDb() holds the folder's lock while it is open.
 */
describe('the embedded database lock', () => {
  it('refuses a second seed with one line naming the holder, and leaves the data intact', async () => {
    const env = { ACLUE_DATA_DIR: join(tempDir(), 'db') };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const [first, second] = await Promise.all([
      spawnCli(['seed', '--users', '40', '--days', '7', '--seed', '1'], env),
      spawnCli(['seed', '--users', '40', '--days', '7', '--seed', '2'], env),
    ]);
    const outcomes = [first, second].map((r) => r.code).sort();
    expect(outcomes).toEqual([0, 2]);
    const refused = [first, second].find((r) => r.code === 2);
    expect(refused?.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused?.stderr).toMatch(
      /^aclue-db: the embedded database .* is in use by pid \d+ \(aclue-db seed, since .*\); wait for it to finish, or pass --wait <seconds>/,
    );
    // amcheck on every index, every key and check re-validated.
    expect((await runCli(['verify', '--data'], env)).code).toBe(0);
    // Scans and index lookups agree, and every view's product exists.
    const db = await createDb({ dataDir: env.ACLUE_DATA_DIR });
    try {
      const [counts] = await queryRows<{ scanned: number; orphans: number }>(
        db,
        sql`SELECT (SELECT count(*)::int FROM product_views) AS scanned,
              (SELECT count(*)::int FROM product_views v
                WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = v.product_id)) AS orphans`,
      );
      await db.execute(sql`SET enable_seqscan = off`);
      const [indexed] = await queryRows<{ n: number }>(
        db,
        sql`SELECT count(*)::int AS n FROM product_views WHERE product_id IS NOT NULL`,
      );
      expect(counts?.orphans).toBe(0);
      expect(indexed?.n).toBe(counts?.scanned);
    } finally {
      await db.$close();
    }
  });

  it('lets two migrations queue with --wait, and both succeed', async () => {
    const env = { ACLUE_DATA_DIR: join(tempDir(), 'db') };
    const runs = await Promise.all([
      spawnCli(['migrate', '--wait', '120'], env),
      spawnCli(['migrate', '--wait', '120'], env),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    // Only the one that got the folder first created the database, and said so.
    expect(runs.map((r) => r.stderr.trim()).sort()).toEqual([
      '',
      `aclue-db: creating a new embedded database at ${env.ACLUE_DATA_DIR}`,
    ]);
    const status = await runCli(['status', '--json'], env);
    const { migrations } = JSON.parse(status.stdout) as { migrations: { state: string }[] };
    expect(migrations.every((m) => m.state === 'applied')).toBe(true);
  });

  it('refuses a second createDb() in another holder, and takes over a lock its holder left behind', async () => {
    const dataDir = join(tempDir(), 'db');
    const db = await createDb({ dataDir });
    await expect(createDb({ dataDir })).rejects.toBeInstanceOf(DatabaseLockedError);
    await db.$close();
    await db.$close(); // closing twice is harmless
    // A holder that died (pid 2^22 + 1 exceeds Linux's pid_max default) left its lock.
    mkdirSync(`${dataDir}.lock`, { recursive: true });
    writeFileSync(
      join(`${dataDir}.lock`, 'holder.json'),
      JSON.stringify({
        pid: 4_194_305,
        host: (await import('node:os')).hostname(),
        command: 'x',
        since: '',
      }),
    );
    const again = await createDb({ dataDir });
    await again.$close();
  });

  it('refuses a non-numeric --wait', async () => {
    const run = await runCli(['status', '--wait', '1e3'], {
      ACLUE_DATA_DIR: join(tempDir(), 'db'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--wait takes a whole number of seconds/);
  });
});
