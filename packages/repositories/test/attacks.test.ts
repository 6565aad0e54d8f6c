import { randomUUID } from 'node:crypto';
import { type Executor, queryRows, setLocalIdentity } from '@aclue/db';
import {
  affiliateClicks,
  conversionCorrections,
  products,
  productViews,
  recommendations,
  swipeInteractions,
} from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { count, eq, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  RepositoryError,
  ValidationError,
} from '../src';
import { click, createWorld, startedSession, visitorId, type World } from './world';

/**
 * The attacks of the security review, each tried through the repositories and, where a client
 * could skip them, as raw SQL under the API roles — counting rows before and after.
 */
describe.each(testDrivers({ pooled: true }))('attacks on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  const rows = async (table: PgTable) => {
    const [row] = await w.db.select({ n: count() }).from(table as typeof affiliateClicks);
    return row?.n ?? 0;
  };

  /** Runs `statement` as a raw API client would: its own transaction, its own role and claims. */
  const asClient = (identity: Parameters<typeof setLocalIdentity>[1], statement: SQL) =>
    w.db
      .transaction(async (tx: Executor) => {
        await setLocalIdentity(tx, identity);
        await tx.execute(statement);
      })
      .then(
        () => 'accepted',
        (error: { cause?: { code?: string }; code?: string }) =>
          error.cause?.code ?? error.code ?? 'error',
      );

  const expectClean = (error: unknown, ...secrets: string[]) => {
    expect(error).toBeInstanceOf(RepositoryError);
    const text = `${(error as Error).message} ${JSON.stringify((error as Error).cause ?? {})}`;
    expect(text).not.toMatch(/insert into|select |update |params:/i);
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('refuses a forged converted click from the anon key and from a visitor, as raw SQL', async () => {
    const before = await rows(affiliateClicks);
    const sessionId = await startedSession(w.repos.asAnon({ anonymousId: 'visitor-forger' }));
    const forged = sql`INSERT INTO affiliate_clicks (session_id, source_page, affiliate_network,
      affiliate_url, anonymous_id, is_converted, conversion_timestamp, order_id, actual_commission)
      VALUES (${sessionId}, '/', 'amazon', 'u', 'visitor-forger', true, now(), 'ORD-1001', 99999999.99)`;
    expect(await asClient({ role: 'anon' }, forged)).toBe('42501');
    expect(await asClient({ role: 'anon', anonymousId: 'visitor-forger' }, forged)).toBe('42501');
    expect(await asClient({ role: 'authenticated', userId: w.a.userId }, forged)).toBe('42501');
    expect(await rows(affiliateClicks)).toBe(before);
  });

  it('derives revenue fields in the database: a caller can neither forge nor read them, as raw SQL', async () => {
    const visitor = { role: 'anon' as const, anonymousId: 'visitor-revenue' };
    const user = { role: 'authenticated' as const, userId: w.a.userId };
    const visitorSession = await startedSession(w.repos.asAnon({ anonymousId: 'visitor-revenue' }));
    const userSession = await startedSession(w.repos.asUser(w.a.userId));
    const before = await rows(affiliateClicks);
    // Through PostgREST a caller writes SQL like this: every revenue field it names is refused.
    for (const [column, value] of [
      ['affiliate_url', 'https://evil.example'],
      ['affiliate_network', 'forged'],
      ['commission_rate', 1],
      ['expected_commission', 99999999.99],
    ] as const) {
      const forged = (session: string) =>
        sql`INSERT INTO affiliate_clicks (session_id, source_page, product_id, ${sql.identifier(column)})
          VALUES (${session}, '/', ${w.a.productId}, ${value})`;
      expect(await asClient(visitor, forged(visitorSession)), column).toBe('42501');
      expect(await asClient(user, forged(userSession)), column).toBe('42501');
    }
    // A view cannot claim a click it never led to.
    expect(
      await asClient(
        user,
        sql`INSERT INTO product_views (session_id, product_id, has_clicked_affiliate)
          VALUES (${userSession}, ${w.a.productId}, true)`,
      ),
    ).toBe('42501');
    // What a click earned and the order it became are not the shopper's to read.
    for (const column of [
      'actual_commission',
      'order_id',
      'commission_rate',
      'expected_commission',
    ]) {
      expect(
        await asClient(user, sql`SELECT ${sql.identifier(column)} FROM affiliate_clicks`),
        column,
      ).toBe('42501');
    }
    // Nor what a sale of the product earns; the rest of the catalogue is theirs to read.
    for (const caller of [{ role: 'anon' as const }, visitor, user]) {
      expect(await asClient(caller, sql`SELECT commission_rate FROM products`)).toBe('42501');
      expect(await asClient(caller, sql`SELECT * FROM products`)).toBe('42501');
      expect(
        await asClient(caller, sql`SELECT id, title, price_min, affiliate_url FROM products`),
      ).toBe('accepted');
    }
    // The trigger reads the product as its owner, yet a caller still names only products it
    // may read: a click on a withdrawn (inactive) product is refused with the rule's name.
    const [withdrawn] = await w.db
      .insert(products)
      .values({
        title: 'Withdrawn lamp',
        affiliateNetwork: 'amazon',
        affiliateUrl: 'https://example.test/p/withdrawn',
        priceMin: 10,
        commissionRate: 0.1,
        isActive: false,
      })
      .returning({ id: products.id });
    expect(
      await asClient(
        visitor,
        sql`INSERT INTO affiliate_clicks (session_id, source_page, product_id, anonymous_id)
          VALUES (${visitorSession}, '/', ${withdrawn?.id}, 'visitor-revenue')`,
      ),
    ).toBe('23514');
    // An honest click by the same caller takes the product's network, link and commission.
    expect(
      await asClient(
        user,
        sql`INSERT INTO affiliate_clicks (session_id, source_page, product_id, user_id)
          VALUES (${userSession}, '/', ${w.a.productId}, ${w.a.userId})`,
      ),
    ).toBe('accepted');
    // Without a product there is nothing to derive them from: refused with the rule's name.
    expect(
      await asClient(
        user,
        sql`INSERT INTO affiliate_clicks (session_id, source_page, user_id)
          VALUES (${userSession}, '/', ${w.a.userId})`,
      ),
    ).toBe('23514');
    const [stored] = await w.db
      .select()
      .from(affiliateClicks)
      .where(eq(affiliateClicks.sessionId, userSession));
    expect(stored).toMatchObject({
      affiliateNetwork: 'amazon',
      affiliateUrl: 'https://example.test/p/1',
      commissionRate: 0.05,
      expectedCommission: 2.5,
    });
    expect(await rows(affiliateClicks)).toBe(before + 1);
  });

  it('converts a click once: of 20 concurrent orders exactly one wins, the rest are told', async () => {
    const user = w.repos.asUser(w.a.userId);
    const { id } = await user.affiliateClicks.recordClick(
      click(await startedSession(user), { productId: w.a.productId }),
    );
    const service = w.repos.asService().affiliateClicks;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        service.recordConversion({ clickId: id, orderId: `race-${id}-${i}`, actualCommission: 1 }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(lost.every((o) => (o as PromiseRejectedResult).reason instanceof ConflictError)).toBe(
      true,
    );
    const winner = (won[0] as PromiseFulfilledResult<{ click: { orderId: string } }>).value;
    const again = await service.recordConversion({ clickId: id, orderId: winner.click.orderId });
    expect(again.alreadyRecorded).toBe(true);
    await expect(
      service.recordConversion({ clickId: id, orderId: `other-${id}` }),
    ).rejects.toBeInstanceOf(ConflictError);
    const [stored] = await w.db.select().from(affiliateClicks).where(eq(affiliateClicks.id, id));
    expect(stored?.orderId).toBe(winner.click.orderId);
  });

  it('changes a converted click only through the audited correction path', async () => {
    const user = w.repos.asUser(w.a.userId);
    const { id } = await user.affiliateClicks.recordClick(
      click(await startedSession(user), { productId: w.a.productId }),
    );
    const service = w.repos.asService().affiliateClicks;
    await service.recordConversion({ clickId: id, orderId: `ord-${id}`, actualCommission: 5 });
    // Even the service role cannot rewrite it with a plain UPDATE.
    const rewrite = sql`UPDATE affiliate_clicks SET actual_commission = 100000 WHERE id = ${id}`;
    expect(await asClient({ role: 'service_role' }, rewrite)).toBe('23514');
    const corrected = await service.correctConversion({
      clickId: id,
      actualCommission: 4.2,
      reason: 'network revised the commission',
      correctedBy: 'finance-job',
    });
    expect(corrected.click).toMatchObject({ actualCommission: 4.2, orderId: `ord-${id}` });
    const [audit] = await w.db
      .select()
      .from(conversionCorrections)
      .where(eq(conversionCorrections.id, corrected.correctionId));
    expect(audit).toMatchObject({
      clickId: id,
      previousCommission: 5,
      newCommission: 4.2,
      reason: 'network revised the commission',
      correctedBy: 'finance-job',
    });
    await expect(
      user.affiliateClicks.correctConversion({
        clickId: id,
        actualCommission: 1,
        reason: 'x',
        correctedBy: 'me',
      }),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    const peek = sql`SELECT * FROM conversion_corrections`;
    expect(await asClient({ role: 'authenticated', userId: w.a.userId }, peek)).toBe('42501');
    expect(await asClient({ role: 'anon' }, peek)).toBe('42501');
  });

  it("keeps swipes, views and clicks out of other callers' sessions, as not found", async () => {
    const swipesBefore = await rows(swipeInteractions);
    await expect(
      w.repos.asUser(w.b.userId).swipes.recordSwipe({
        sessionId: w.a.swipeSessionId,
        productId: w.a.productId,
        swipeDirection: 'right',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      w.repos.asUser(w.b.userId).swipes.recordSwipe({
        sessionId: randomUUID(),
        productId: w.a.productId,
        swipeDirection: 'right',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await rows(swipeInteractions)).toBe(swipesBefore);

    const victim = await startedSession(w.repos.asUser(w.a.userId));
    const viewsBefore = await rows(productViews);
    const attacker = w.repos.asUser(w.b.userId);
    await expect(
      attacker.productViews.recordProductViews([{ productId: w.a.productId, sessionId: victim }]),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      attacker.affiliateClicks.recordClick(click(victim, { productId: w.a.productId })),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      attacker.affiliateClicks.recordClick(click('no-such-session', { productId: w.a.productId })),
    ).rejects.toBeInstanceOf(NotFoundError);
    const raw = sql`INSERT INTO product_views (product_id, session_id, user_id)
      VALUES (${w.a.productId}, ${victim}, ${w.b.userId})`;
    expect(await asClient({ role: 'authenticated', userId: w.b.userId }, raw)).toBe('42501');
    expect(await rows(productViews)).toBe(viewsBefore);
  });

  it('lets no caller choose ids, session ids or event times', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    for (const input of [
      { landingPage: '/', sessionId: 'squatted' },
      { landingPage: '/', startedAt: new Date('2001-01-01') },
    ]) {
      const error = await visitor.sessions.startSession(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
    }
    const sessionId = await startedSession(visitor);
    const error = await visitor.productViews
      .recordProductViews([
        { productId: w.a.productId, sessionId, viewTimestamp: new Date('9999-01-01') },
      ])
      .catch((e: unknown) => e);
    expect((error as ValidationError).issues[0]?.field).toBe('viewTimestamp');
  });

  it('checks the fields it writes: an input cannot show one set of keys and write another', async () => {
    const user = w.repos.asUser(w.a.userId);
    const sessionId = await startedSession(user);
    let reads = 0;
    // Answers the first look at its keys without the commission, every later one with it.
    const shifty = new Proxy(
      { ...click(sessionId, { productId: w.a.productId }), actualCommission: 999 } as object,
      {
        ownKeys(target) {
          reads += 1;
          const keys = Reflect.ownKeys(target);
          return reads === 1 ? keys.filter((key) => key !== 'actualCommission') : keys;
        },
      },
    );
    const { id } = await user.affiliateClicks.recordClick(shifty as never);
    const [stored] = await w.db
      .select({ actualCommission: affiliateClicks.actualCommission })
      .from(affiliateClicks)
      .where(eq(affiliateClicks.id, id));
    expect(stored?.actualCommission).toBeNull();
    // Nothing at all is its missing fields, named; never a TypeError.
    const nothing = await user.affiliateClicks.recordClick(null as never).catch((e: unknown) => e);
    expect(nothing).toBeInstanceOf(ValidationError);
    expect((nothing as ValidationError).issues.map((i) => i.field)).toContain('sessionId');
  });

  it('bounds sizes, shapes and times before the database sees them', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(visitor);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const bad = [
      { productId: w.a.productId, sessionId, searchQuery: 'x'.repeat(1_000_000) },
      { productId: w.a.productId, sessionId, filterCriteria: deep },
      { productId: w.a.productId, sessionId, filterCriteria: { k: 'x'.repeat(20_000) } },
      { productId: w.a.productId, sessionId, screenDensity: 99.96 },
    ];
    const before = await rows(productViews);
    for (const [i, view] of bad.entries()) {
      const error = await visitor.productViews
        .recordProductViews([view as never])
        .catch((e: unknown) => e);
      expect({ i, error }).toMatchObject({ i, error: expect.any(ValidationError) });
    }
    expect(await rows(productViews)).toBe(before);
    await expect(
      visitor.sessions.touchSession({ sessionId, page: 'bad\ud800' }),
    ).rejects.toBeInstanceOf(ValidationError);
    const tags = await w.repos
      .asUser(w.a.userId)
      .feedback.recordFeedback({
        recommendationId: w.a.recommendationId,
        productId: w.a.productId,
        feedbackType: 'explicit',
        feedbackAction: 'like',
        feedbackValue: 0.5,
        modelVersion: 'm',
        feedbackTags: ['ok', 'bad\ud800'],
      })
      .catch((e: unknown) => e);
    expect(tags).toBeInstanceOf(ValidationError);
    // A client skipping the library meets the CHECKs.
    const huge = sql`INSERT INTO session_analytics (landing_page, anonymous_id)
      VALUES (${'x'.repeat(100_000)}, 'visitor-huge')`;
    expect(await asClient({ role: 'anon', anonymousId: 'visitor-huge' }, huge)).toBe('23514');
  });

  it('refuses bad identities and cursors before any SQL, with clean typed errors', async () => {
    for (const userId of [undefined, null, '', 'not-a-uuid']) {
      expect(() => w.repos.asUser(userId as never)).toThrow(ValidationError);
    }
    expect(() => w.repos.asAnon({ anonymousId: 'x' })).toThrow(ValidationError);
    const user = w.repos.asUser(w.a.userId);
    const cursor = await user.affiliateClicks.listMine({ after: 'garbage!' }).catch((e) => e);
    expect(cursor).toBeInstanceOf(ValidationError);
    // A page size outside 1–1000 is named; a negative one used to drop the LIMIT altogether.
    for (const limit of [-5, 0, 1.5, 1_001, Number.NaN, '10' as never]) {
      const pages = [
        () => user.affiliateClicks.listMine({ limit }),
        () => user.productViews.listMyRecentViews({ limit }),
        () => w.repos.asAnon().products.listInCategory({ categoryId: w.a.categoryId, limit }),
      ];
      for (const page of pages) {
        const error = await page().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues).toEqual([
          expect.objectContaining({
            field: 'limit',
            message: expect.stringMatching(/^limit must/),
          }),
        ]);
      }
    }
    const conversion = await w.repos
      .asService()
      .affiliateClicks.recordConversion({ clickId: randomUUID(), orderId: 'o\u0000' })
      .catch((e: unknown) => e);
    expect(conversion).toBeInstanceOf(ValidationError);
    const swipe = await user.swipes.completeSwipeSession('nope').catch((e: unknown) => e);
    expect(swipe).toBeInstanceOf(ValidationError);
    // A value only the database can judge still comes back clean.
    const sessionId = await startedSession(user);
    const inet = await user.affiliateClicks
      .recordClick(
        click(sessionId, { productId: w.a.productId, ipAddress: 'not-an-ip-203.0.113.9' }),
      )
      .catch((e: unknown) => e);
    expectClean(inet, '203.0.113.9');
  });

  it('writes batches of any size whole: 6,000 recommendations, mixed bulk views', async () => {
    const before = await rows(recommendations);
    const many = Array.from({ length: 6_000 }, (_, i) => ({
      userId: w.b.userId,
      productId: w.a.productId,
      confidenceScore: 0.5,
      rankPosition: i + 1,
    }));
    expect(await w.repos.asService().recommendations.createRecommendations(many)).toHaveLength(
      6_000,
    );
    expect(await rows(recommendations)).toBe(before + 6_000);
    const sessionId = `bulk-${randomUUID()}`;
    const mixed = [
      { productId: w.a.productId, sessionId, hasShared: true, viewTimestamp: new Date() },
      { productId: w.a.productId, sessionId },
    ];
    expect((await w.repos.asService().productViews.bulkLoadProductViews(mixed)).recorded).toBe(2);
    const stored = await queryRows<{ has_shared: boolean }>(
      w.db,
      sql`SELECT has_shared FROM product_views WHERE session_id = ${sessionId} ORDER BY has_shared`,
    );
    expect(stored.map((r) => r.has_shared)).toEqual([false, true]);
  });

  it('keeps the anon key alone out of every tracking table', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    await visitor.affiliateClicks.recordClick(
      click(await startedSession(visitor), { productId: w.a.productId }),
    );
    const seen = await w.db.transaction(async (tx: Executor) => {
      await setLocalIdentity(tx, { role: 'anon' });
      return queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM affiliate_clicks`);
    });
    expect(seen[0]?.n).toBe(0);
    await expect(
      w.repos.asAnon().affiliateClicks.recordClick(click('s', { productId: w.a.productId })),
    ).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
