import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, queryRows } from '@aclue/db';
import { createParents } from '@aclue/db/samples';
import { createTestDatabase, type TestDatabase, testDrivers } from '@aclue/db/testing';
import { PGlite } from '@electric-sql/pglite';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src';

/**
 * `verify --data`: the stored rows, not just the schema. Damage is done the ways a broken writer
 * or a restore gone wrong would leave it: rows past disabled foreign key triggers, a constraint
 * added NOT VALID over rows that break it.
 */
describe.each(testDrivers())('verify with data checks on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    await createParents(test.db);
  });
  afterAll(() => test?.dispose());

  const dataChecks = async () =>
    (await verify(test.db, { data: true, probes: false })).results.filter(
      (r) => r.category === 'data',
    );

  it('checks every B-tree index with amcheck and re-validates every key and check', async () => {
    const checks = await dataChecks();
    const failed = checks.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    expect(checks.filter((c) => c.name.includes('(amcheck)')).length).toBeGreaterThan(20);
    expect(checks.filter((c) => c.name.startsWith("every row's")).length).toBeGreaterThan(5);
    expect(checks.filter((c) => c.name.startsWith('every row satisfies')).length).toBeGreaterThan(
      20,
    );
    // Nothing is left behind: amcheck was created inside the rolled-back transaction.
    const [amcheck] = await queryRows<{ n: number }>(
      test.db,
      sql`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'amcheck'`,
    );
    expect(amcheck?.n).toBe(0);
  });

  it('finds rows whose parents are gone, and rows that break a check', async () => {
    await test.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(
        sql`INSERT INTO product_views (product_id, session_id) VALUES (gen_random_uuid(), 'no-such-session')`,
      );
    });
    await test.db.execute(sql`ALTER TABLE products DROP CONSTRAINT products_rating_check`);
    await test.db.execute(
      sql`UPDATE products SET rating = 9.5 WHERE id = (SELECT id FROM products LIMIT 1)`,
    );
    await test.db.execute(
      sql`ALTER TABLE products ADD CONSTRAINT products_rating_check CHECK (rating >= 0 AND rating <= 5) NOT VALID`,
    );
    const failed = (await dataChecks()).filter((c) => !c.ok);
    expect(failed.map((c) => [c.table, c.name, c.detail])).toEqual(
      expect.arrayContaining([
        [
          'product_views',
          expect.stringMatching(/^every row's product_id exists in public\.products/),
          '1 row(s) break it',
        ],
        ['products', 'every row satisfies products_rating_check', '1 row(s) break it'],
      ]),
    );
    // The verification report carries no row values.
    expect(JSON.stringify(failed)).not.toContain('no-such-session');
  });
});

describe('verify with data checks on an embedded folder two processes wrote at once', () => {
  it('names the indexes that no longer agree with their table', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'aclue-corrupt-')), 'db');
    const db = await createDb({ dataDir });
    await migrate(db);
    await db.$close();
    // What the lock now prevents: two engines on one folder, each writing as if alone.
    const open = () => PGlite.create(dataDir, { extensions: { pg_trgm, amcheck } });
    const [first, second] = [await open(), await open()];
    for (let round = 0; round < 100; round++) {
      for (const [writer, tag] of [
        [first, 'a'],
        [second, 'b'],
      ] as const) {
        await writer.query(
          `INSERT INTO categories (name, slug) SELECT 'c' || g, '${tag}${round}-' || g FROM generate_series(1, 40) g`,
        );
      }
    }
    await first.close();
    await second.close();

    const reopened = await createDb({ dataDir });
    try {
      const report = await verify(reopened, { data: true, probes: false, tables: ['categories'] });
      const broken = report.results.filter((r) => r.category === 'data' && !r.ok);
      expect(broken.map((r) => r.name)).toContain(
        'index categories_pkey agrees with its table (amcheck)',
      );
      expect(broken[0]?.detail).toMatch(/lacks matching index tuple|could not|mismatch|corrupt/i);
    } finally {
      await reopened.$close();
    }
  });
});
