import { createDb, type Database, migrate, queryRows } from '@aclue/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSupabaseCluster, type SupabaseCluster } from '../../../tooling/supabase-cluster';
import { createRepositories, NotFoundError } from '../src';
import { click, startedSession, testAuth, visitorId } from './world';

/**
 * The repositories on a cluster initialised by Supabase's own SQL (tooling/supabase-cluster.ts),
 * connected as the demoted `postgres`: the roles, `auth` functions and grants are the platform's,
 * not this project's imitation of them.
 */
describe('repositories on a cluster initialised by Supabase’s own SQL', () => {
  let cluster: SupabaseCluster;
  let db: Database;
  let productId: string;
  beforeAll(async () => {
    cluster = buildSupabaseCluster(5437, 'aclue_repositories_supabase');
    db = await createDb({ url: cluster.url });
    await migrate(db);
    const [row] = await queryRows<{ id: string }>(
      db,
      sql`INSERT INTO products (title, affiliate_network, affiliate_url, price_min, commission_rate)
          VALUES ('Lamp', 'shopnet', 'https://shop.test/p/1', 40, 0.05) RETURNING id`,
    );
    productId = row?.id as string;
  }, 180_000);
  afterAll(async () => {
    await db?.$close();
    cluster?.dispose();
  });

  it("records a visitor's session, view and click, deriving the click's revenue fields", async () => {
    const repos = createRepositories(db, { auth: testAuth });
    const visitor = repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(visitor);
    await visitor.productViews.recordProductViews([{ productId, sessionId }]);
    const { id } = await visitor.affiliateClicks.recordClick(click(sessionId, { productId }));
    const [stored] = await queryRows<{ network: string; expected: string }>(
      db,
      sql`SELECT affiliate_network AS network, expected_commission::text AS expected
          FROM affiliate_clicks WHERE id = ${id}`,
    );
    expect(stored).toEqual({ network: 'shopnet', expected: '2.00' });
  });

  it("keeps one visitor out of another's session", async () => {
    const repos = createRepositories(db, { auth: testAuth });
    const owner = repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(owner);
    const stranger = repos.asAnon({ anonymousId: visitorId() });
    await expect(
      stranger.affiliateClicks.recordClick(click(sessionId, { productId })),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(stranger.sessions.findBySessionId(sessionId)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await owner.sessions.findBySessionId(sessionId)).sessionId).toBe(sessionId);
  });
});
