import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from './client';

/** One node of an EXPLAIN (FORMAT JSON) plan. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

/**
 * The planner's plan for `query`, every node in one list, on either driver (pg returns the JSON
 * parsed, PGlite as text). Nothing is executed.
 */
export async function explainPlan(db: Pick<Executor, 'execute'>, query: SQL): Promise<PlanNode[]> {
  const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(db, sql`EXPLAIN (FORMAT JSON) ${query}`);
  const raw = row?.['QUERY PLAN'];
  const [plan] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return plan ? flatten(plan.Plan) : [];
}
