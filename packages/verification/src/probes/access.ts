import { randomUUID } from 'node:crypto';
import { type Executor, type Identity, type TableFacts, tableFactsOf } from '@aclue/db';
import { type SQL, sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import {
  buildWorld,
  feedbackRow,
  insert,
  probedTables,
  trackingRow,
  trackingTables,
  type World,
} from './access-world';
import { attemptAll, type Outcome } from './attempt';

/**
 * The access rules of the data model, probed: for each deployment table, what an anonymous
 * visitor, user A and the service role can select, insert, update and delete among rows of A, of
 * another user B and of anonymous visitors. The expectations are the spec's, written here as data;
 * the policies and grants under test are elsewhere, so a widened policy shows up as a failure.
 */

type Expectation = 'allowed' | 'denied' | { sees: string[] };

interface AccessCase {
  table: string;
  /** `public`: the anon key alone, with no visitor claim. */
  as: 'anon' | 'public' | 'a' | 'a-aal2' | 'c' | 'service';
  action: string;
  /** One statement, or several run in order (the last one's outcome counts). */
  query: (w: World) => SQL | SQL[];
  expect: Expectation;
}

/** Turns the database's MFA requirement on for the rest of the probe's savepoint. */
const requireMfa = sql`SELECT set_config('aclue.require_mfa', 'on', true)`;

/** A row's key: its table's primary key column. */
const key = (table: string) => sql.identifier(tableFactsOf(table).primaryKey[0] ?? 'id');
const byId = (table: string, id: string, set: string) =>
  sql`UPDATE ${sql.identifier(table)} SET ${sql.raw(set)} WHERE ${key(table)} = ${id}`;
const deleteById = (table: string, id: string) =>
  sql`DELETE FROM ${sql.identifier(table)} WHERE ${key(table)} = ${id}`;
const visible = (table: string, ids: string[]) =>
  sql`SELECT ${key(table)}::text AS key FROM ${sql.identifier(table)} WHERE ${key(table)} IN (${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )})`;

/** A no-op write of a column the owner may change, or else one a caller may give. */
function touchOf(table: TableFacts): string {
  const column = table.ownerUpdates[0] ?? table.insertable[0] ?? table.primaryKey[0] ?? 'id';
  return `"${column}" = "${column}"`;
}

function cases(): AccessCase[] {
  const list: AccessCase[] = [];
  for (const facts of probedTables) {
    const table = facts.sql;
    // Tracking rows are recorded by anonymous visitors too; personal rows only by users.
    const tracking = facts.group === 'tracking';
    const all = tracking ? ['a', 'b', 'anon'] : ['a', 'b'];
    const select = (as: AccessCase['as'], sees: string[]) =>
      list.push({
        table,
        as,
        action: `select rows of ${all.join(', ')}`,
        query: (w) =>
          visible(
            table,
            all.map((o) => w.rows[table]?.[o] ?? ''),
          ),
        expect: { sees },
      });
    select('anon', tracking ? ['anon'] : []);
    select('public', []);
    select('a', ['a']);
    select('service', all);
    const touch = touchOf(facts);
    for (const owner of all) {
      list.push({
        table,
        as: 'anon',
        action: `update ${owner}'s row`,
        query: (w) => byId(table, w.rows[table]?.[owner] ?? '', touch),
        expect: 'denied',
      });
      list.push({
        table,
        as: 'anon',
        action: `delete ${owner}'s row`,
        query: (w) => deleteById(table, w.rows[table]?.[owner] ?? ''),
        expect: 'denied',
      });
      list.push({
        table,
        as: 'a',
        action: `delete ${owner}'s row`,
        query: (w) => deleteById(table, w.rows[table]?.[owner] ?? ''),
        expect: 'denied',
      });
      const ownEditable = owner === 'a' && facts.ownerUpdates.length > 0;
      list.push({
        table,
        as: 'a',
        action: `update ${owner}'s row`,
        query: (w) => byId(table, w.rows[table]?.[owner] ?? '', touch),
        expect: ownEditable ? 'allowed' : 'denied',
      });
    }
    list.push({
      table,
      as: 'service',
      action: "update b's row",
      query: (w) => byId(table, w.rows[table]?.b ?? '', touch),
      expect: 'allowed',
    });
    list.push({
      table,
      as: 'service',
      action: "delete b's row",
      query: (w) => deleteById(table, w.rows[table]?.b ?? ''),
      expect: 'allowed',
    });
  }
  for (const facts of trackingTables) {
    const table = facts.sql;
    const mine =
      (owner: string, extra: Record<string, unknown> = {}) =>
      (w: World) =>
        insert(table, { ...trackingRow(table, w, owner, { asCaller: true }), ...extra });
    const add = (as: AccessCase['as'], action: string, query: AccessCase['query'], ok: boolean) =>
      list.push({ table, as, action, query, expect: ok ? 'allowed' : 'denied' });
    add('anon', 'insert an anonymous row in its own session', mine('anon'), true);
    add('public', 'insert an anonymous row (no visitor claim)', mine('anon'), false);
    add(
      'anon',
      "insert a row claiming A's user_id",
      (w) => insert(table, trackingRow(table, w, 'anon', { asCaller: true, userId: w.a })),
      false,
    );
    add('a', 'insert its own row in its own session', mine('a'), true);
    add(
      'a',
      "insert a row under B's user_id",
      (w) => insert(table, trackingRow(table, w, 'a', { asCaller: true, userId: w.b })),
      false,
    );
    add(
      'a',
      'insert an anonymous row',
      (w) => insert(table, trackingRow(table, w, 'anon', { asCaller: true, userId: null })),
      false,
    );
    add('a', 'choose the id of its row (server-owned)', mine('a', { id: randomUUID() }), false);
    add('a', 'backdate created_at (server-owned)', mine('a', { created_at: '2001-01-01' }), false);
    const session = facts.session?.column ?? 'session_id';
    if (facts.session?.owns) {
      add('anon', 'choose a session id (squatting)', mine('anon', { [session]: 'squat' }), false);
    } else if (facts.session) {
      add(
        'a',
        "record into B's session",
        (w) =>
          insert(table, {
            ...trackingRow(table, w, 'a', { asCaller: true }),
            [session]: w.sessions.b,
          }),
        false,
      );
      add(
        'anon',
        "record into A's session",
        (w) =>
          insert(table, {
            ...trackingRow(table, w, 'anon', { asCaller: true }),
            [session]: w.sessions.a,
          }),
        false,
      );
    }
  }
  // Forged revenue: conversion fields are the service role's alone.
  for (const [as, owner] of [
    ['anon', 'anon'],
    ['a', 'a'],
  ] as const) {
    list.push({
      table: 'affiliate_clicks',
      as,
      action: 'insert a click already converted with a commission',
      query: (w) =>
        insert('affiliate_clicks', {
          ...trackingRow('affiliate_clicks', w, owner, { asCaller: true }),
          is_converted: true,
          conversion_timestamp: new Date().toISOString(),
          order_id: `forged-${randomUUID()}`,
          actual_commission: 99_999_999.99,
        }),
      expect: 'denied',
    });
  }
  list.push({
    table: 'session_analytics',
    as: 'a',
    action: 'insert its session with has_converted and a conversion value',
    query: (w) =>
      insert('session_analytics', {
        ...trackingRow('session_analytics', w, 'a', { asCaller: true }),
        has_converted: true,
        conversion_timestamp: new Date().toISOString(),
        conversion_value: 1000,
      }),
    expect: 'denied',
  });
  const prefs = 'user_preferences';
  list.push(
    {
      table: prefs,
      as: 'c',
      action: 'insert its own row with hand-set columns',
      query: (w) => insert(prefs, { user_id: w.c, liked_brands: '{acme}', price_sensitivity: 0.3 }),
      expect: 'allowed',
    },
    {
      table: prefs,
      as: 'c',
      action: 'insert its own row setting right_swipes (computed)',
      query: (w) => insert(prefs, { user_id: w.c, right_swipes: 5 }),
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'c',
      action: "insert B's row",
      query: (w) => insert(prefs, { user_id: w.b }),
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'anon',
      action: 'insert a row',
      query: (w) => insert(prefs, { user_id: w.c }),
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'a',
      action: 'set its own right_swipes (computed)',
      query: (w) => byId(prefs, w.a, 'right_swipes = 99'),
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'a',
      action: 'set its own data_quality_score (computed)',
      query: (w) => byId(prefs, w.a, 'data_quality_score = 1'),
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'a',
      action: 'change its own liked_brands at aal1 while MFA is required',
      query: (w) => [requireMfa, byId(prefs, w.a, "liked_brands = '{mfa}'")],
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'a-aal2',
      action: 'change its own liked_brands while MFA is required',
      query: (w) => [requireMfa, byId(prefs, w.a, "liked_brands = '{mfa}'")],
      expect: 'allowed',
    },
    {
      table: prefs,
      as: 'c',
      action: 'insert its own row at aal1 while MFA is required',
      query: (w) => [requireMfa, insert(prefs, { user_id: w.c, liked_brands: '{acme}' })],
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'a',
      action: "change B's liked_brands",
      query: (w) => byId(prefs, w.b, "liked_brands = '{x}'"),
      expect: 'denied',
    },
    {
      table: prefs,
      as: 'service',
      action: 'set computed columns',
      query: (w) => byId(prefs, w.a, 'right_swipes = 3, data_quality_score = 0.9'),
      expect: 'allowed',
    },
  );
  const fb = 'recommendation_feedback';
  list.push(
    {
      table: fb,
      as: 'a',
      action: 'give feedback on its own recommendation',
      query: (w) => insert(fb, feedbackRow(w.parentsA, w.a)),
      expect: 'allowed',
    },
    {
      table: fb,
      as: 'a',
      action: "give feedback on B's recommendation",
      query: (w) => insert(fb, feedbackRow(w.parentsB, w.a)),
      expect: 'denied',
    },
    {
      table: fb,
      as: 'a',
      action: "give feedback in B's name",
      query: (w) => insert(fb, feedbackRow(w.parentsB, w.b)),
      expect: 'denied',
    },
    {
      table: fb,
      as: 'a',
      action: 'set training_weight (training column)',
      query: (w) => insert(fb, feedbackRow(w.parentsA, w.a, { training_weight: 5 })),
      expect: 'denied',
    },
    {
      table: fb,
      as: 'a',
      action: 'set is_processed (training column)',
      query: (w) => insert(fb, feedbackRow(w.parentsA, w.a, { is_processed: true })),
      expect: 'denied',
    },
    {
      table: fb,
      as: 'anon',
      action: 'give feedback',
      query: (w) => insert(fb, feedbackRow(w.parentsA, w.a)),
      expect: 'denied',
    },
  );
  return list;
}

const identityOf = (as: AccessCase['as'], w: World): Identity =>
  as === 'anon'
    ? { role: 'anon', anonymousId: w.visitor }
    : as === 'public'
      ? { role: 'anon' }
      : as === 'service'
        ? { role: 'service_role' }
        : as === 'a-aal2'
          ? {
              role: 'authenticated',
              userId: w.a,
              claims: { aal: 'aal2', amr: [{ method: 'totp' }] },
            }
          : { role: 'authenticated', userId: as === 'a' ? w.a : w.c };

const who = {
  anon: 'an anonymous visitor',
  public: 'the anon key alone',
  a: 'user A',
  'a-aal2': 'user A with a second factor (aal2)',
  c: 'user C (no preferences yet)',
  service: 'service_role',
};

function judge(c: AccessCase, outcome: Outcome, visibleOwners: string[]): string | undefined {
  if (typeof c.expect === 'object') {
    const expected = c.expect.sees.join(', ') || 'nothing';
    // No SELECT privilege at all (42501) is the strictest way of seeing nothing.
    const refused = !outcome.ok && outcome.code === '42501';
    const found =
      outcome.ok || refused ? visibleOwners.join(', ') || 'nothing' : `error ${outcome.code}`;
    return expected === found ? undefined : `should see ${expected}, saw ${found}`;
  }
  const allowed = outcome.ok && outcome.count > 0;
  if (c.expect === 'allowed' && !allowed)
    return `should be allowed, was ${outcome.ok ? 'a no-op (0 rows)' : `refused: ${outcome.message}`}`;
  if (c.expect === 'denied' && allowed)
    return `should be refused, but touched ${outcome.ok ? outcome.count : 0} row(s)`;
  return undefined;
}

/** Runs the access matrix in one batch; each probe undone on its own (see `attemptAll`). */
export async function probeAccess(tx: Executor): Promise<CheckResult[]> {
  const world = await buildWorld(tx);
  const all = cases();
  const outcomes = await attemptAll(
    tx,
    all.map((c) => ({ identity: identityOf(c.as, world), query: c.query(world) })),
  );
  const results: CheckResult[] = [];
  for (const [i, c] of all.entries()) {
    const outcome = outcomes[i] as Outcome;
    const keys = outcome.ok ? outcome.rows.map((r) => String(r.key)) : [];
    const owners = Object.entries(world.rows[c.table] ?? {})
      .filter(([, id]) => keys.includes(id))
      .map(([owner]) => owner);
    const name = `${who[c.as]} may${c.expect === 'denied' ? ' not' : ''} ${c.action}`;
    const problem = judge(c, outcome, owners);
    results.push(
      problem
        ? fail(
            'probes',
            c.table,
            name,
            problem,
            "compare the table's policies and grants with the access rules of the data model; run `aclue-db migrate`",
          )
        : pass('probes', c.table, name),
    );
  }
  return results;
}
