import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import {
  affiliateClicks,
  categories,
  feedbackTrainingColumns,
  products,
  productViews,
  recommendationFeedback,
  recommendations,
  sessionAnalytics,
  swipeInteractions,
  swipeSessions,
  userEditablePreferenceColumns,
  userPreferences,
} from '../schema';
import { quoteIdent } from './sql-text';

export type ApiRole = 'anon' | 'authenticated';
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** A privilege on the whole table, or on the listed columns only. */
export type Grant = TablePrivilege | { privilege: 'INSERT' | 'UPDATE'; columns: readonly string[] };

export interface TableGrants {
  table: PgTable;
  /** Exactly what each API role holds; anything not listed is revoked. */
  grants: Record<ApiRole, readonly Grant[]>;
}

const columnsExcept = (table: PgTable, excluded: readonly string[]) =>
  getTableConfig(table)
    .columns.map((c) => c.name)
    .filter((name) => !excluded.includes(name));

const catalogue = { anon: ['SELECT'], authenticated: ['SELECT'] } as const;
const ownerOnly = { anon: [], authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] } as const;
// Events are written once and never changed by the people they describe.
const trackingEvents = { anon: ['INSERT'], authenticated: ['SELECT', 'INSERT'] } as const;

/**
 * Least privilege for the API roles, on top of RLS: policies decide which rows, these decide which
 * operations and columns. TRUNCATE, which RLS does not govern, is never granted to them. The
 * service role keeps every privilege.
 */
export const tableGrants: readonly TableGrants[] = [
  { table: categories, grants: catalogue },
  { table: products, grants: catalogue },
  { table: swipeSessions, grants: ownerOnly },
  { table: swipeInteractions, grants: ownerOnly },
  { table: recommendations, grants: { anon: [], authenticated: ['SELECT'] } },
  { table: affiliateClicks, grants: trackingEvents },
  { table: sessionAnalytics, grants: trackingEvents },
  { table: productViews, grants: trackingEvents },
  {
    table: userPreferences,
    grants: {
      anon: [],
      authenticated: [
        'SELECT',
        { privilege: 'INSERT', columns: ['user_id', ...userEditablePreferenceColumns] },
        { privilege: 'UPDATE', columns: userEditablePreferenceColumns },
      ],
    },
  },
  {
    table: recommendationFeedback,
    grants: {
      anon: [],
      authenticated: [
        'SELECT',
        {
          privilege: 'INSERT',
          columns: columnsExcept(recommendationFeedback, feedbackTrainingColumns),
        },
      ],
    },
  },
];

/** The statements that bring one table's grants to what is declared. */
export function grantStatements({ table, grants }: TableGrants): string[] {
  const name = `public.${getTableConfig(table).name}`;
  const statements = [`REVOKE ALL ON TABLE ${name} FROM anon, authenticated;`];
  for (const [role, list] of Object.entries(grants)) {
    for (const grant of list) {
      statements.push(
        typeof grant === 'string'
          ? `GRANT ${grant} ON TABLE ${name} TO ${role};`
          : `GRANT ${grant.privilege} (${grant.columns.map(quoteIdent).join(', ')}) ON TABLE ${name} TO ${role};`,
      );
    }
  }
  return statements;
}
