import { createDb, type Database } from '@aclue/db';
import { affiliateClicks, productViews } from '@aclue/db/schema';
import { createRepositories } from '@aclue/repositories';
import { desc, eq, sql } from 'drizzle-orm';
import { formatMeasurements, type Measurement, measure } from './measure';
import { RawClient } from './raw';

/**
 * The hot path: one identity-scoped read, four ways, interleaved round by round — raw `pg` sending
 * the repositories' identity statement (the baseline), raw `pg` with no identity at all (the
 * physical anchor: one round trip), raw `pg` sending BEGIN, the identity, the query and COMMIT
 * in one simple-query message (the floor for any scoped call), the pattern many Drizzle + Supabase projects use (a drizzle
 * transaction with separate set_config statements and SET LOCAL ROLE: the peer anchor), and the
 * repository call.
 */
export async function hotPath(
  url: string,
  {
    userId,
    clickId,
    rounds,
    direct,
  }: { userId: string; clickId: string; rounds: number; direct: boolean },
) {
  const db = await createDb({ url, poolSize: 4 });
  // Prepared statements only where the connection keeps them: not through PgBouncer 1.18.
  const preparing = direct
    ? await createDb({ url, poolSize: 4, preparedStatements: true })
    : undefined;
  const raw = await RawClient.connect(url);
  try {
    const user = createRepositories(db).asUser(userId);
    const preparedUser = preparing ? createRepositories(preparing).asUser(userId) : undefined;
    const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
    const naive = <T>(query: (tx: Database) => Promise<T>) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`SELECT set_config('request.jwt.claims', ${claims}, true)`);
        await tx.execute(sql`SELECT set_config('request.jwt.claim.sub', ${userId}, true)`);
        await tx.execute(sql`SET LOCAL ROLE authenticated`);
        return query(tx as unknown as Database);
      });
    const byId = 'SELECT * FROM affiliate_clicks WHERE id = $1';
    // With an identity RLS picks the caller's rows; without one the query must say whose.
    const recent = 'SELECT * FROM product_views ORDER BY view_timestamp DESC, id DESC LIMIT 21';
    const recentOf =
      'SELECT * FROM product_views WHERE user_id = $1 ORDER BY view_timestamp DESC, id DESC LIMIT 21';
    const clickRows = await measure(
      [
        {
          name: 'raw pg, same identity statement',
          run: () => raw.as('authenticated', userId, byId, [clickId]),
        },
        {
          name: 'raw pg, no identity (1 round trip)',
          run: () => raw.client.query(byId, [clickId]),
        },
        {
          name: 'raw pg, identity in one message (the floor)',
          run: () =>
            raw.asInOneMessage('authenticated', userId, byId.replace('$1', `'${clickId}'`)),
        },
        {
          name: 'naive drizzle transaction + set_config',
          run: () =>
            naive((tx) => tx.select().from(affiliateClicks).where(eq(affiliateClicks.id, clickId))),
        },
        { name: 'repository findById', run: () => user.affiliateClicks.findById(clickId) },
        ...(preparedUser
          ? [
              {
                name: 'repository findById, prepared statements',
                run: () => preparedUser.affiliateClicks.findById(clickId),
              },
            ]
          : []),
      ],
      rounds,
    );
    const viewRows = await measure(
      [
        {
          name: 'raw pg, same identity statement',
          run: () => raw.as('authenticated', userId, recent),
        },
        {
          name: 'raw pg, no identity (1 round trip)',
          run: () => raw.client.query(recentOf, [userId]),
        },
        {
          name: 'raw pg, identity in one message (the floor)',
          run: () => raw.asInOneMessage('authenticated', userId, recent),
        },
        {
          name: 'naive drizzle transaction + set_config',
          run: () =>
            naive((tx) =>
              tx
                .select()
                .from(productViews)
                .orderBy(desc(productViews.viewTimestamp), desc(productViews.id))
                .limit(21),
            ),
        },
        {
          name: 'repository listMyRecentViews',
          run: () => user.productViews.listMyRecentViews({ limit: 20 }),
        },
        ...(preparedUser
          ? [
              {
                name: 'repository listMyRecentViews, prepared statements',
                run: () => preparedUser.productViews.listMyRecentViews({ limit: 20 }),
              },
            ]
          : []),
      ],
      rounds,
    );
    return { clickRows, viewRows };
  } finally {
    await raw.end();
    await db.$close();
    await preparing?.$close();
  }
}

export function formatHotPath(
  label: string,
  rows: { clickRows: Measurement[]; viewRows: Measurement[] },
) {
  return [
    formatMeasurements(
      `${label}: click by id (goal: repository ≤ 1.15 × baseline, ≤ 1.3 × no identity)`,
      rows.clickRows,
      'raw pg, same identity statement',
    ),
    formatMeasurements(
      `${label}: my recent views (same goals)`,
      rows.viewRows,
      'raw pg, same identity statement',
    ),
  ].join('\n\n');
}
