import { queryRows } from '@aclue/db';
import { createAuthUser } from '@aclue/db/samples';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, NotFoundError, RepositoryError } from '../src';
import { click, createWorld, startedSession, visitorId, type World } from './world';

/**
 * Hundreds of callers sharing a handful of server connections (20 client connections; behind
 * PgBouncer, 3 server connections): every call must see exactly its own caller's rows, and a
 * failed call must leave nothing of its identity on the connection the next caller gets.
 */
describe.each(testDrivers({ pooled: true }).filter((d) => d !== 'pglite'))(
  'callers sharing connections on %s',
  (driver) => {
    let w: World;
    const users: string[] = [];
    const visitors: string[] = [];
    const clickOf = new Map<string, string>();
    beforeAll(async () => {
      w = await createWorld(driver);
      for (let i = 0; i < 30; i++) {
        const userId = await createAuthUser(w.db);
        const user = w.repos.asUser(userId);
        clickOf.set(
          userId,
          (
            await user.affiliateClicks.recordClick(
              click(await startedSession(user), { productId: w.a.productId }),
            )
          ).id,
        );
        users.push(userId);
        const anonymousId = visitorId();
        const visitor = w.repos.asAnon({ anonymousId });
        clickOf.set(
          anonymousId,
          (
            await visitor.affiliateClicks.recordClick(
              click(await startedSession(visitor), { productId: w.a.productId }),
            )
          ).id,
        );
        visitors.push(anonymousId);
      }
    });
    afterAll(() => w?.test.dispose());

    it('never shows one caller the rows of another, 600 interleaved calls, failures included', async () => {
      const calls = Array.from({ length: 600 }, async (_, i) => {
        const isUser = i % 2 === 0;
        const who = (isUser ? users : visitors)[i % 30] as string;
        const caller = isUser ? w.repos.asUser(who) : w.repos.asAnon({ anonymousId: who });
        if (i % 7 === 0) {
          // A failing call in the middle of the traffic: validation refuses it before any SQL;
          // one in three fails inside the database (a session that is not the caller's).
          const failure =
            i % 3 === 0
              ? caller.affiliateClicks.recordClick(
                  click('not-my-session', { productId: w.a.productId }),
                )
              : caller.affiliateClicks.recordClick({
                  ...click('x', { productId: w.a.productId }),
                  affiliateUrl: 'not a url',
                } as never);
          await expect(failure).rejects.toBeInstanceOf(RepositoryError);
          return;
        }
        const page = await caller.affiliateClicks.listMine();
        expect(
          page.items.map((item) => item.id),
          `caller ${who}`,
        ).toEqual([clickOf.get(who)]);
      });
      await Promise.all(calls);
    });

    it('leaves no role or claims on a connection between calls', async () => {
      // Outside any repository call, every connection of the pool is the connection's own role
      // with no request claims (set_config(..., true) ended with each transaction).
      const seen = await Promise.all(
        Array.from({ length: 60 }, () =>
          queryRows<{ role: string; claims: string | null; sub: string | null }>(
            w.db,
            sql`SELECT current_user::text AS role, current_setting('request.jwt.claims', true) AS claims,
                  current_setting('request.jwt.claim.sub', true) AS sub`,
          ),
        ),
      );
      for (const [row] of seen) {
        expect(row?.role).toBe('postgres');
        expect(row?.claims ?? '').toBe('');
        expect(row?.sub ?? '').toBe('');
      }
    });

    it('fails a call whose connection is lost with DatabaseUnavailableError, and carries on', async () => {
      const user = w.repos.asUser(users[0] as string);
      const killed = user.transaction(async (r) => {
        await r.affiliateClicks.listMine();
        await terminateOtherBackends(w);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return r.affiliateClicks.listMine();
      });
      await expect(killed).rejects.toBeInstanceOf(DatabaseUnavailableError);
      // drizzle's wrapper message carries the SQL and its values: none of it may surface.
      await expect(killed).rejects.not.toThrow(/select|Failed query|params/i);
      // The pool replaces the connection; the process is still here to serve the next caller.
      const page = await user.affiliateClicks.listMine();
      expect(page.items.map((item) => item.id)).toEqual([clickOf.get(users[0] as string)]);
    });
  },
);

/** A forgotten Promise.all branch, on every engine: it must not outlive the call it belongs to. */
describe.each(testDrivers({ pooled: true }))('a call that ended, on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  it("refuses a query the call left running (no other caller's rows, no commit)", async () => {
    const user = w.repos.asUser(w.a.userId);
    let leftover: Promise<unknown> | undefined;
    const failed = user.transaction(async (r) => {
      leftover = new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
        r.affiliateClicks.listMine(),
      );
      leftover.catch(() => {});
      await r.affiliateClicks.findById('00000000-0000-4000-8000-000000000000');
    });
    await expect(failed).rejects.toBeInstanceOf(NotFoundError);
    await expect(leftover).rejects.toThrow(/already ended/);
  });
});

/** Ends every other server connection to the test database, as a failover or restart would. */
async function terminateOtherBackends(w: World) {
  const admin = new pg.Client({ connectionString: w.test.url });
  await admin.connect();
  try {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
  } finally {
    await admin.end();
  }
}
