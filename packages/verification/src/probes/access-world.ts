import { randomUUID } from 'node:crypto';
import type { Executor } from '@aclue/db';
import { createAuthUser, createParents, type Parents } from '@aclue/db/samples';
import { type SQL, sql } from 'drizzle-orm';

/** The rows the access probes act on: users A, B and C and rows of A, B and anonymous visitors. */

export const trackingTables = ['affiliate_clicks', 'session_analytics', 'product_views'] as const;

export interface World {
  /** The anonymous visitor the probes act as (its `anonymous_id` claim). */
  visitor: string;
  /** Session keys (`session_id`) by owner ('a' | 'b' | 'anon'). */
  sessions: Record<string, string>;
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

/**
 * A valid tracking row of `table` for `owner` ('a' | 'b' | 'anon'), in that owner's session. With
 * `asCaller` it is what an API caller may insert: no id, no session id (the database makes both).
 */
export function trackingRow(
  table: string,
  w: World,
  owner: string,
  { asCaller = false, userId }: { asCaller?: boolean; userId?: string | null } = {},
): Record<string, unknown> {
  const id = randomUUID();
  const user = userId !== undefined ? userId : owner === 'anon' ? null : owner === 'a' ? w.a : w.b;
  const who = {
    ...(asCaller ? {} : { id }),
    user_id: user,
    ...(user === null && table !== 'product_views' ? { anonymous_id: w.visitor } : {}),
  };
  if (table === 'session_analytics') {
    return { ...who, ...(asCaller ? {} : { session_id: `s-${id}` }), landing_page: '/' };
  }
  const session_id = w.sessions[owner];
  if (table === 'affiliate_clicks') {
    return {
      ...who,
      session_id,
      source_page: '/',
      affiliate_network: 'net',
      affiliate_url: 'https://x.test',
    };
  }
  return { ...who, product_id: w.parentsA.productId, session_id };
}

export async function buildWorld(tx: Executor): Promise<World> {
  const parentsA = await createParents(tx);
  const parentsB = await createParents(tx);
  const world: World = {
    visitor: `probe-visitor-${randomUUID()}`,
    sessions: {},
    a: parentsA.userId,
    b: parentsB.userId,
    c: await createAuthUser(tx),
    parentsA,
    parentsB,
    rows: {},
  };
  // Sessions first: clicks and views are recorded inside them.
  for (const table of ['session_analytics', 'affiliate_clicks', 'product_views']) {
    world.rows[table] = {};
    for (const owner of ['a', 'b', 'anon']) {
      const row = trackingRow(table, world, owner);
      await tx.execute(insert(table, row));
      (world.rows[table] as Record<string, string>)[owner] = String(row.id);
      if (table === 'session_analytics') world.sessions[owner] = String(row.session_id);
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
