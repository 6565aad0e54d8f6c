import { randomUUID } from 'node:crypto';
import { createAuthUser, createParents, type Executor, type Parents } from '@aclue/db';
import { type SQL, sql } from 'drizzle-orm';

/** The rows the access probes act on: users A, B and C and rows of A, B and anonymous visitors. */

export const trackingTables = ['affiliate_clicks', 'session_analytics', 'product_views'] as const;

export interface World {
  a: string;
  b: string;
  /** A user with no preferences row yet. */
  c: string;
  parentsA: Parents;
  parentsB: Parents;
  /** Row ids by table and owner ('a' | 'b' | 'anon'). */
  rows: Record<string, Record<string, string>>;
}

export const insert = (table: string, values: Record<string, unknown>): SQL =>
  sql`INSERT INTO ${sql.identifier('public')}.${sql.identifier(table)} (${sql.join(
    Object.keys(values).map((c) => sql.identifier(c)),
    sql`, `,
  )}) VALUES (${sql.join(
    Object.values(values).map((v) => sql`${v}`),
    sql`, `,
  )})`;

/** A valid tracking row of `table` for `userId` (null = anonymous visitor). */
export function trackingRow(
  table: string,
  w: World,
  userId: string | null,
): Record<string, unknown> {
  const id = randomUUID();
  const owner =
    userId === null ? { user_id: null, anonymous_id: `anon-${id}` } : { user_id: userId };
  if (table === 'affiliate_clicks') {
    const { anonymous_id, ...rest } = owner as Record<string, unknown>;
    return {
      id,
      session_id: `s-${id}`,
      source_page: '/',
      affiliate_network: 'net',
      affiliate_url: 'https://x.test',
      ...rest,
      ...(anonymous_id ? { anonymous_id } : {}),
    };
  }
  if (table === 'session_analytics')
    return { id, session_id: `s-${id}`, landing_page: '/', ...owner };
  const { anonymous_id: _none, ...viewOwner } = owner as Record<string, unknown>;
  return { id, product_id: w.parentsA.productId, session_id: `s-${id}`, ...viewOwner };
}

export async function buildWorld(tx: Executor): Promise<World> {
  const parentsA = await createParents(tx);
  const parentsB = await createParents(tx);
  const world: World = {
    a: parentsA.userId,
    b: parentsB.userId,
    c: await createAuthUser(tx),
    parentsA,
    parentsB,
    rows: {},
  };
  for (const table of trackingTables) {
    world.rows[table] = {};
    for (const [owner, userId] of [
      ['a', world.a],
      ['b', world.b],
      ['anon', null],
    ] as const) {
      const row = trackingRow(table, world, userId);
      await tx.execute(insert(table, row));
      (world.rows[table] as Record<string, string>)[owner] = String(row.id);
    }
  }
  world.rows.user_preferences = { a: world.a, b: world.b };
  for (const userId of [world.a, world.b])
    await tx.execute(insert('user_preferences', { user_id: userId }));
  world.rows.recommendation_feedback = {};
  for (const [owner, p] of [
    ['a', parentsA],
    ['b', parentsB],
  ] as const) {
    const id = randomUUID();
    await tx.execute(insert('recommendation_feedback', feedbackRow(p, p.userId, { id })));
    world.rows.recommendation_feedback[owner] = id;
  }
  return world;
}

export const feedbackRow = (p: Parents, userId: string, extra: Record<string, unknown> = {}) => ({
  recommendation_id: p.recommendationId,
  user_id: userId,
  product_id: p.productId,
  feedback_type: 'explicit',
  feedback_action: 'like',
  feedback_value: 0.5,
  model_version: 'probe',
  ...extra,
});
