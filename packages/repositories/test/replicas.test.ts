import { createDb, type Database, migrate, queryRows, replicationLag } from '@aclue/db';
import { createAuthUser, createParents, type Parents } from '@aclue/db/samples';
import { categories } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplicaPair, startReplicaPair } from '../../../tooling/replica';
import { createRepositories } from '../src';

const inRecovery = (db: Pick<Database, 'execute'>) =>
  queryRows<{ standby: boolean }>(db, sql`SELECT pg_is_in_recovery() AS standby`).then(
    ([row]) => row?.standby,
  );

/** Waits until the standby has replayed everything the primary wrote. */
async function caughtUp(db: Database) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [lag] = await replicationLag(db);
    if (lag?.bytesBehind === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the replica did not catch up in 5 s');
}

/**
 * Read replicas against a real streaming standby (pg_basebackup of a primary this suite starts):
 * analytics read the replica, writes and a caller's own reads go to the primary — also while the
 * replica lags behind.
 */
describe.runIf(testDrivers().includes('pg'))('read replicas', () => {
  let pair: ReplicaPair;
  let db: Database;
  let parents: Parents;
  beforeAll(async () => {
    pair = await startReplicaPair();
    const primary = await createDb({ url: pair.primaryUrl, poolSize: 1 });
    await migrate(primary);
    parents = await createParents(primary);
    await primary.$close();
    db = await createDb({ url: pair.primaryUrl, replicas: [pair.replicaUrl], poolSize: 4 });
    await caughtUp(db);
  }, 120_000);
  afterAll(async () => {
    await db?.$close();
    pair?.stop();
  });

  it('sends top-level selects and $reader() to the replica, everything else to the primary', async () => {
    expect(await inRecovery(db)).toBe(false);
    expect(await inRecovery(db.$reader())).toBe(true);
    const [row] = await db
      .select({ standby: sql<boolean>`pg_is_in_recovery()` })
      .from(categories)
      .limit(1);
    expect(row?.standby).toBe(true);
    expect(await db.transaction((tx) => inRecovery(tx))).toBe(false);
    // The replica refuses writes outright.
    const refused = await db
      .$reader()
      .execute(sql`INSERT INTO categories (name, slug) VALUES ('x', 'x')`)
      .catch((e: unknown) => e);
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('25006');
  });

  it('reads analytics from the replica and a caller’s own writes from the primary, while it lags', async () => {
    const repos = createRepositories(db);
    const userId = await createAuthUser(db);
    const me = repos.asUser(userId);
    const period = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
    const views = async () =>
      (await repos.asService().analytics.productPopularity(period)).find(
        (p) => p.product_id === parents.productId,
      )?.views ?? 0;
    const session = await me.sessions.startSession({ landingPage: '/' });
    await me.productViews.recordProductViews([
      { productId: parents.productId, sessionId: session.sessionId },
    ]);
    await caughtUp(db);
    expect(await views()).toBe(1);

    // The standby stops replaying: it falls behind while the primary takes writes.
    const replica = await createDb({ url: pair.replicaUrl, poolSize: 1 });
    try {
      await replica.execute(sql`SELECT pg_wal_replay_pause()`);
      await me.productViews.recordProductViews([
        { productId: parents.productId, sessionId: session.sessionId },
        { productId: parents.productId, sessionId: session.sessionId },
      ]);
      const [lag] = await replicationLag(db);
      expect(lag?.bytesBehind).toBeGreaterThan(0);
      expect(lag?.replayPaused).toBe(true);
      // Analytics are eventually consistent; the caller reads its own writes at once.
      expect(await views()).toBe(1);
      const mine = await me.productViews.listMyRecentViews({ limit: 10 });
      expect(mine.items).toHaveLength(3);

      await replica.execute(sql`SELECT pg_wal_replay_resume()`);
      await caughtUp(db);
      expect(await views()).toBe(3);
    } finally {
      await replica.execute(sql`SELECT pg_wal_replay_resume()`).catch(() => {});
      await replica.$close();
    }
  });

  it('refuses replicas for the embedded database, and a replica that is not a standby', async () => {
    await expect(createDb({ memory: true, replicas: [pair.replicaUrl] })).rejects.toThrow(
      /replicas need a PostgreSQL server/,
    );
    await expect(
      createDb({ url: pair.primaryUrl, replicas: [pair.primaryUrl], poolSize: 1 }),
    ).rejects.toThrow(/is not a standby/);
    const other = await startReplicaPair();
    try {
      await expect(
        createDb({ url: pair.primaryUrl, replicas: [other.replicaUrl], poolSize: 1 }),
      ).rejects.toThrow(/is a standby of another cluster/);
    } finally {
      other.stop();
    }
  });

  it('says a promoted replica is no longer a standby instead of failing', async () => {
    const replica = await createDb({ url: pair.replicaUrl, poolSize: 1 });
    try {
      await replica.execute(sql`SELECT pg_promote(true, 30)`);
    } finally {
      await replica.$close();
    }
    const [lag] = await replicationLag(db);
    expect(lag).toMatchObject({ standby: false, replayPaused: false });
  });
});
