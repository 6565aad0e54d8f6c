import { type Executor, queryRows, schemaTables, type TableName } from '@aclue/db';
import { updatedAtTriggers } from '@aclue/db/objects';
import {
  boundaries,
  boundaryContext,
  createAuthUser,
  createParents,
  type Parents,
  tableOf,
  validRow,
  violations,
} from '@aclue/db/samples';
import { getTableColumns, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { type CheckResult, fail, pass } from '../results';
import { type Attempt, attempt, attemptAll, type Outcome } from './attempt';

/**
 * Probes of what the schema does to rows, run as the owner: every CHECK rejects a violating row
 * and accepts its boundaries, every foreign key's ON DELETE rule happens, every updated_at
 * trigger fires. All derived from the schema's declarations, so a new rule is probed unasked.
 */

const owner = { role: 'owner' } as const;
const FIX = 'run `aclue-db migrate`; compare with the table declaration in packages/db/src/schema';

const insertRow = (tx: Executor, table: TableName, row: Record<string, unknown>) =>
  tx.insert(tableOf(table)).values(row as never);

export async function probeChecks(tx: Executor): Promise<CheckResult[]> {
  const parents = await createParents(tx);
  const rejections = violations().map((v) => ({
    table: getTableConfig(tableOf(v.table)).name,
    name: `check ${v.constraint} rejects ${JSON.stringify(v.change)}`,
    constraint: v.constraint,
    query: insertRow(tx, v.table, { ...validRow(v.table, parents), ...v.change }).getSQL(),
  }));
  const acceptances = [];
  for (const b of boundaries()) {
    const [column] = Object.keys(b.change);
    const row = {
      ...validRow(b.table, parents),
      ...boundaryContext[`${b.table}.${column}`],
      ...b.change,
    };
    // One preferences row per user: the boundary row needs a user of its own.
    if (b.table === 'userPreferences') row.userId = await createAuthUser(tx);
    acceptances.push({
      table: getTableConfig(tableOf(b.table)).name,
      name: `boundary ${JSON.stringify(b.change)} is accepted`,
      query: insertRow(tx, b.table, row).getSQL(),
    });
  }
  const outcomes = await attemptAll(
    tx,
    [...rejections, ...acceptances].map(({ query }) => ({ identity: owner, query })),
  );
  const results: CheckResult[] = [];
  rejections.forEach(({ table, name, constraint }, i) => {
    const outcome = outcomes[i] as Outcome;
    const rejectedByIt =
      !outcome.ok && outcome.code === '23514' && outcome.message.includes(constraint);
    results.push(
      rejectedByIt
        ? pass('probes', table, name)
        : fail(
            'probes',
            table,
            name,
            outcome.ok ? 'the row was accepted' : `rejected otherwise: ${outcome.message}`,
            FIX,
          ),
    );
  });
  acceptances.forEach(({ table, name }, i) => {
    const outcome = outcomes[rejections.length + i] as Outcome;
    results.push(
      outcome.ok ? pass('probes', table, name) : fail('probes', table, name, outcome.message, FIX),
    );
  });
  return results;
}

async function insertedId(tx: Executor, table: TableName, shared: Parents): Promise<string> {
  const [row] = await insertRow(tx, table, validRow(table, shared)).returning();
  return String((row as { id: string }).id);
}

/** A parent row that nothing but the row under test will reference, by referenced table. */
const loneParent: Record<string, (tx: Executor, shared: Parents) => Promise<string>> = {
  'auth.users': (tx) => createAuthUser(tx),
  'public.products': (tx, p) => insertedId(tx, 'products', p),
  'public.categories': (tx, p) => insertedId(tx, 'categories', p),
  'public.recommendations': (tx, p) => insertedId(tx, 'recommendations', p),
  'public.swipe_sessions': (tx, p) => insertedId(tx, 'swipeSessions', p),
  'public.affiliate_clicks': (tx, p) => insertedId(tx, 'affiliateClicks', p),
};

export async function probeForeignKeys(tx: Executor): Promise<CheckResult[]> {
  // In order: a finding already made, or a probe to run in the batch below.
  const planned: (CheckResult | { table: string; check: string; rule: string; column: string })[] =
    [];
  const probes: Attempt[] = [];
  for (const name of Object.keys(schemaTables) as TableName[]) {
    const config = getTableConfig(tableOf(name));
    const keyOf = Object.fromEntries(
      Object.entries(getTableColumns(tableOf(name))).map(([k, c]) => [c.name, k]),
    );
    for (const fk of config.foreignKeys) {
      const { columns, foreignTable } = fk.reference();
      const target = getTableConfig(foreignTable);
      const targetName = `${target.schema ?? 'public'}.${target.name}`;
      const column = columns[0]?.name ?? '';
      const rule = fk.onDelete ?? 'no action';
      const check = `foreign key ${fk.getName()}: deleting the ${target.name} row ${rule === 'cascade' ? 'deletes' : rule === 'set null' ? `sets ${column} to null in` : 'is refused while it is referenced by'} this row`;
      const createParent = loneParent[targetName];
      // A composite key (swipes' (session_id, user_id)) is probed through its first column: the
      // lone parent is made for the shared user, so the other columns already match it.
      if (!createParent) {
        planned.push(
          fail(
            'probes',
            config.name,
            check,
            `no probe for a reference to ${targetName}`,
            'add its parent to loneParent in probes/behaviour.ts',
          ),
        );
        continue;
      }
      // Parents of its own for each row under test: the probes' deletes never meet.
      const shared = await createParents(tx);
      const parentId = await createParent(tx, shared);
      const row = { ...validRow(name, shared), [keyOf[column] ?? column]: parentId };
      const [inserted] = await insertRow(tx, name, row).returning();
      const rowKey = config.columns.find((c) => c.primary)?.name ?? 'id';
      const rowId = (inserted as Record<string, unknown>)[keyOf[rowKey] ?? rowKey];
      planned.push({ table: config.name, check, rule, column });
      probes.push({
        identity: owner,
        query: [
          sql`DELETE FROM ${sql.raw(targetName)} WHERE id = ${parentId}`,
          sql`SELECT ${sql.identifier(column)}::text AS reference FROM ${sql.raw(`public.${config.name}`)}
            WHERE ${sql.identifier(rowKey)} = ${rowId}`,
        ],
      });
    }
  }
  const outcomes = (await attemptAll(tx, probes)).values();
  return planned.map((p) => {
    if ('ok' in p) return p;
    const problem = judgeDelete(p.rule, p.column, outcomes.next().value as Outcome);
    return problem
      ? fail('probes', p.table, p.check, problem, FIX)
      : pass('probes', p.table, p.check);
  });
}

/** What went wrong, if anything, when the parent of a row was deleted under `rule`. */
function judgeDelete(rule: string, column: string, after: Outcome): string | undefined {
  if (rule === 'no action' || rule === 'restrict') {
    return !after.ok && after.code === '23503'
      ? undefined
      : 'the parent could be deleted while referenced';
  }
  if (!after.ok) return `the delete was refused: ${after.message}`;
  if (rule === 'cascade')
    return after.rows.length === 0 ? undefined : 'the row survived its parent';
  return after.rows.length === 1 && after.rows[0]?.reference === null
    ? undefined
    : `${column} was not set to null`;
}

export async function probeTriggers(tx: Executor): Promise<CheckResult[]> {
  const parents = await createParents(tx);
  const results: CheckResult[] = [];
  for (const trigger of updatedAtTriggers) {
    const entry = Object.entries(schemaTables).find(
      ([, t]) => getTableConfig(t.table).name === trigger.table,
    );
    const name = `trigger ${trigger.name} moves updated_at on update`;
    if (!entry) continue;
    const tableName = entry[0] as TableName;
    const config = getTableConfig(entry[1].table);
    const key = config.columns.find((c) => c.primary)?.name ?? 'id';
    const keyProp =
      Object.entries(getTableColumns(entry[1].table)).find(([, c]) => c.name === key)?.[0] ?? key;
    const past = new Date('2000-01-01T00:00:00Z');
    const row: Record<string, unknown> = {
      ...validRow(tableName, parents),
      updatedAt: past,
      createdAt: past,
    };
    if (tableName === 'userPreferences') row.userId = await createAuthUser(tx);
    const [inserted] = await insertRow(tx, tableName, row).returning();
    const id = (inserted as Record<string, unknown>)[keyProp];
    await tx.execute(
      sql`UPDATE ${sql.raw(`public.${config.name}`)} SET ${sql.identifier(key)} = ${sql.identifier(key)} WHERE ${sql.identifier(key)} = ${id}`,
    );
    const [after] = await queryRows<{ moved: boolean }>(
      tx,
      sql`SELECT updated_at > '2000-01-02' AS moved FROM ${sql.raw(`public.${config.name}`)} WHERE ${sql.identifier(key)} = ${id}`,
    );
    results.push(
      after?.moved
        ? pass('probes', config.name, name)
        : fail('probes', config.name, name, 'updated_at kept its old value', FIX),
    );
  }
  results.push(await probeConversionGuard(tx));
  return results;
}

/** A converted click keeps its order: the guard trigger refuses a second one, even as owner. */
async function probeConversionGuard(tx: Executor): Promise<CheckResult> {
  const name = 'trigger guard_affiliate_clicks_conversion keeps a converted click’s order';
  const [click] = await insertRow(tx, 'affiliateClicks', {
    ...validRow('affiliateClicks', await createParents(tx)),
    isConverted: true,
    conversionTimestamp: new Date(),
    orderId: `probe-${Date.now()}`,
  }).returning();
  const outcome = await attempt(
    tx,
    owner,
    sql`UPDATE public.affiliate_clicks SET order_id = 'another-order' WHERE id = ${(click as { id: string }).id}`,
  );
  const refused =
    !outcome.ok && outcome.code === '23514' && outcome.message.includes('keeps its conversion');
  return refused
    ? pass('probes', 'affiliate_clicks', name)
    : fail(
        'probes',
        'affiliate_clicks',
        name,
        outcome.ok
          ? 'a second order overwrote the conversion'
          : `failed otherwise: ${outcome.message}`,
        FIX,
      );
}
