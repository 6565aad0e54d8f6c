import { randomUUID } from 'node:crypto';
import { createAuthUser } from '@aclue/db/samples';
import { products, recommendationFeedback } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError, NotFoundError, ValidationError } from '../src';
import { createWorld, startedSession, visitorId, type World } from './world';

const feedback = (
  recommendationId: string,
  productId: string,
  extra: Record<string, unknown> = {},
) => ({
  recommendationId,
  productId,
  feedbackType: 'explicit' as const,
  feedbackAction: 'love' as const,
  feedbackValue: 1,
  modelVersion: 'rec-2026.11',
  ...extra,
});

describe.each(testDrivers({ pooled: true }))('user-owned repositories on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  it('lets a user set and read its hand-set preferences, and nobody else read them', async () => {
    const userId = await createAuthUser(w.db);
    const me = w.repos.asUser(userId);
    await expect(me.preferences.getMine()).rejects.toBeInstanceOf(NotFoundError);
    const created = await me.preferences.updateMine({
      likedBrands: ['Acme'],
      priceSensitivity: 0.3,
    });
    expect(created).toMatchObject({ likedBrands: ['Acme'], priceSensitivity: 0.3, totalSwipes: 0 });
    const updated = await me.preferences.updateMine({
      dislikedBrands: ['Bolt'],
      priceRange: { max: 50 },
    });
    expect(updated).toMatchObject({
      likedBrands: ['Acme'],
      dislikedBrands: ['Bolt'],
      priceRange: { max: 50 },
    });
    expect((await me.preferences.getMine()).dislikedBrands).toEqual(['Bolt']);
    await expect(w.repos.asUser(w.b.userId).preferences.getMine()).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(w.repos.asAnon().preferences.getMine()).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('refuses computed preference columns, naming them', async () => {
    const error = await w.repos
      .asUser(w.a.userId)
      .preferences.updateMine({ rightSwipes: 10, dataQualityScore: 1 } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/rightSwipes|dataQualityScore/);
  });

  it('rejects an out-of-range hand-set value with the rule', async () => {
    const error = await w.repos
      .asUser(w.a.userId)
      .preferences.updateMine({ priceSensitivity: 2 })
      .catch((e: unknown) => e);
    expect((error as ValidationError).issues).toEqual([
      { field: 'priceSensitivity', message: 'price_sensitivity must be between 0 and 1' },
    ]);
  });

  it('takes feedback only on the caller’s own recommendation and never its training columns', async () => {
    const a = w.repos.asUser(w.a.userId);
    const { id } = await a.feedback.recordFeedback(feedback(w.a.recommendationId, w.a.productId));
    expect((await a.feedback.listMine()).items.map((f) => f.id)).toContain(id);
    expect(
      (await w.repos.asUser(w.b.userId).feedback.listMine()).items.map((f) => f.id),
    ).not.toContain(id);
    await expect(
      a.feedback.recordFeedback(feedback(w.b.recommendationId, w.b.productId)),
    ).rejects.toBeInstanceOf(NotFoundError);
    // Its own recommendation, but another product: refused the same way.
    await expect(
      a.feedback.recordFeedback(feedback(w.a.recommendationId, w.b.productId)),
    ).rejects.toBeInstanceOf(NotFoundError);
    const [stored] = await w.db
      .select()
      .from(recommendationFeedback)
      .where(eq(recommendationFeedback.id, id));
    expect(stored?.isValidated).toBe(false);
    const training = await a.feedback
      .recordFeedback(
        feedback(w.a.recommendationId, w.a.productId, {
          trainingWeight: 9,
          isProcessed: true,
        }) as never,
      )
      .catch((e: unknown) => e);
    expect(training).toBeInstanceOf(ValidationError);
    expect((training as ValidationError).issues.map((i) => i.field).sort()).toEqual([
      'isProcessed',
      'trainingWeight',
    ]);
  });

  it('hands each unprocessed feedback row to exactly one of two concurrent workers', async () => {
    const user = w.repos.asUser(w.a.userId);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      ids.push(
        (await user.feedback.recordFeedback(feedback(w.a.recommendationId, w.a.productId))).id,
      );
    const feed = w.repos.asService().trainingFeed;
    // Unvalidated feedback trains nothing; moderation approves it.
    expect((await feed.claimBatch({ limit: 1000 })).map((r) => r.id)).not.toContain(ids[0]);
    expect(await feed.approve(ids)).toBe(40);
    const claimed: string[][] = [[], []];
    // Each worker holds its batch while the other claims: overlapping transactions.
    await Promise.all(
      [0, 1].map((worker) =>
        feed.processBatch({ limit: 25 }, async (rows) => {
          claimed[worker]?.push(...rows.map((r) => r.id));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }),
      ),
    );
    const [first = [], second = []] = claimed;
    expect(first.filter((id) => second.includes(id))).toEqual([]);
    const rest = await feed.claimBatch({ limit: 1000 });
    const all = [...first, ...second, ...rest.map((r) => r.id)];
    expect(ids.every((id) => all.includes(id))).toBe(true);
    const processed = await w.db
      .select()
      .from(recommendationFeedback)
      .where(inArray(recommendationFeedback.id, ids));
    expect(processed.every((r) => r.isProcessed && r.processingTimestamp)).toBe(true);
  });

  it('releases a batch whose processing failed, for the next worker', async () => {
    const { id } = await w.repos
      .asUser(w.a.userId)
      .feedback.recordFeedback(feedback(w.a.recommendationId, w.a.productId));
    const feed = w.repos.asService().trainingFeed;
    await feed.approve([id]);
    await expect(
      feed.processBatch({ limit: 10 }, async () => {
        throw new Error('trainer down');
      }),
    ).rejects.toThrow('trainer down');
    expect((await feed.claimBatch()).map((r) => r.id)).toContain(id);
  });

  it('records swipes in the user’s own sessions only', async () => {
    const a = w.repos.asUser(w.a.userId);
    const { id: sessionId } = await a.swipes.startSwipeSession({
      occasion: 'birthday',
      budgetMax: 50,
    });
    await a.swipes.recordSwipe({ sessionId, productId: w.a.productId, swipeDirection: 'up' });
    expect((await a.swipes.completeSwipeSession(sessionId)).isCompleted).toBe(true);
    await expect(
      w.repos.asUser(w.b.userId).swipes.completeSwipeSession(sessionId),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      w.repos.asUser(w.b.userId).swipes.recordSwipe({
        sessionId: randomUUID(),
        productId: w.a.productId,
        swipeDirection: 'left',
      }),
    ).rejects.toThrow();
  });

  it('finds products by similar title and hides inactive ones from visitors', async () => {
    const service = w.repos.asService();
    const [lamp, hidden] = await w.db
      .insert(products)
      .values([{ title: 'Brass desk lamp' }, { title: 'Brass floor lamp', isActive: false }])
      .returning();
    const found = await w.repos.asAnon().products.search({ query: 'brass lamp' });
    expect(found.map((p) => p.id)).toContain(lamp?.id);
    expect(found.map((p) => p.id)).not.toContain(hidden?.id);
    await expect(w.repos.asAnon().products.findById(hidden?.id ?? '')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await service.products.findById(hidden?.id ?? '')).isActive).toBe(false);
    expect((await w.repos.asAnon().categories.list()).map((c) => c.slug)).toContain('electronics');
  });

  it('pages through a category, and lets only the service role write recommendations', async () => {
    const categoryId = w.a.categoryId;
    const made = await w.db
      .insert(products)
      .values(Array.from({ length: 5 }, (_, i) => ({ title: `Item ${i}`, categoryId })))
      .returning();
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await w.repos
        .asAnon()
        .products.listInCategory({ categoryId, limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.items.map((p) => p.id));
      after = page.next;
    } while (after);
    expect(made.every((p) => seen.includes(p.id))).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);

    const [rec] = await w.repos
      .asService()
      .recommendations.createRecommendations([
        { userId: w.a.userId, productId: w.a.productId, confidenceScore: 0.8, rankPosition: 1 },
      ]);
    expect(
      (await w.repos.asUser(w.a.userId).recommendations.listMine()).items.map((r) => r.id),
    ).toContain(rec?.id);
    expect(
      (await w.repos.asUser(w.b.userId).recommendations.listMine()).items.map((r) => r.id),
    ).not.toContain(rec?.id);
    await expect(
      w.repos
        .asUser(w.a.userId)
        .recommendations.createRecommendations([
          { userId: w.a.userId, productId: w.a.productId, confidenceScore: 0.9 },
        ]),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    const invalid = await w.repos
      .asService()
      .recommendations.createRecommendations([
        { userId: w.a.userId, productId: w.a.productId, confidenceScore: 1.5 },
      ])
      .catch((e: unknown) => e);
    expect((invalid as ValidationError).issues).toEqual([
      { row: 0, field: 'confidenceScore', message: 'confidence_score must be between 0 and 1' },
    ]);
  });

  it("never shows user B user A's or an anonymous visitor's session", async () => {
    const mine = await startedSession(w.repos.asUser(w.a.userId));
    const anonymous = await startedSession(w.repos.asAnon({ anonymousId: visitorId() }));
    const userB = w.repos.asUser(w.b.userId);
    await expect(userB.sessions.findBySessionId(mine)).rejects.toBeInstanceOf(NotFoundError);
    await expect(userB.sessions.findBySessionId(anonymous)).rejects.toBeInstanceOf(NotFoundError);
    await expect(userB.sessions.endSession({ sessionId: anonymous })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await w.repos.asUser(w.a.userId).sessions.findBySessionId(mine)).userId).toBe(
      w.a.userId,
    );
  });
});
