import { getTableColumns } from 'drizzle-orm';
import { type AnyPgColumn, getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { TableAccess, TableGroup } from './schema/rules';
import { schemaTables, type TableName } from './tables';

/**
 * What code outside the schema needs to know about a table — its SQL name, group, key, owner and
 * session columns, what a caller may write — read from the declarations, in SQL column names, so
 * probes, seeds and checks never switch on a table's name.
 */
export interface TableFacts {
  /** The TypeScript name (`productViews`). */
  name: TableName;
  /** The SQL name (`product_views`). */
  sql: string;
  table: PgTable;
  group: TableGroup;
  primaryKey: string[];
  owner?: { user: string; anonymous?: string };
  session?: { column: string; owns?: true };
  /** What an API caller may give on insert. */
  insertable: string[];
  /** What the owner may change afterwards. */
  ownerUpdates: string[];
}

function factsOf(name: TableName): TableFacts {
  const { table, rules } = schemaTables[name];
  const access = (rules as { access?: TableAccess }).access;
  const columns = getTableColumns(table) as Record<string, { name: string; primary: boolean }>;
  const sqlName = (key: string) => columns[key]?.name ?? key;
  const config = getTableConfig(table);
  const primaryKey = [
    ...Object.values(columns)
      .filter((c) => c.primary)
      .map((c) => c.name),
    ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
  ];
  return {
    name,
    sql: config.name,
    table,
    group: access?.group ?? 'platform',
    primaryKey,
    ...(access?.owner
      ? {
          owner: {
            user: sqlName(access.owner.user),
            ...(access.owner.anonymous ? { anonymous: sqlName(access.owner.anonymous) } : {}),
          },
        }
      : {}),
    ...(access?.session
      ? { session: { ...access.session, column: sqlName(access.session.column) } }
      : {}),
    insertable: (access?.insert ?? []).map(sqlName),
    ownerUpdates: (access?.update ?? []).map(sqlName),
  };
}

/** Every table's facts, in the schema's order. */
export const tableFacts: readonly TableFacts[] = (Object.keys(schemaTables) as TableName[]).map(
  factsOf,
);

/** The facts of a table by its SQL name. */
export function tableFactsOf(sqlName: string): TableFacts {
  const found = tableFacts.find((t) => t.sql === sqlName);
  if (!found) throw new Error(`no table ${sqlName} in the schema`);
  return found;
}

/** The tables of the given groups, in the schema's order. */
export const tablesInGroups = (...groups: TableGroup[]): readonly TableFacts[] =>
  tableFacts.filter((t) => groups.includes(t.group));

/**
 * The drizzle columns of `table` an API caller may read: every one but those its access rules
 * hide (the business's figures). Selecting these keeps a caller's query inside its column
 * privileges; the service role reads them the same way where a caller's shape is returned.
 */
export function readableColumns(table: PgTable): Record<string, AnyPgColumn> {
  const entry = Object.values(schemaTables).find((e) => e.table === table);
  const hidden = new Set((entry?.rules as { access?: TableAccess } | undefined)?.access?.hidden);
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).filter(([key]) => !hidden.has(key)),
  ) as Record<string, AnyPgColumn>;
}
