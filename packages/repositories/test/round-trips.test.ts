import { createDb, type Database, queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, RepositoryError } from '../src';
import { switchIdentity, transactionRunner } from '../src/scope';
import { click, createWorld, startedSession, type World } from './world';

/**
 * A call's first statement travels with BEGIN and the identity in one round trip (the extended
 * protocol's messages pipelined up to one Sync): counted round trips, values that come back
 * exactly as given, the identity in force for that statement and gone after it, and nothing of a
 * call left to run once it has ended.
 */
describe.each(testDrivers({ pooled: true }).filter((d) => d !== 'pglite'))(
  'round trips of a call on %s',
  (driver) => {
    let w: World;
    let db: Database;
    /** Every query text sent on the one connection of `db`, in order. */
    const sent: string[] = [];
    beforeAll(async () => {
      w = await createWorld(driver);
      db = await createDb({ url: w.test.url, poolSize: 1 });
      // On every checkout (createDb may have opened the connection already), wrapped once.
      const wrapped = new WeakSet<pg.PoolClient>();
      (db.$client as pg.Pool).on('acquire', (client) => {
        if (wrapped.has(client)) return;
        wrapped.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        client.query = ((config: unknown, ...rest: unknown[]) => {
          // A query sent with a preamble is one round trip: recorded as its statements, joined.
          if (typeof config === 'string') sent.push(config);
          else {
            const { text, preamble = [] } = config as {
              text: string;
              preamble?: { text: string }[];
            };
            sent.push([...preamble.map((p) => p.text), text].join('; '));
          }
          return query(config, ...rest);
        }) as typeof client.query;
      });
    });
    afterAll(async () => {
      await db?.$close();
      await w?.test.dispose();
    });

    const roundTripsOf = async <T>(call: () => Promise<T>) => {
      sent.length = 0;
      const result = await call();
      return { result, texts: [...sent] };
    };

    it('reads by id in one round trip: BEGIN, identity and SELECT, COMMIT after', async () => {
      const user = createRepositories(db).asUser(w.a.userId);
      const { id } = await user.affiliateClicks.recordClick(
        click(await startedSession(user), { productId: w.a.productId }),
      );
      const { result, texts } = await roundTripsOf(() => user.affiliateClicks.findById(id));
      expect(result.id).toBe(id);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toMatch(
        /^BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT set_config\('request\.jwt\.claims', \$1, true\).*; select .* where "affiliate_clicks"\."id" = \$1$/s,
      );
      // Sent before the call returned; the connection goes back to the pool once it completes.
      expect(texts[1]).toBe('COMMIT');
      // The same answer as a parameterised statement (the service path is unchanged).
      expect(
        await createRepositories(w.db).asUser(w.a.userId).affiliateClicks.findById(id),
      ).toEqual(result);
    });

    it('composes a repository read once: one text for every caller and value', async () => {
      const a = createRepositories(db).asUser(w.a.userId);
      const b = createRepositories(db).asUser(w.b.userId);
      const session = await startedSession(a);
      await a.affiliateClicks.recordClick(click(session, { productId: w.a.productId }));
      const mine = await a.affiliateClicks.recordClick(
        click(session, { productId: w.a.productId }),
      );
      const theirs = await b.affiliateClicks.recordClick(
        click(await startedSession(b), { productId: w.a.productId }),
      );
      const first = await roundTripsOf(() => a.affiliateClicks.findById(mine.id));
      const second = await roundTripsOf(() => b.affiliateClicks.findById(theirs.id));
      expect([first.result.id, second.result.id]).toEqual([mine.id, theirs.id]);
      // The identity's values and the id travel as parameters; the text is the same.
      expect(second.texts[0]).toBe(first.texts[0]);
      await expect(b.affiliateClicks.findById(mine.id)).rejects.toThrow(/no affiliate click/);
      const page = await roundTripsOf(() => a.affiliateClicks.listMine({ limit: 1 }));
      const later = await roundTripsOf(() =>
        a.affiliateClicks.listMine({ limit: 1, after: page.result.next ?? '' }),
      );
      expect(page.texts[0]).toMatch(/order by .* limit \$1$/s);
      expect(later.texts[0]).toMatch(/where \(.*\) < \(SELECT .* = \$1\) order by .* limit \$2$/s);
      expect(later.result.items.map((c) => c.id)).not.toContain(page.result.items[0]?.id);
    });

    it('gives every value back exactly, whatever characters it holds', async () => {
      const run = transactionRunner(db, { role: 'authenticated', userId: w.a.userId });
      const awkward = fc.constantFrom(
        "'); DROP TABLE public.products; --",
        "\\'; SELECT 1; --",
        '\\',
        "''",
        '$1',
        '$$',
        "E'\\x41'",
        '😀 字\n\t"',
        '',
      );
      await fc.assert(
        fc.asyncProperty(
          fc
            .oneof(awkward, fc.string({ unit: 'binary', maxLength: 20 }))
            .filter((s) => !s.includes('\0')),
          fc.oneof(
            fc.integer(),
            fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
          ),
          fc.boolean(),
          async (text, number, flag) => {
            const [row] = await run((tx) =>
              queryRows<{ text: string; number: number; flag: boolean; empty: null }>(
                tx,
                sql`SELECT ${text}::text AS text, ${number}::float8 AS number, ${flag}::boolean AS flag, ${null}::text AS empty`,
              ),
            );
            expect(row).toEqual({ text, number, flag, empty: null });
          },
        ),
        { numRuns: 150 },
      );
      const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(
        w.db,
        sql`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'products'`,
      );
      expect(n).toBe(1);
    });

    it('runs the first statement as the caller, and leaves nothing of the caller behind', async () => {
      const run = transactionRunner(db, { role: 'authenticated', userId: w.a.userId });
      for (const readOnly of [false, true]) {
        const [inside] = await run(
          (tx) =>
            queryRows<{ who: string; uid: string }>(
              tx,
              sql`SELECT current_user AS who, auth.uid()::text AS uid, ${1}::int AS one`,
            ),
          { readOnly },
        );
        expect(inside).toMatchObject({ who: 'authenticated', uid: w.a.userId });
        // The pool's one connection, once the call's COMMIT has completed: no transaction left
        // open (now() is this statement's own start), no role, no claims.
        const [after] = await queryRows<{ who: string; claims: string | null; fresh: boolean }>(
          db,
          sql`SELECT current_user AS who, nullif(current_setting('request.jwt.claims', true), '') AS claims,
            now() = statement_timestamp() AS fresh`,
        );
        expect(after).toEqual({ who: 'postgres', claims: null, fresh: true });
      }
    });

    it('answers 200 concurrent read-only calls on one connection, each with its own rows', async () => {
      const users = [w.a.userId, w.b.userId];
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          transactionRunner(db, { role: 'authenticated', userId: users[i % 2] ?? '' })(
            (tx) => queryRows<{ uid: string }>(tx, sql`SELECT auth.uid()::text AS uid`),
            { readOnly: true },
          ),
        ),
      );
      expect(answers.map(([row], i) => row?.uid === users[i % 2])).not.toContain(false);
    });

    it('sends any first statement with BEGIN and the identity, literals and all', async () => {
      const run = transactionRunner(db, { role: 'anon', anonymousId: 'anon-round-trips' });
      const { result, texts } = await roundTripsOf(() =>
        run((tx) =>
          queryRows<{ who: string; word: string }>(
            tx,
            sql`SELECT current_user AS who, 'literal; $1' || ${'!'} AS word`,
          ),
        ),
      );
      expect(result).toEqual([{ who: 'anon', word: 'literal; $1!' }]);
      expect(texts).toEqual([
        expect.stringMatching(/^BEGIN; SELECT set_config\(.*'literal; \$1'/s),
        'COMMIT',
      ]);
    });

    it.each([false, true])(
      'runs nothing of a call once it has ended (prepared statements: %s)',
      async (preparedStatements) => {
        const calls = await createDb({ url: w.test.url, poolSize: 1, preparedStatements });
        try {
          const run = transactionRunner(calls, { role: 'anon' });
          const slug = `late-${preparedStatements}-${Date.now()}`;
          // A sibling fails while the write is on its way: the call rolls back, write included.
          const failed = await run(async (tx) => {
            const write = queryRows(
              tx,
              sql`INSERT INTO public.categories (name, slug) VALUES ('Late', ${slug})`,
            ).catch(() => undefined);
            await Promise.all([write, Promise.reject(new Error('sibling failed'))]);
          }).catch((e: unknown) => e);
          expect(failed).toBeInstanceOf(Error);
          // A read the work forgot to await, then a query started after the call returned.
          let late: unknown;
          const lateQuery = new Promise<void>((resolve) => {
            void run(
              async (tx) => {
                void queryRows(tx, sql`SELECT ${1}::int AS one`);
                setTimeout(() => {
                  queryRows(tx, sql`SELECT current_user AS who`).then(
                    (rows) => {
                      late = rows;
                      resolve();
                    },
                    (error: unknown) => {
                      late = error;
                      resolve();
                    },
                  );
                }, 20);
                return 'returned';
              },
              { readOnly: true },
            );
          });
          await lateQuery;
          // Refused before it was sent (drizzle wraps the refusal; repositories map it).
          expect((late as Error).cause).toBeInstanceOf(RepositoryError);
          const [row] = await queryRows<{ n: number }>(
            calls,
            sql`SELECT count(*)::int AS n FROM public.categories WHERE slug = ${slug}`,
          );
          expect(row?.n).toBe(0);
        } finally {
          await calls.$close();
        }
      },
    );

    it('keeps a grouped call all or nothing when one part fails at once', async () => {
      const calls = await createDb({ url: w.test.url, poolSize: 1, preparedStatements: true });
      try {
        const userA = createRepositories(calls).asUser(w.a.userId);
        const comment = `grouped-${Date.now()}`;
        const grouped = await userA
          .transaction((r) =>
            Promise.all([
              r.affiliateClicks.recordClick(
                click(`grouped-session-${Date.now()}`, {
                  productId: w.a.productId,
                  utmCampaign: comment,
                }),
              ),
              r.products.findById('not-a-uuid'),
            ]),
          )
          .catch((e: unknown) => e);
        expect(grouped).toBeInstanceOf(RepositoryError);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const [row] = await queryRows<{ n: number }>(
          w.db,
          sql`SELECT count(*)::int AS n FROM public.affiliate_clicks WHERE utm_campaign = ${comment}`,
        );
        expect(row?.n).toBe(0);
      } finally {
        await calls.$close();
      }
    });

    it('refuses text PostgreSQL cannot hold (NUL) with a typed error, and the connection goes on', async () => {
      const run = transactionRunner(db, { role: 'authenticated', userId: w.a.userId });
      const error = await run((tx) =>
        queryRows(tx, sql`SELECT ${'nul\0here'}::text AS text`),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RepositoryError);
      expect(String((error as Error).message)).not.toContain('nul');
      const [row] = await run((tx) => queryRows<{ ok: number }>(tx, sql`SELECT ${1}::int AS ok`));
      expect(row).toEqual({ ok: 1 });
    });
  },
);

