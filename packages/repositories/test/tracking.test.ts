import { randomUUID } from 'node:crypto';
import { queryRows } from '@aclue/db';
import { affiliateClicks, productViews, sessionAnalytics } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  ConstraintViolationError,
  NotFoundError,
  ValidationError,
} from '../src';
import { click, createWorld, startedSession, uniqueSession, visitorId, type World } from './world';

describe.each(testDrivers({ pooled: true }))('tracking repositories on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  const clickOfA = async () => {
    const userA = w.repos.asUser(w.a.userId);
    return userA.affiliateClicks.recordClick(
      click(await startedSession(userA), { productId: w.a.productId }),
    );
  };

  it("records an anonymous visitor's session and click, counting the click on the session", async () => {
    const anonymousId = visitorId();
    const visitor = w.repos.asAnon({ anonymousId });
    const sessionId = await startedSession(visitor);
    const { id, sessionCounted } = await visitor.affiliateClicks.recordClick(
      click(sessionId, { productId: w.a.productId }),
    );
    expect(sessionCounted).toBe(true);
    const service = w.repos.asService();
    const [stored] = await w.db.select().from(affiliateClicks).where(eq(affiliateClicks.id, id));
    // Where the click goes and what it should earn are the product's, taken by the database.
    expect(stored).toMatchObject({
      userId: null,
      anonymousId,
      sessionId,
      affiliateNetwork: 'amazon',
      affiliateUrl: 'https://example.test/p/1',
      commissionRate: 0.05,
      expectedCommission: 2.5,
    });
    // The visitor reads its click back without them.
    const mine = await visitor.affiliateClicks.findById(id);
    expect(Object.keys(mine)).not.toContain('expectedCommission');
    expect(Object.keys(mine)).not.toContain('orderId');
    expect((await service.sessions.findBySessionId(sessionId)).affiliateClicks).toBe(1);
  });

  it('marks the views that led to a click, and only those: same session, product and viewer', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const [here, elsewhere] = [await startedSession(visitor), await startedSession(visitor)];
    await visitor.productViews.recordProductViews([
      { productId: w.a.productId, sessionId: here, viewPosition: 1 },
      { productId: w.b.productId, sessionId: here, viewPosition: 2 },
      { productId: w.a.productId, sessionId: elsewhere, viewPosition: 1 },
    ]);
    const clicked = await visitor.affiliateClicks.recordClick(
      click(here, { productId: w.a.productId }),
    );
    expect(clicked.viewsMarked).toBe(1);
    const marked = await queryRows<{ session_id: string; product_id: string }>(
      w.db,
      sql`SELECT session_id, product_id::text FROM product_views
          WHERE session_id IN (${here}, ${elsewhere}) AND has_clicked_affiliate`,
    );
    expect(marked).toEqual([{ session_id: here, product_id: w.a.productId }]);
    // A second click on the same product marks nothing new.
    const again = await visitor.affiliateClicks.recordClick(
      click(here, { productId: w.a.productId }),
    );
    expect(again.viewsMarked).toBe(0);
  });

  it('lets an anonymous visitor read back only its own clicks, and never claim a user id', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const { id } = await visitor.affiliateClicks.recordClick(
      click(await startedSession(visitor), { productId: w.a.productId }),
    );
    expect((await visitor.affiliateClicks.listMine()).items.map((c) => c.id)).toEqual([id]);
    const stranger = w.repos.asAnon({ anonymousId: visitorId() });
    expect((await stranger.affiliateClicks.listMine()).items).toEqual([]);
    await expect(
      w.repos.asAnon().affiliateClicks.recordClick(click('s', { productId: w.a.productId })),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    const error = await visitor.affiliateClicks
      .recordClick({
        ...click(uniqueSession(), { productId: w.a.productId }),
        userId: w.a.userId,
      } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.field).toBe('userId');
  });

  it("keeps user A's and anonymous clicks from user B, as not found", async () => {
    const userA = w.repos.asUser(w.a.userId);
    const a = await userA.affiliateClicks.recordClick(
      click(await startedSession(userA), { productId: w.a.productId }),
    );
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const anon = await visitor.affiliateClicks.recordClick(
      click(await startedSession(visitor), { productId: w.a.productId }),
    );
    const userB = w.repos.asUser(w.b.userId);
    await expect(userB.affiliateClicks.findById(a.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(userB.affiliateClicks.findById(anon.id)).rejects.toBeInstanceOf(NotFoundError);
    const mine = await w.repos.asUser(w.a.userId).affiliateClicks.listMine();
    expect(mine.items.map((c) => c.id)).toContain(a.id);
    expect((await userB.affiliateClicks.listMine()).items).toEqual([]);
  });

  it('pages through clicks with a keyset cursor, without gaps or repeats', async () => {
    const user = w.repos.asUser(w.b.userId);
    const sessionId = await startedSession(user);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(
        (await user.affiliateClicks.recordClick(click(sessionId, { productId: w.a.productId }))).id,
      );
    const seen: { id: string; clickTimestamp: Date }[] = [];
    let after: string | undefined;
    do {
      const page = await user.affiliateClicks.listMine({ limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.items);
      after = page.next;
    } while (after);
    expect(seen.map((c) => c.id).sort()).toEqual(ids.sort());
    // Newest first, ties by id: the order the cursor walks.
    const newestFirst = [...seen].sort(
      (x, y) => y.clickTimestamp.getTime() - x.clickTimestamp.getTime() || (x.id < y.id ? 1 : -1),
    );
    expect(seen.map((c) => c.id)).toEqual(newestFirst.map((c) => c.id));
  });

  it('records a conversion once per network and order, however often it is reported', async () => {
    const { id } = await clickOfA();
    const service = w.repos.asService().affiliateClicks;
    const orderId = `order-${randomUUID()}`;
    const first = await service.recordConversion({ clickId: id, orderId, actualCommission: 3.1 });
    const second = await service.recordConversion({ clickId: id, orderId, actualCommission: 3.1 });
    expect(first.alreadyRecorded).toBe(false);
    expect(second.alreadyRecorded).toBe(true);
    expect(first.click).toMatchObject({ isConverted: true, actualCommission: 3.1, orderId });
    const [row] = await w.db
      .select({ n: count() })
      .from(affiliateClicks)
      .where(eq(affiliateClicks.orderId, orderId));
    expect(row?.n).toBe(1);
  });

  it('refuses a conversion dated before its click, saying why', async () => {
    const { id } = await clickOfA();
    const error = await w.repos
      .asService()
      .affiliateClicks.recordConversion({
        clickId: id,
        orderId: 'early',
        convertedAt: new Date('2000-01-01'),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConstraintViolationError);
    expect((error as Error).message).toBe(
      'conversion_timestamp must not be before click_timestamp',
    );
  });

  it('keeps a session current and derives duration and bounce when it ends', async () => {
    const user = w.repos.asUser(w.a.userId);
    // Start times are the platform's: the service role backdates this one for the test.
    const { sessionId } = await w.repos.asService().sessions.startSession({
      sessionId: uniqueSession(),
      landingPage: '/',
      startedAt: new Date(Date.now() - 90_000),
    });
    await w.db
      .update(sessionAnalytics)
      .set({ userId: w.a.userId })
      .where(eq(sessionAnalytics.sessionId, sessionId));
    await user.sessions.touchSession({ sessionId, page: '/gifts', productsViewed: 3 });
    const touched = await user.sessions.touchSession({ sessionId, page: '/gifts/lamp', clicks: 1 });
    expect(touched).toMatchObject({
      pagesViewed: 3,
      productsViewed: 3,
      totalClicks: 1,
      exitPage: '/gifts/lamp',
      pageSequence: ['/', '/gifts', '/gifts/lamp'],
    });
    const ended = await user.sessions.endSession({ sessionId });
    expect(ended.isBounce).toBe(false);
    expect(ended.isActive).toBe(false);
    expect(ended.durationSeconds).toBeGreaterThanOrEqual(89);
    await expect(
      w.repos.asUser(w.b.userId).sessions.touchSession({ sessionId, page: '/x' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records a large batch of views, and a batch with one bad row not at all', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(visitor);
    // As many as one session may hold (its quota).
    const views = Array.from({ length: 2_000 }, (_, i) => ({
      productId: w.a.productId,
      sessionId,
      viewSource: 'search' as const,
      viewPosition: (i % 20) + 1,
      interactionType: 'impression' as const,
    }));
    const result = await visitor.productViews.recordProductViews(views);
    expect(result.recorded).toBe(2_000);
    const stored = async () =>
      (
        await w.db
          .select({ n: count() })
          .from(productViews)
          .where(eq(productViews.sessionId, sessionId))
      )[0]?.n;
    expect(await stored()).toBe(2_000);

    const bad = [...views.slice(0, 10), { ...views[0], viewPosition: 0 }];
    const error = await visitor.productViews
      .recordProductViews(bad as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { row: 10, field: 'viewPosition', message: 'view_position must be at least 1' },
    ]);
    expect(await stored()).toBe(2_000);
  });

  it('groups calls atomically with transaction(): a failure undoes the earlier calls', async () => {
    let sessionId = '';
    const error = await w.repos
      .asUser(w.a.userId)
      .transaction(async (r) => {
        sessionId = await startedSession(r);
        await r.affiliateClicks.recordClick(click(sessionId, { productId: randomUUID() }));
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConstraintViolationError);
    // No such product: nothing to take the click's network and link from.
    expect((error as Error).message).toBe(
      'a click needs product_id of an active product with an affiliate link',
    );
    const [row] = await w.db
      .select({ n: count() })
      .from(sessionAnalytics)
      .where(eq(sessionAnalytics.sessionId, sessionId));
    expect(row?.n).toBe(0);
  });

  it.runIf(driver !== 'pglite')('counts 50 concurrent clicks on one session exactly', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(visitor);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        visitor.affiliateClicks.recordClick(click(sessionId, { productId: w.a.productId })),
      ),
    );
    const [row] = await queryRows<{ affiliate_clicks: number }>(
      w.db,
      sql`SELECT affiliate_clicks FROM session_analytics WHERE session_id = ${sessionId}`,
    );
    expect(row?.affiliate_clicks).toBe(50);
  });
});

describe.each(testDrivers({ pooled: true }))('bulk loading views on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  it('loads a validated batch as the service role, by COPY on a server', async () => {
    const sessionId = uniqueSession();
    const views = Array.from({ length: 3_000 }, (_, i) => ({
      productId: w.a.productId,
      sessionId,
      viewPosition: (i % 30) + 1,
      searchQuery: i % 2 ? '' : 'a "quoted", comma',
      filterCriteria: { colour: 'red' },
      hasSaved: i % 3 === 0,
    }));
    const result = await w.repos.asService().productViews.bulkLoadProductViews(views);
    expect(result).toEqual({ recorded: 3_000, method: driver === 'pglite' ? 'insert' : 'copy' });
    const rows = await w.db
      .select()
      .from(productViews)
      .where(eq(productViews.sessionId, sessionId));
    expect(rows).toHaveLength(3_000);
    expect(rows.filter((r) => r.searchQuery === '')).toHaveLength(1_500);
    expect(rows.filter((r) => r.searchQuery === 'a "quoted", comma')).toHaveLength(1_500);
    expect(rows.every((r) => r.filterCriteria.colour === 'red' && r.userId === null)).toBe(true);
    expect(rows.filter((r) => r.hasSaved)).toHaveLength(1_000);
  });

  it('refuses the bulk path to anyone but the service role, and bad batches whole', async () => {
    await expect(
      w.repos.asUser(w.a.userId).productViews.bulkLoadProductViews([]),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    const error = await w.repos
      .asService()
      .productViews.bulkLoadProductViews([
        { productId: w.a.productId, sessionId: 's', viewSource: 'nowhere' as never },
      ])
      .catch((e: unknown) => e);
    expect((error as ValidationError).issues[0]).toMatchObject({ row: 0, field: 'viewSource' });
  });
});
