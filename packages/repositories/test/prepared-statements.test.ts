import { createDb, type Database, queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../src';
import { click, createWorld, startedSession, type World } from './world';

const preparedNames = (db: Database) =>
  queryRows<{ name: string }>(
    db,
    sql`SELECT name FROM pg_prepared_statements WHERE name LIKE 'aclue\\_%' ORDER BY name`,
  );

describe.runIf(testDrivers({ pooled: true }).includes('pg'))(
  'prepared statements on a direct connection',
  () => {
    let w: World;
    let prepared: Database;
    beforeAll(async () => {
      w = await createWorld('pg');
      // One connection, so the statements it prepared are visible to the check below.
      prepared = await createDb({ url: w.test.url, poolSize: 1, preparedStatements: true });
    });
    afterAll(async () => {
      await prepared?.$close();
      await w?.test.dispose();
    });

    it('answers the same as unnamed statements, and the connection keeps them prepared', async () => {
      const user = createRepositories(prepared).asUser(w.a.userId);
      const { id } = await user.affiliateClicks.recordClick(
        click(await startedSession(user), { productId: w.a.productId }),
      );
      const first = await user.affiliateClicks.findById(id);
      const again = await user.affiliateClicks.findById(id);
      const unnamed = await createRepositories(w.db)
        .asUser(w.a.userId)
        .affiliateClicks.findById(id);
      expect(again).toEqual(first);
      expect(first).toEqual(unnamed);
      expect((await preparedNames(prepared)).length).toBeGreaterThan(0);
    });

    it('names nothing unless asked (what a transaction-mode pooler needs)', async () => {
      const single = await createDb({ url: w.test.url, poolSize: 1 });
      try {
        const user = createRepositories(single).asUser(w.b.userId);
        await user.affiliateClicks.listMine();
        expect(await preparedNames(single)).toEqual([]);
      } finally {
        await single.$close();
      }
    });

    it('prepares afresh after a migration changes what a statement returns', async () => {
      const user = createRepositories(prepared).asUser(w.a.userId);
      const before = await user.affiliateClicks.listMine();
      await w.db.execute(
        sql`ALTER TABLE affiliate_clicks ALTER COLUMN source_page TYPE varchar(600)`,
      );
      // The connection's plan no longer fits: that call fails once, the next ones are re-prepared.
      await user.affiliateClicks.listMine().catch(() => undefined);
      const after = await user.affiliateClicks.listMine();
      expect(after.items.map((c) => c.id)).toEqual(before.items.map((c) => c.id));
    });
  },
);
