import { literal, quoteIdent, tables } from '@aclue/db';
import { inlinedSql, policyExpression, policyRoles } from '@aclue/db/objects';
import { is, SQL } from 'drizzle-orm';
import {
  type AnyPgColumn,
  getTableConfig,
  type Index,
  type IndexedColumn,
  type PgPolicy,
  type PgTable,
} from 'drizzle-orm/pg-core';

/**
 * The declared side: each table of the Drizzle schema rendered as DDL for a temporary copy. Built
 * in the session's temporary schema, PostgreSQL deparses our declarations exactly as it deparsed
 * the migrations, so the two catalogs compare by meaning, not by spelling.
 */

// Values inlined, as drizzle-kit does when it writes migrations.
const render = inlinedSql;

function renderDefault(column: AnyPgColumn): string | undefined {
  const value = column.default as unknown;
  if (value === undefined) return undefined;
  if (is(value, SQL)) return render(value);
  if (typeof value === 'string') return literal(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return `${literal(JSON.stringify(value))}::${column.getSQLType()}`;
}

function renderGenerated(column: AnyPgColumn): string | undefined {
  const as = column.generated?.as as unknown;
  if (as === undefined) return undefined;
  const value = typeof as === 'function' ? (as as () => unknown)() : as;
  return is(value, SQL) ? render(value) : String(value);
}

function renderColumn(column: AnyPgColumn): string {
  const parts = [quoteIdent(column.name), column.getSQLType()];
  const generated = renderGenerated(column);
  if (generated) parts.push(`GENERATED ALWAYS AS (${generated}) STORED`);
  const fallback = renderDefault(column);
  if (fallback !== undefined && !generated) parts.push(`DEFAULT ${fallback}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

function renderIndex(table: string, index: Index): string {
  const { name, unique, method = 'btree', where, columns } = index.config;
  const ordered = method === 'btree';
  const list = columns.map((c) => {
    if (is(c, SQL)) return `(${render(c)})`;
    const column = c as IndexedColumn;
    const { order, nulls, opClass } = column.indexConfig ?? {};
    // drizzle-kit writes NULLS LAST unless told otherwise (ASC NULLS LAST is PostgreSQL's
    // default), and no ordering at all for methods without one (gin).
    return [
      quoteIdent(column.name ?? ''),
      opClass,
      ordered && order === 'desc' ? 'DESC' : undefined,
      ordered ? `NULLS ${(nulls ?? 'last').toUpperCase()}` : undefined,
    ]
      .filter(Boolean)
      .join(' ');
  });
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name ?? '')} ON pg_temp.${quoteIdent(table)} USING ${method} (${list.join(', ')})${where ? ` WHERE ${render(where)}` : ''}`;
}

/** CREATE POLICY for a declared policy, on the twin (`pg_temp`) or on the real table. */
export function renderPolicy(table: string, policy: PgPolicy, schema = 'pg_temp'): string {
  const roles = policyRoles(policy);
  return [
    `CREATE POLICY ${quoteIdent(policy.name)} ON ${schema}.${quoteIdent(table)}`,
    `AS ${(policy.as ?? 'permissive').toUpperCase()}`,
    `FOR ${(policy.for ?? 'all').toUpperCase()}`,
    `TO ${roles.map((r) => (r === 'public' ? r : quoteIdent(r))).join(', ')}`,
    policy.using ? `USING (${policyExpression(policy.using)})` : '',
    policy.withCheck ? `WITH CHECK (${policyExpression(policy.withCheck)})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export interface DeclaredForeignKey {
  name: string;
  columns: string[];
  target: string;
  targetColumns: string[];
  onDelete: string;
}

export interface DeclaredTable {
  name: string;
  table: PgTable;
  /** Statements that build the temporary copy, in order. */
  ddl: string[];
  /** Foreign keys are compared as declared: a temporary table cannot reference a real one. */
  foreignKeys: DeclaredForeignKey[];
}

export function declareTable(table: PgTable): DeclaredTable {
  const config = getTableConfig(table);
  const name = config.name;
  const body = config.columns.map(renderColumn);
  const primary = config.columns.filter((c) => c.primary).map((c) => quoteIdent(c.name));
  if (primary.length > 0) body.push(`PRIMARY KEY (${primary.join(', ')})`);
  for (const pk of config.primaryKeys) {
    body.push(`PRIMARY KEY (${pk.columns.map((c) => quoteIdent(c.name)).join(', ')})`);
  }
  for (const column of config.columns) {
    if (column.isUnique) {
      body.push(
        `CONSTRAINT ${quoteIdent(column.uniqueName ?? `${name}_${column.name}_key`)} UNIQUE (${quoteIdent(column.name)})`,
      );
    }
  }
  for (const unique of config.uniqueConstraints) {
    body.push(
      `CONSTRAINT ${quoteIdent(unique.getName() ?? '')} UNIQUE (${unique.columns.map((c) => quoteIdent(c.name)).join(', ')})`,
    );
  }
  for (const check of config.checks) {
    body.push(`CONSTRAINT ${quoteIdent(check.name)} CHECK (${render(check.value)})`);
  }
  const ddl = [
    `CREATE TEMP TABLE ${quoteIdent(name)} (\n  ${body.join(',\n  ')}\n) ON COMMIT DROP`,
  ];
  ddl.push(...config.indexes.map((index) => renderIndex(name, index)));
  if (config.enableRLS || config.policies.length > 0) {
    ddl.push(`ALTER TABLE pg_temp.${quoteIdent(name)} ENABLE ROW LEVEL SECURITY`);
  }
  ddl.push(...config.policies.map((policy) => renderPolicy(name, policy)));

  const foreignKeys = config.foreignKeys.map((fk) => {
    const reference = fk.reference();
    const target = getTableConfig(reference.foreignTable);
    return {
      name: fk.getName(),
      columns: reference.columns.map((c) => c.name),
      target: `${target.schema ?? 'public'}.${target.name}`,
      targetColumns: reference.foreignColumns.map((c) => c.name),
      onDelete: fk.onDelete ?? 'no action',
    };
  });
  return { name, table, ddl, foreignKeys };
}

/** Every table the schema declares. */
export const declaredTables = (): DeclaredTable[] => tables.map(declareTable);
