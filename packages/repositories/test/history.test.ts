import { randomBytes } from 'node:crypto';
import { maintainPartitions, queryRows } from '@aclue/db';
import { createAuthUser } from '@aclue/db/samples';
import {
  affiliateClicks,
  productViews,
  recommendationFeedback,
  sessionAnalytics,
} from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, InvalidTokenError, ValidationError } from '../src';
import { sign, supabaseClaims } from './jwks-server';
import { click, createWorld, startedSession, testAuth, type World } from './world';

/** Every tracking row, as a fingerprint: a link or an erasure must change exactly what it says. */
const tracking = (w: World) =>
  queryRows<{ t: string; id: string; user_id: string | null; anonymous_id: string | null }>(
    w.db,
    sql`SELECT 'click' AS t, id::text, user_id::text, anonymous_id FROM ${affiliateClicks}
        UNION ALL SELECT 'session', id::text, user_id::text, anonymous_id FROM ${sessionAnalytics}
        UNION ALL SELECT 'view', id::text, user_id::text, recommendation_id::text FROM ${productViews}
        ORDER BY 1, 2`,
  );

/**
 * Identity stitching and erasure, with proofs: nobody claims a visitor's history by naming its id,
 * and erasing one account never reaches rows of another that used the same browser.
 */
describe.each(testDrivers({ pooled: true }))('history and erasure on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  /** A visitor (by a server-issued id) with a session, a click and a view in it. */
  const visitorWithHistory = async () => {
    const issued = await w.repos.issueAnonymousId();
    const visitor = await w.repos.fromAnonymousProof(issued.proof);
    const sessionId = await startedSession(visitor);
    await visitor.affiliateClicks.recordClick(
      click(sessionId, { productId: w.a.productId, ipAddress: '198.51.100.7' }),
    );
    await visitor.productViews.recordProductViews([{ productId: w.a.productId, sessionId }]);
    return { ...issued, sessionId };
  };

  it('issues unguessable ids whose proofs only this server can make', async () => {
    const a = await w.repos.issueAnonymousId();
    const b = await w.repos.issueAnonymousId();
    expect(a.anonymousId).toMatch(/^[\w-]{22}$/);
    expect(a.anonymousId).not.toBe(b.anonymousId);
    const elsewhere = createRepositories(w.db, {
      auth: { ...testAuth, anonymousIdSecret: randomBytes(32).toString('hex') },
    });
    const foreign = await elsewhere.issueAnonymousId();
    await expect(w.repos.fromAnonymousProof(foreign.proof)).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    await expect(w.repos.fromAnonymousProof(a.anonymousId)).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
  });

  it('links with a proof only that visitor’s rows, and nothing with a forged or foreign one', async () => {
    const mine = await visitorWithHistory();
    const other = await visitorWithHistory();
    const userId = await createAuthUser(w.db);
    const privacy = w.repos.asService().privacy;
    const before = await tracking(w);

    const forgedProof = await new SignJWT({ anonymous_id: mine.anonymousId })
      .setProtectedHeader({ alg: 'HS256', typ: 'anonymous-id+jwt' })
      .setIssuer('aclue-db/anonymous-id')
      .sign(new TextEncoder().encode('an attacker guessing the secret.'));
    const aUsersToken = await sign(supabaseClaims(testAuth.issuer, w.b.userId), {
      secret: testAuth.jwtSecret,
    });
    for (const proof of [forgedProof, aUsersToken, `${mine.proof}x`]) {
      await expect(privacy.linkAnonymousHistory({ userId, proof })).rejects.toBeInstanceOf(
        InvalidTokenError,
      );
    }
    await expect(
      privacy.linkAnonymousHistory({ userId, anonymousId: mine.anonymousId } as never),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await tracking(w)).toEqual(before);

    const linked = await privacy.linkAnonymousHistory({ userId, proof: mine.proof });
    expect(linked).toEqual({ affiliateClicks: 1, sessions: 1, productViews: 1 });
    const after = await tracking(w);
    const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
    expect(changed).toHaveLength(3);
    expect(changed.every((row) => row.user_id === userId)).toBe(true);
    const others = await queryRows<{ n: number }>(
      w.db,
      sql`SELECT count(*)::int AS n FROM ${affiliateClicks} WHERE anonymous_id = ${other.anonymousId} AND user_id IS NULL`,
    );
    expect(others[0]?.n).toBe(1);
    // Linking twice moves nothing more.
    expect(await privacy.linkAnonymousHistory({ userId, proof: mine.proof })).toEqual({
      affiliateClicks: 0,
      sessions: 0,
      productViews: 0,
    });
  });

  it('links through the repositories only with the account’s own token and the visitor’s proof', async () => {
    const visitor = await visitorWithHistory();
    const account = await createAuthUser(w.db);
    const token = (sub: string, extra = {}) =>
      sign(supabaseClaims(testAuth.issuer, sub, extra), { secret: testAuth.jwtSecret });
    const before = await tracking(w);
    const guest = await token(await createAuthUser(w.db), { is_anonymous: true });
    await expect(
      w.repos.linkAnonymousHistory({ accessToken: guest, proof: visitor.proof }),
    ).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(
      w.repos.linkAnonymousHistory({ accessToken: 'forged', proof: visitor.proof }),
    ).rejects.toBeInstanceOf(InvalidTokenError);
    expect(await tracking(w)).toEqual(before);
    expect(
      await w.repos.linkAnonymousHistory({
        accessToken: await token(account),
        proof: visitor.proof,
      }),
    ).toEqual({ affiliateClicks: 1, sessions: 1, productViews: 1 });
  });

  it('refuses an expired anonymous id proof, and a secret shared with the JWT secret', async () => {
    const shortLived = createRepositories(w.db, {
      auth: { ...testAuth, anonymousIdLifetimeSeconds: 1 },
    });
    const { proof } = await shortLived.issueAnonymousId();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(shortLived.fromAnonymousProof(proof)).rejects.toMatchObject({ reason: 'expired' });
    expect(() =>
      createRepositories(w.db, { auth: { ...testAuth, anonymousIdSecret: testAuth.jwtSecret } }),
    ).toThrow(/must differ/);
  });

  it('moves a Supabase anonymous user’s history into the account it signs in to, by its token', async () => {
    const anonymousUser = await createAuthUser(w.db);
    const token = await sign(
      supabaseClaims(testAuth.issuer, anonymousUser, { is_anonymous: true }),
      {
        secret: testAuth.jwtSecret,
      },
    );
    const guest = await w.repos.fromAccessToken(token);
    await guest.affiliateClicks.recordClick(
      click(await startedSession(guest), { productId: w.a.productId }),
    );
    const account = await createAuthUser(w.db);
    const linked = await w.repos
      .asService()
      .privacy.linkAnonymousHistory({ userId: account, proof: token });
    expect(linked).toEqual({ affiliateClicks: 1, sessions: 1, productViews: 0 });
    expect((await w.repos.asUser(account).affiliateClicks.listMine()).items).toHaveLength(1);
  });

  it('erases one of two users who shared a browser, leaving the other’s rows intact', async () => {
    const browser = await w.repos.issueAnonymousId();
    const visitor = await w.repos.fromAnonymousProof(browser.proof);
    const privacy = w.repos.asService().privacy;
    const [first, second] = [await createAuthUser(w.db), await createAuthUser(w.db)];
    for (const userId of [first, second]) {
      await visitor.affiliateClicks.recordClick(
        click(await startedSession(visitor), { productId: w.a.productId, ipAddress: '192.0.2.1' }),
      );
      await privacy.linkAnonymousHistory({ userId, proof: browser.proof });
    }
    const before = await tracking(w);
    const report = await privacy.eraseUser(first);
    const after = await tracking(w);
    const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
    expect(changed.map((r) => r.t).sort()).toEqual(['click', 'session']);
    expect(report.anonymised).toEqual({ affiliateClicks: 1, sessions: 1, productViews: 0 });
    const kept = await queryRows<{ n: number }>(
      w.db,
      sql`SELECT count(*)::int AS n FROM ${affiliateClicks}
          WHERE user_id = ${second} AND anonymous_id = ${browser.anonymousId} AND ip_address IS NOT NULL`,
    );
    expect(kept[0]?.n).toBe(1);
  });

  it('counts in its report the rows a cascade would have changed', async () => {
    const userId = await createAuthUser(w.db);
    const [recommendation] = await w.repos
      .asService()
      .recommendations.createRecommendations([
        { userId, productId: w.a.productId, confidenceScore: 0.5 },
      ]);
    if (!recommendation) throw new Error('no recommendation stored');
    const me = w.repos.asUser(userId);
    const sessionId = await startedSession(me);
    await me.productViews.recordProductViews([
      { productId: w.a.productId, sessionId, recommendationId: recommendation.id },
    ]);
    await me.feedback.recordFeedback({
      recommendationId: recommendation.id,
      productId: w.a.productId,
      feedbackType: 'explicit',
      feedbackAction: 'like',
      feedbackValue: 0.5,
      modelVersion: 'm',
    });
    // The platform recorded a visitor's view of the same recommendation (shown on a shared link).
    const stranger = await w.repos.fromAnonymousProof((await w.repos.issueAnonymousId()).proof);
    const strangersSession = await startedSession(stranger);
    await w.db.execute(
      sql`INSERT INTO product_views (product_id, session_id, recommendation_id)
          VALUES (${w.a.productId}, ${strangersSession}, ${recommendation.id})`,
    );
    const before = await tracking(w);
    const report = await w.repos.asService().privacy.eraseUser(userId);
    const after = await tracking(w);
    const changedViews = after.filter(
      (row, i) => row.t === 'view' && JSON.stringify(row) !== JSON.stringify(before[i]),
    );
    expect(changedViews).toHaveLength(2);
    expect(report.anonymised.productViews + report.unlinked.productViews).toBe(changedViews.length);
    expect(report.unlinked.productViews).toBe(1);
    expect(report.deleted).toMatchObject({ recommendations: 1, feedback: 1, account: 1 });
    const left = await queryRows<{ n: number }>(
      w.db,
      sql`SELECT count(*)::int AS n FROM ${recommendationFeedback} WHERE recommendation_id = ${recommendation.id}`,
    );
    expect(left[0]?.n).toBe(0);
  });

  it('erases a user’s views in every month, old partitions included', async () => {
    const userId = await createAuthUser(w.db);
    const me = w.repos.asUser(userId);
    const sessionId = await startedSession(me);
    await me.productViews.recordProductViews([{ productId: w.a.productId, sessionId }]);
    await maintainPartitions(w.db, { from: new Date('2024-02-01T00:00:00Z') });
    await w.db.execute(
      sql`INSERT INTO product_views (product_id, user_id, session_id, view_timestamp)
          VALUES (${w.a.productId}, ${userId}, ${sessionId}, '2024-02-10T00:00:00Z')`,
    );
    const homes = () =>
      queryRows<{ home: string }>(
        w.db,
        sql`SELECT tableoid::regclass::text AS home FROM product_views WHERE user_id = ${userId}
            ORDER BY 1`,
      );
    const stored = (await homes()).map((r) => r.home);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toBe('aclue_partitions.product_views_p2024_02');
    expect(stored[1]).not.toBe(stored[0]);

    const report = await w.repos.asService().privacy.eraseUser(userId);
    expect(report.anonymised.productViews).toBe(2);
    expect(await homes()).toEqual([]);
  });
});
