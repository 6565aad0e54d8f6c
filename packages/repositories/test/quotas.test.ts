import { createDb, type Executor, queryRows, setLocalIdentity } from '@aclue/db';
import { QUOTA_SQLSTATE } from '@aclue/db/objects';
import { productViews, sessionAnalytics } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../src';
import { click, createWorld, startedSession, visitorId, type World } from './world';

/** The quotas the schema declares (session_analytics, product_views, affiliate_clicks rules). */
const SESSIONS_PER_HOUR = 60;
const VIEWS_PER_SESSION = 2_000;
const CLICKS_PER_SESSION = 200;

const count = async (db: Executor, table: string, where: SQL) =>
  (
    await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${where}`,
    )
  )[0]?.n;

/** The SQLSTATE `statement` fails with, run as a signed-in user in its own transaction. */
async function sqlStateAsUser(db: World['db'], userId: string, statement: SQL) {
  try {
    await db.transaction(async (tx) => {
      await setLocalIdentity(tx, { role: 'authenticated', userId });
      await tx.execute(statement);
    });
    return 'ok';
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as { code?: string }).code ?? String(error);
  }
}

describe.each(testDrivers())('write quotas, counted in the database, on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  it('a user starts at most 60 sessions an hour, through the repositories and by raw SQL', async () => {
    const user = w.repos.asUser(w.a.userId);
    for (let i = 0; i < SESSIONS_PER_HOUR; i++) await startedSession(user, `/p${i}`);
    const refused = await startedSession(user, '/one-more').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect((refused as QuotaExceededError).status).toBe(429);
    expect((refused as Error).message).toBe(
      'session_analytics: a caller may add at most 60 rows an hour',
    );
    // PostgREST's way in meets the same count: raw SQL as the user, one more row.
    expect(
      await sqlStateAsUser(
        w.db,
        w.a.userId,
        sql`INSERT INTO session_analytics (user_id, landing_page) VALUES (${w.a.userId}, '/raw')`,
      ),
    ).toBe(QUOTA_SQLSTATE);
    expect(await count(w.db, 'session_analytics', eq(sessionAnalytics.userId, w.a.userId))).toBe(
      SESSIONS_PER_HOUR,
    );
    // Another caller is not held back, and neither is the service role.
    await startedSession(w.repos.asAnon({ anonymousId: visitorId() }));
    await w.repos.asService().sessions.startSession({ landingPage: '/ops' });
  });

  it('a session holds at most 2,000 views: a batch crossing the limit writes nothing', async () => {
    const user = w.repos.asUser(w.b.userId);
    const sessionId = await startedSession(user);
    const views = (n: number) =>
      Array.from({ length: n }, () => ({ productId: w.b.productId, sessionId }));
    await user.productViews.recordProductViews(views(VIEWS_PER_SESSION - 5));
    await expect(user.productViews.recordProductViews(views(10))).rejects.toThrow(
      'product_views: a session may hold at most 2000 rows',
    );
    const inSession = eq(productViews.sessionId, sessionId);
    expect(await count(w.db, 'product_views', inSession)).toBe(VIEWS_PER_SESSION - 5);
    await user.productViews.recordProductViews(views(5));
    expect(
      await sqlStateAsUser(
        w.db,
        w.b.userId,
        sql`INSERT INTO product_views (user_id, session_id, product_id)
            VALUES (${w.b.userId}, ${sessionId}, ${w.b.productId})`,
      ),
    ).toBe(QUOTA_SQLSTATE);
    expect(await count(w.db, 'product_views', inSession)).toBe(VIEWS_PER_SESSION);
  });

  it('a session holds at most 200 clicks, however they are split', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(visitor);
    const clicks = visitor.affiliateClicks;
    for (let i = 0; i < CLICKS_PER_SESSION; i++) {
      await clicks.recordClick(click(sessionId, { productId: w.a.productId }));
    }
    await expect(
      clicks.recordClick(click(sessionId, { productId: w.a.productId })),
    ).rejects.toBeInstanceOf(QuotaExceededError);
    expect(await count(w.db, 'affiliate_clicks', sql`session_id = ${sessionId}`)).toBe(
      CLICKS_PER_SESSION,
    );
  });

  it('a row over its byte budget is refused with 429, not stored', async () => {
    const user = w.repos.asUser(w.b.userId);
    const own = await startedSession(user);
    // Within every column's own bound (filter criteria up to 16 KB of JSON), over the row's 8 KB.
    const filterCriteria = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`filter${i}`, 'x'.repeat(200)]),
    );
    const refused = await user.productViews
      .recordProductViews([{ productId: w.b.productId, sessionId: own, filterCriteria }])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect((refused as Error).message).toBe('product_views: a row may hold at most 8192 bytes');
    expect(await count(w.db, 'product_views', eq(productViews.sessionId, own))).toBe(0);
  });

  it.runIf(driver !== 'pglite')(
    'two writers racing past the click limit: one batch commits, the other writes nothing',
    async () => {
      const url = w.test.url as string;
      const visitor = visitorId();
      const sessionId = await startedSession(w.repos.asAnon({ anonymousId: visitor }));
      const writers = await Promise.all([createDb({ url }), createDb({ url })]);
      try {
        const outcomes = await Promise.allSettled(
          writers.map((db) =>
            db.transaction(async (tx) => {
              await setLocalIdentity(tx, { role: 'anon', anonymousId: visitor });
              await tx.execute(
                sql`INSERT INTO affiliate_clicks (anonymous_id, session_id, product_id, source_page)
                    SELECT ${visitor}, ${sessionId}, ${w.a.productId}, '/race' FROM generate_series(1, 150)`,
              );
            }),
          ),
        );
        expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect(await count(w.db, 'affiliate_clicks', sql`session_id = ${sessionId}`)).toBe(150);
      } finally {
        await Promise.all(writers.map((db) => db.$close()));
      }
    },
  );
});
