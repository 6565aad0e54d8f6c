import { randomUUID } from 'node:crypto';
import { getTableColumns, sql } from 'drizzle-orm';
import { type AnyPgColumn, getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client';
import * as s from './schema';
import { bounds, type ColumnBound, checkName, columnBound, type Range } from './schema/rules';
import { schemaTables, type TableName } from './tables';

/**
 * Sample rows derived from the schema's rules: a valid row per table, and for every CHECK a change
 * that breaks it and the boundary values it must accept. Tests, verification probes and seeding
 * share them, so adding a rule adds its probes everywhere.
 */

/** Creates a user in `auth.users`, as Supabase Auth would on sign-up, and returns its id. */
export async function createAuthUser(
  db: Pick<Executor, 'execute'>,
  email?: string,
): Promise<string> {
  const id = randomUUID();
  await db.execute(
    sql`INSERT INTO auth.users (id, email) VALUES (${id}, ${email ?? `${id}@example.test`})`,
  );
  return id;
}

/** Rows that other tables' foreign keys point to, created as the table owner. */
export interface Parents {
  userId: string;
  categoryId: string;
  productId: string;
  swipeSessionId: string;
  recommendationId: string;
  /** A converted click, as the service role records one. */
  clickId: string;
}

export async function createParents(db: Executor): Promise<Parents> {
  const userId = await createAuthUser(db);
  const [category] = await db
    .insert(s.categories)
    .values({ name: 'Test', slug: `test-${randomUUID()}` })
    .returning();
  const [product] = await db
    .insert(s.products)
    .values({
      title: 'Test product',
      categoryId: category?.id,
      // A click's network, link and commission come from its product.
      affiliateNetwork: 'amazon',
      affiliateUrl: 'https://example.test/p/1',
      commissionRate: 0.05,
      priceMin: 50,
    })
    .returning();
  const [session] = await db.insert(s.swipeSessions).values({ userId }).returning();
  const [recommendation] = await db
    .insert(s.recommendations)
    .values({ userId, productId: product?.id ?? '', confidenceScore: 0.5 })
    .returning();
  const [click] = await db
    .insert(s.affiliateClicks)
    .values({
      sessionId: `parent-${randomUUID()}`,
      sourcePage: '/',
      affiliateNetwork: 'parent',
      affiliateUrl: 'https://example.test/parent',
      // Long ago, so it falls outside every analytics window a test looks at.
      clickTimestamp: new Date('2001-01-01T00:00:00Z'),
      isConverted: true,
      conversionTimestamp: new Date('2001-01-02T00:00:00Z'),
      orderId: `parent-${randomUUID()}`,
    })
    .returning();
  if (!category || !product || !session || !recommendation || !click)
    throw new Error('parents not created');
  return {
    clickId: click.id,
    userId,
    categoryId: category.id,
    productId: product.id,
    swipeSessionId: session.id,
    recommendationId: recommendation.id,
  };
}

/** A minimal valid row of each table, as its TypeScript insert object. */
export function validRow(name: TableName, p: Parents): Record<string, unknown> {
  const rows: Record<TableName, Record<string, unknown>> = {
    categories: { name: 'Gifts', slug: `gifts-${randomUUID()}` },
    products: {
      title: 'Lamp',
      categoryId: p.categoryId,
      affiliateNetwork: 'amazon',
      affiliateUrl: 'https://example.test/p/2',
    },
    swipeSessions: { userId: p.userId },
    swipeInteractions: {
      sessionId: p.swipeSessionId,
      userId: p.userId,
      productId: p.productId,
      swipeDirection: 'right',
    },
    recommendations: { userId: p.userId, productId: p.productId, confidenceScore: 0.9 },
    // Network, link and commission come from the product (the database derives them).
    affiliateClicks: { sessionId: 'sess-1', sourcePage: '/gifts', productId: p.productId },
    userPreferences: { userId: p.userId },
    sessionAnalytics: { sessionId: `sess-${randomUUID()}`, landingPage: '/' },
    productViews: { productId: p.productId, sessionId: 'sess-1' },
    recommendationFeedback: {
      recommendationId: p.recommendationId,
      userId: p.userId,
      productId: p.productId,
      feedbackType: 'explicit',
      feedbackAction: 'like',
      feedbackValue: 0.5,
      modelVersion: 'm1',
    },
    conversionCorrections: {
      clickId: p.clickId,
      reason: 'network revised the commission',
      correctedBy: 'test',
    },
  };
  return rows[name];
}

const hourAgo = () => new Date(Date.now() - 3_600_000);

/**
 * For each multi-column rule, a change to a valid row that breaks it. Checks on one column (ranges
 * and enums) are derived from the rules themselves and need no entry here.
 */
export const rowRuleViolations: Record<string, Record<string, unknown>> = {
  products_price_range_check: { priceMin: 20, priceMax: 10 },
  swipe_sessions_budget_range_check: { budgetMin: 50, budgetMax: 10 },
  swipe_sessions_completed_after_start_check: { startedAt: new Date(), completedAt: hourAgo() },
  affiliate_clicks_converted_has_timestamp_check: { isConverted: true },
  affiliate_clicks_commission_requires_conversion_check: { actualCommission: 5 },
  affiliate_clicks_conversion_after_click_check: {
    clickTimestamp: new Date(),
    isConverted: true,
    conversionTimestamp: hourAgo(),
  },
  session_analytics_ended_after_start_check: { startedAt: new Date(), endedAt: hourAgo() },
  session_analytics_registered_has_timestamp_check: { hasRegistered: true },
  session_analytics_converted_has_timestamp_check: { hasConverted: true },
};

export const tableOf = (name: TableName): PgTable => schemaTables[name].table;

/** What else a row needs for a column to hold a boundary value (a rule that involves it). */
export const boundaryContext: Record<string, Record<string, unknown>> = {
  'affiliateClicks.actualCommission': {
    clickTimestamp: hourAgo(),
    isConverted: true,
    conversionTimestamp: new Date(),
  },
};

export interface Violation {
  table: TableName;
  constraint: string;
  change: Record<string, unknown>;
}

const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
};

