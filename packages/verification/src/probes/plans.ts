import { type Executor, explainPlan, type Identity, setLocalIdentity } from '@aclue/db';
import { type SQL, sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import { trackingTables } from './access-world';
import { inSavepoint } from './attempt';

/**
 * The documented access paths and the index meant to serve each. With sequential scans
 * discouraged (on a nearly empty table a scan would win), EXPLAIN must serve the path from an
 * index of its table: the intended one, or, once real data gives the planner a better choice,
 * another one. A sequential scan fails the check. Query speed itself is measured in bench/.
 */
interface AccessPath {
  table: string;
  query: string;
  statement: SQL;
  index: string;
}

const id = '00000000-0000-4000-8000-000000000000';

const paths: AccessPath[] = [
  {
    table: 'affiliate_clicks',
    query: "a user's clicks, newest first",
    statement: sql`SELECT id FROM public.affiliate_clicks WHERE user_id = ${id}`,
    index: 'idx_affiliate_clicks_user_id',
  },
  {
    table: 'affiliate_clicks',
    query: 'conversions of the last week, newest first',
    statement: sql`SELECT id FROM public.affiliate_clicks WHERE is_converted = true
      ORDER BY conversion_timestamp DESC LIMIT 50`,
    index: 'idx_affiliate_clicks_conversions',
  },
  {
    table: 'affiliate_clicks',
    query: "one network's clicks over a period",
    statement: sql`SELECT id FROM public.affiliate_clicks WHERE affiliate_network = 'amazon'
      AND click_timestamp > now() - interval '7 days' ORDER BY click_timestamp DESC`,
    index: 'idx_affiliate_clicks_network_timestamp',
  },
  {
    table: 'product_views',
    query: "a product's recent views",
    statement: sql`SELECT id FROM public.product_views WHERE product_id = ${id}
      ORDER BY view_timestamp DESC LIMIT 20`,
    index: 'idx_product_views_product_timestamp',
  },
  {
    table: 'product_views',
    query: "a user's recent views",
    statement: sql`SELECT id FROM public.product_views WHERE user_id = ${id}
      ORDER BY view_timestamp DESC LIMIT 20`,
    index: 'idx_product_views_user_timestamp',
  },
  {
    table: 'product_views',
    query: "a session's views in order",
    statement: sql`SELECT id FROM public.product_views WHERE session_id = 's'
      ORDER BY view_timestamp DESC`,
    index: 'idx_product_views_session_timestamp',
  },
  {
    table: 'session_analytics',
    query: 'a session by its key',
    statement: sql`SELECT id FROM public.session_analytics WHERE session_id = 's'`,
    index: 'session_analytics_session_id_key',
  },
  {
    table: 'session_analytics',
    query: 'active sessions by last activity',
    statement: sql`SELECT id FROM public.session_analytics WHERE is_active = true
      ORDER BY last_activity_at DESC LIMIT 100`,
    index: 'idx_session_analytics_active',
  },
  {
    table: 'recommendation_feedback',
    query: 'the oldest unprocessed feedback (training feed)',
    statement: sql`SELECT id FROM public.recommendation_feedback WHERE is_processed = false
      ORDER BY created_at LIMIT 100`,
    index: 'idx_recommendation_feedback_unprocessed',
  },
  {
    table: 'user_preferences',
    query: 'preferences most in need of recalculation',
    statement: sql`SELECT user_id FROM public.user_preferences
      ORDER BY last_calculated DESC LIMIT 100`,
    index: 'idx_user_preferences_last_calculated',
  },
  {
    table: 'products',
    query: 'product search by title similarity',
    statement: sql`SELECT id FROM public.products WHERE title OPERATOR(extensions.%) 'lamp'`,
    index: 'idx_products_title_trgm',
  },
];

/**
 * Who can ask PostgREST for a whole tracking table with no filter (`select count(*)`): the bare
 * anon key, a visitor, a signed-in user. Their policies must lead to an index, or every such
 * request reads the whole table.
 */
const unfilteredCallers: { who: string; identity: Identity }[] = [
  { who: 'the bare anon key', identity: { role: 'anon' } },
  { who: 'a visitor', identity: { role: 'anon', anonymousId: 'anon-plan-probe' } },
  { who: 'a signed-in user', identity: { role: 'authenticated', userId: id } },
];

/** The plan of `statement` run as `identity`, in a savepoint undone after (role and claims). */
async function planAs(tx: Executor, identity: Identity, statement: SQL) {
  const undo = new Error('undo the identity');
  let nodes: Awaited<ReturnType<typeof explainPlan>> = [];
  try {
    await inSavepoint(tx, async (savepoint) => {
      await setLocalIdentity(savepoint, identity);
      nodes = await explainPlan(savepoint, statement);
      throw undo;
    });
  } catch (error) {
    if (error !== undo) throw error;
  }
  return nodes;
}

async function probeUnfilteredReads(tx: Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const table of trackingTables) {
    for (const { who, identity } of unfilteredCallers) {
      const name = `${who} cannot make select count(*) read every row`;
      const nodes = await planAs(tx, identity, sql.raw(`SELECT count(*) FROM public.${table.sql}`));
      const scanned = nodes
        .filter((n) => n['Node Type'] === 'Seq Scan')
        .map((n) => n['Relation Name']);
      results.push(
        scanned.length === 0
          ? pass('probes', table.sql, name)
          : fail(
              'probes',
              table.sql,
              name,
              `its policies leave a sequential scan of ${[...new Set(scanned)].join(', ')}`,
              'give the policy a condition an index can serve (the owner column, or session_id = any (array(…)))',
              'anyone holding the public anon key can make the database read the whole table, again and again',
            ),
      );
    }
  }
  return results;
}

export async function probePlans(tx: Executor): Promise<CheckResult[]> {
  await tx.execute(sql`SET LOCAL enable_seqscan = off`);
  const results: CheckResult[] = await probeUnfilteredReads(tx);
  for (const path of paths) {
    const name = `${path.query} is served by an index (${path.index})`;
    try {
      const nodes = await inSavepoint(tx, (savepoint) => explainPlan(savepoint, path.statement));
      const indexes = nodes.filter((n) => n['Index Name']).map((n) => n['Index Name']);
      const seqScan = nodes.some(
        (n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === path.table,
      );
      results.push(
        !seqScan && indexes.length > 0
          ? pass('probes', path.table, name)
          : fail(
              'probes',
              path.table,
              name,
              `the planner used ${indexes.join(', ') || 'a sequential scan'}`,
              `restore ${path.index} as the schema declares it (aclue-db migrate)`,
            ),
      );
    } catch (error) {
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      results.push(
        fail(
          'probes',
          path.table,
          name,
          `EXPLAIN failed: ${cause.message}`,
          'run aclue-db migrate',
        ),
      );
    }
  }
  return results;
}
