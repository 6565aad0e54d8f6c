import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, queryRows, readMigrations } from '../src';
import { createEmptyServerDatabase, testDrivers } from '../src/testing';

// Only a server has several connections that can race; the embedded database has one.
describe.runIf(testDrivers().includes('pg'))('concurrent migrate on pg', () => {
  let server: Awaited<ReturnType<typeof createEmptyServerDatabase>>;
  beforeAll(async () => {
    server = await createEmptyServerDatabase();
  });
  afterAll(() => server?.drop());

  it('lets two processes migrate at once and applies each migration exactly once', async () => {
    const [a, b] = await Promise.all([
      createDb({ url: server.url }),
      createDb({ url: server.url }),
    ]);
    try {
      const results = await Promise.all([migrate(a), migrate(b)]);
      const applied = results.map((r) => r.pending.length).sort();
      expect(applied).toEqual([0, readMigrations().length]);
      const rows = await queryRows<{ hash: string; n: string }>(
        a,
        sql`SELECT hash, count(*) AS n FROM drizzle.__drizzle_migrations GROUP BY hash`,
      );
      expect(rows).toHaveLength(readMigrations().length);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await Promise.all([a.$close(), b.$close()]);
    }
  });
});