/** A value one past a column's bound (`over`) or exactly at it, for a column of that kind. */
function boundValue(column: AnyPgColumn, bound: ColumnBound, over: boolean): unknown {
  const extra = over ? 1 : 0;
  switch (bound.kind) {
    case 'length':
      return 'x'.repeat(bound.limit + extra);
    case 'items':
      return Array.from({ length: bound.limit + extra }, () =>
        bound.itemText ? 'x'.repeat(Math.min(bound.itemText, 20)) : 0,
      );
    case 'shape':
      // An object whose deepest value sits at level jsonDepth (+1 when over).
      return nested(bounds.jsonDepth + 1 + extra);
    case 'time':
      if (!over) return new Date(`${bounds.earliest}T00:00:00Z`);
      // Past the upper bound where there is one: a date that breaks no rule ordering times.
      return bound.future ? new Date('1999-12-31T00:00:00Z') : new Date('9999-01-01T00:00:00Z');
    default:
      return column.name;
  }
}

/** Every bounded column of every table, with its table, bound and constraint name. */
function boundedColumns() {
  return (Object.entries(schemaTables) as [TableName, (typeof schemaTables)[TableName]][]).flatMap(
    ([name, { table, rules }]) =>
      Object.entries(getTableColumns(table) as Record<string, AnyPgColumn>).flatMap(
        ([key, column]) => {
          const bound = column.generated ? undefined : columnBound(key, column, rules);
          if (!bound) return [];
          const constraint = checkName(getTableConfig(table).name, column.name, bound.kind);
          const inRowRule = (rules.rows ?? []).some((r) => r.expression.includes(column.name));
          return [{ name, key, column, bound, constraint, inRowRule }];
        },
      ),
  );
}

/** One violating change per CHECK constraint of the schema, derived from the declared rules. */
export function violations(): Violation[] {
  const list: Violation[] = [];
  for (const [name, { table, rules }] of Object.entries(schemaTables) as [
    TableName,
    (typeof schemaTables)[TableName],
  ][]) {
    const tableName = getTableConfig(table).name;
    const columns: Record<string, AnyPgColumn> = getTableColumns(table);
    const constraint = (key: string) => `${tableName}_${columns[key]?.name}_check`;
    for (const key of Object.keys(rules.enums ?? {})) {
      list.push({
        table: name,
        constraint: constraint(key),
        change: { [key]: 'not-a-valid-value' },
      });
    }
    for (const [key, range] of Object.entries(rules.ranges ?? {}) as [string, Range][]) {
      if (range.min !== undefined)
        list.push({ table: name, constraint: constraint(key), change: { [key]: range.min - 1 } });
      if (range.max !== undefined)
        list.push({ table: name, constraint: constraint(key), change: { [key]: range.max + 1 } });
    }
    for (const rule of rules.rows ?? []) {
      list.push({ table: name, constraint: rule.name, change: rowRuleViolations[rule.name] ?? {} });
    }
  }
  for (const c of boundedColumns()) {
    list.push({
      table: c.name,
      constraint: c.constraint,
      change: { [c.key]: boundValue(c.column, c.bound, true) },
    });
  }
  return list;
}

/**
 * Boundary values of every range and bound, which the checks must accept (the earliest time only
 * where no rule orders the column against another time).
 */
export function boundaries(): Violation[] {
  const ranges = Object.entries(schemaTables).flatMap(([name, { rules }]) =>
    (Object.entries(rules.ranges ?? {}) as [string, Range][]).flatMap(([key, range]) =>
      [range.min, range.max]
        .filter((v) => v !== undefined)
        .map((v) => ({ table: name as TableName, constraint: '', change: { [key]: v } })),
    ),
  );
  const bounded = boundedColumns()
    .filter((c) => c.bound.kind !== 'time' || !c.inRowRule)
    .map((c) => ({
      table: c.name,
      constraint: '',
      change: { [c.key]: boundValue(c.column, c.bound, false) },
    }));
  return [...ranges, ...bounded];
}