describe.each(testDrivers({ pooled: true }))('the transaction of a call on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  it('refuses to write when read-only, and writes nothing', async () => {
    const run = transactionRunner(w.db, { role: 'service_role' });
    const error = await run(
      (tx) =>
        tx.execute(
          sql`INSERT INTO public.categories (name, slug) VALUES ('Read', 'read-only-probe')`,
        ),
      { readOnly: true },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepositoryError);
    const [row] = await queryRows<{ n: number }>(
      w.db,
      sql`SELECT count(*)::int AS n FROM public.categories WHERE slug = 'read-only-probe'`,
    );
    expect(row?.n).toBe(0);
  });

  it('returns to the caller when the work fails, so a call that goes on is the caller again', async () => {
    const caller = { role: 'authenticated', userId: w.a.userId } as const;
    const who = await transactionRunner(
      w.db,
      caller,
    )(async (tx) => {
      await switchIdentity(tx, { role: 'service_role' }, caller, async () => {
        throw new Error('the work failed in the application, not in the database');
      }).catch(() => {});
      return queryRows<{ role: string; uid: string }>(
        tx,
        sql`SELECT current_user::text AS role, auth.uid()::text AS uid`,
      );
    });
    expect(who).toEqual([{ role: 'authenticated', uid: w.a.userId }]);
  });
});
