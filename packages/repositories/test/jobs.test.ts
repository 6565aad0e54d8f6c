import { queryRows, tables } from '@aclue/db';
import { createAuthUser } from '@aclue/db/samples';
import { products, swipeInteractions, swipeSessions } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFERENCE_ALGORITHM_VERSION } from '../src';
import { click, createWorld, startedSession, type World } from './world';

const directions = ['left', 'right', 'up', 'down'] as const;

describe.each(testDrivers({ pooled: true }))('jobs and privacy on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  async function userWithSwipes(swipes: readonly (typeof directions)[number][]): Promise<string> {
    const userId = await createAuthUser(w.db);
    const [session] = await w.db.insert(swipeSessions).values({ userId }).returning();
    if (swipes.length > 0) {
      await w.db.insert(swipeInteractions).values(
        swipes.map((swipeDirection) => ({
          userId,
          sessionId: session?.id ?? '',
          productId: w.a.productId,
          swipeDirection,
        })),
      );
    }
    return userId;
  }

  it('derives figures within every check for any swipes, including none or only one kind', async () => {
    const job = w.repos.asService().preferenceJob;
    const swipeLists = fc.oneof(
      fc.array(fc.constantFrom(...directions), { maxLength: 40 }),
      fc.array(fc.constant('up' as const), { minLength: 1, maxLength: 10 }),
      fc.array(fc.constant('left' as const), { minLength: 1, maxLength: 10 }),
      fc.constant([] as (typeof directions)[number][]),
    );
    await fc.assert(
      fc.asyncProperty(swipeLists, async (swipes) => {
        const userId = await userWithSwipes(swipes);
        const row = await job.calculatePreferences(userId);
        const right = swipes.filter((s) => s === 'right').length;
        const left = swipes.filter((s) => s === 'left').length;
        const up = swipes.filter((s) => s === 'up').length;
        const total = right + left + up;
        expect(row).toMatchObject({
          rightSwipes: right,
          leftSwipes: left,
          superLikes: up,
          totalSwipes: total,
          calculationVersion: PREFERENCE_ALGORITHM_VERSION,
        });
        expect(row?.engagementRate).toBeCloseTo(total === 0 ? 0 : (right + up) / total, 4);
        for (const score of Object.values(row?.categoryPreferences ?? {}))
          expect(score).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps a price range the user set and fills an empty one', async () => {
    const [priced] = await w.db
      .insert(products)
      .values({ title: 'Priced', priceMin: 20, priceMax: 40, brand: 'Acme', tags: ['cosy'] })
      .returning();
    const userId = await userWithSwipes([]);
    const [session] = await w.db.select().from(swipeSessions).where(sql`user_id = ${userId}`);
    await w.db.insert(swipeInteractions).values({
      userId,
      sessionId: session?.id ?? '',
      productId: priced?.id ?? '',
      swipeDirection: 'up',
    });
    const job = w.repos.asService().preferenceJob;
    const filled = await job.calculatePreferences(userId);
    expect(filled?.priceRange).toMatchObject({ min: 20, max: 20 });
    expect(filled?.brandScores).toEqual({ Acme: 1 });
    expect(filled?.styleScores).toEqual({ cosy: 1 });
    await w.repos.asUser(userId).preferences.updateMine({ priceRange: { max: 15 } });
    expect((await job.calculatePreferences(userId))?.priceRange).toEqual({ max: 15 });
  });

  it('recalculates exactly the users whose inputs changed, in resumable batches', async () => {
    const job = w.repos.asService().preferenceJob;
    await job.recalculateStale({ batchSize: 50 });
    const changed = [await userWithSwipes(['right']), await userWithSwipes(['left', 'up'])];
    const progress: number[] = [];
    const result = await job.recalculateStale({ batchSize: 1 }, (p) => progress.push(p.processed));
    expect(result.processed).toBe(2);
    expect(progress).toEqual([1, 2]);
    const rows = await queryRows<{ user_id: string }>(
      w.db,
      sql`SELECT user_id FROM user_preferences WHERE last_calculated IS NOT NULL AND user_id IN (${changed[0]}, ${changed[1]})`,
    );
    expect(rows).toHaveLength(2);
    expect((await job.recalculateStale()).processed).toBe(0);
  });

  it('links a visitor’s history to the account it created', async () => {
    const { proof } = await w.repos.issueAnonymousId();
    const visitor = await w.repos.fromAnonymousProof(proof);
    const sessionId = await startedSession(visitor);
    await visitor.affiliateClicks.recordClick(click(sessionId, { productId: w.a.productId }));
    await visitor.productViews.recordProductViews([{ productId: w.a.productId, sessionId }]);
    const userId = await createAuthUser(w.db);
    const linked = await w.repos.asService().privacy.linkAnonymousHistory({ userId, proof });
    expect(linked).toEqual({ affiliateClicks: 1, sessions: 1, productViews: 1 });
    const me = w.repos.asUser(userId);
    expect((await me.affiliateClicks.listMine()).items).toHaveLength(1);
    expect((await me.productViews.listMyRecentViews()).items).toHaveLength(1);
  });

  it('exports every row about a user and erases them leaving no trace of id, IP or anonymous id', async () => {
    const { anonymousId, proof } = await w.repos.issueAnonymousId();
    const ip = '203.0.113.77';
    const visitor = await w.repos.fromAnonymousProof(proof);
    const sessionId = await startedSession(visitor);
    await visitor.affiliateClicks.recordClick(
      click(sessionId, { productId: w.a.productId, ipAddress: ip, userAgent: 'Firefox' }),
    );
    const userId = w.a.userId;
    await w.repos.asService().privacy.linkAnonymousHistory({ userId, proof });
    const me = w.repos.asUser(userId);
    await me.affiliateClicks.recordClick(
      click(await startedSession(me), { productId: w.a.productId, ipAddress: ip }),
    );
    await me.preferences.updateMine({ likedBrands: ['Acme'] });
    await me.feedback.recordFeedback({
      recommendationId: w.a.recommendationId,
      productId: w.a.productId,
      feedbackType: 'explicit',
      feedbackAction: 'like',
      feedbackValue: 0.5,
      modelVersion: 'm',
    });

    const privacy = w.repos.asService().privacy;
    const exported = await privacy.exportUserData(userId);
    expect(exported.affiliateClicks).toHaveLength(2);
    expect(exported.preferences).toHaveLength(1);
    expect(exported.feedback).toHaveLength(1);
    expect(exported.account).toMatchObject({ id: userId });
    expect(() => JSON.stringify(exported)).not.toThrow();

    const report = await privacy.eraseUser(userId);
    expect(report.deleted).toMatchObject({ preferences: 1, feedback: 1, account: 1 });
    expect(report.anonymised.affiliateClicks).toBe(2);
    // Its own session and the linked visitor session.
    expect(report.anonymised.sessions).toBe(2);
    for (const table of [...tables.map((t) => `public.${getTableConfig(t).name}`), 'auth.users']) {
      const [hit] = await queryRows<{ n: string }>(
        w.db,
        sql`SELECT count(*) AS n FROM ${sql.raw(table)} t
        WHERE t::text LIKE ${`%${userId}%`} OR t::text LIKE ${`%${ip}%`} OR t::text LIKE ${`%${anonymousId}%`}`,
      );
      expect({ table, n: Number(hit?.n) }).toEqual({ table, n: 0 });
    }
  });
});
