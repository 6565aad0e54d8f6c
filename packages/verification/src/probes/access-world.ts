import { randomUUID } from 'node:crypto';
import { deploymentTables, type Executor, type TableFacts, tableFactsOf } from '@aclue/db';
import { createAuthUser, createParents, type Parents, validRow } from '@aclue/db/samples';
import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';

/** The rows the access probes act on: users A, B and C and rows of A, B and anonymous visitors. */

/**
 * The tables the access matrix probes: the deployment's, from their declarations. Tracking tables
 * come first, the one owning sessions before those recorded inside a session.
 */
export const probedTables: readonly TableFacts[] = deploymentTables
  .map((table) => tableFactsOf(getTableConfig(table).name))
  .sort((x, y) => rank(x) - rank(y));

function rank(table: TableFacts): number {
  if (table.group !== 'tracking') return 2;
  return table.session?.owns ? 0 : 1;
}

export const trackingTables = probedTables.filter((t) => t.group === 'tracking');

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

/** A sample row (TypeScript keys, from the schema's samples) in SQL column names. */
function sampleRow(table: TableFacts, parents: Parents): Record<string, unknown> {
  const columns = getTableColumns(table.table);
  return Object.fromEntries(
    Object.entries(validRow(table.name, parents)).map(([key, value]) => [
      columns[key]?.name ?? key,
      value,
    ]),
  );
}

/**
 * A valid tracking row of `table` for `owner` ('a' | 'b' | 'anon'), in that owner's session. With
 * `asCaller` it is what an API caller may insert: no id, no session key (the database makes both).
 */
export function trackingRow(
  tableName: string,
  w: World,
  owner: string,
  { asCaller = false, userId }: { asCaller?: boolean; userId?: string | null } = {},
): Record<string, unknown> {
  const table = tableFactsOf(tableName);
  const row = sampleRow(table, w.parentsA);
  const user = userId !== undefined ? userId : owner === 'anon' ? null : owner === 'a' ? w.a : w.b;
  if (!asCaller) row.id = randomUUID();
  if (table.owner) {
    row[table.owner.user] = user;
    if (user === null && table.owner.anonymous) row[table.owner.anonymous] = w.visitor;
  }
  if (table.session?.owns) {
    if (asCaller) delete row[table.session.column];
    else row[table.session.column] = `s-${row.id}`;
  } else if (table.session) {
    row[table.session.column] = w.sessions[owner];
  }
  if (asCaller) {
    // Only what the API roles may name: the rest is the platform's or derived by the database.
    const given = new Set([
      ...table.insertable,
      ...(table.owner ? [table.owner.user, table.owner.anonymous] : []),
      ...(table.session ? [table.session.column] : []),
    ]);
    for (const column of Object.keys(row)) if (!given.has(column)) delete row[column];
  }
  return row;
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
  for (const table of probedTables) {
    const rows: Record<string, string> = {};
    world.rows[table.sql] = rows;
    if (table.group === 'tracking') {
      // Sessions first (the order of probedTables): clicks and views are recorded inside them.
      for (const owner of ['a', 'b', 'anon']) {
        const row = trackingRow(table.sql, world, owner);
        await tx.execute(insert(table.sql, row));
        rows[owner] = String(row.id);
        if (table.session?.owns) world.sessions[owner] = String(row[table.session.column]);
      }
      continue;
    }
    // Personal rows belong to A and B; the row's key is its primary key, given here.
    for (const [owner, parents] of [
      ['a', parentsA],
      ['b', parentsB],
    ] as const) {
      const row = sampleRow(table, parents);
      const key = table.primaryKey[0] ?? 'id';
      row[key] ??= randomUUID();
      await tx.execute(insert(table.sql, row));
      rows[owner] = String(row[key]);
    }
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
