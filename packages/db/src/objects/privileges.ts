import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { TableAccess } from '../schema/rules';
import { schemaTables, type TableName } from '../tables';
import { quoteIdent } from './sql-text';

/** The roles PostgREST (and the repositories) act as for callers: the public key, signed-in users. */
export const apiRoles = ['anon', 'authenticated'] as const;
export type ApiRole = (typeof apiRoles)[number];
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** A privilege on the whole table, or on the listed columns only. */
export type Grant =
  | TablePrivilege
  | { privilege: 'SELECT' | 'INSERT' | 'UPDATE'; columns: readonly string[] };

export interface TableGrants {
  table: PgTable;
  /** Exactly what each API role holds; anything not listed is revoked. */
  grants: Record<ApiRole, readonly Grant[]>;
}

const accessOf = (name: TableName): TableAccess => {
  const access = (schemaTables[name].rules as { access?: TableAccess }).access;
  if (!access) throw new Error(`table ${name} declares no access rules`);
  return access;
};

/** SQL column names of TypeScript keys of a table. */
const columnNames = (table: PgTable, keys: readonly string[]) => {
  const columns = getTableColumns(table);
  return keys.map((key) => {
    const column = columns[key];
    if (!column) throw new Error(`access rules of ${getTableConfig(table).name} name ${key}`);
    return column.name;
  });
};

/** The columns an API caller's INSERT may name: its identity's columns and what it may give. */
export function callerInsertKeys(access: TableAccess): string[] {
  return [
    ...(access.owner ? [access.owner.user] : []),
    ...(access.owner?.anonymous ? [access.owner.anonymous] : []),
    ...(access.insert ?? []),
    ...(access.derived ?? []),
  ];
}

/** The fields a repository accepts from a caller of `role`: what it may give, nothing it is. */
export function writableFields(name: TableName, role: string): readonly string[] {
  const access = accessOf(name);
  const given = access.insert ?? [];
  return role === 'service_role' ? [...given, ...(access.serviceInsert ?? [])] : given;
}

/** The columns the API roles may read: every one but the table's hidden ones. */
export function readableColumns(table: PgTable, access: TableAccess): string[] {
  const hidden = new Set(columnNames(table, access.hidden ?? []));
  return getTableConfig(table)
    .columns.map((c) => c.name)
    .filter((name) => !hidden.has(name));
}

function grantsFor(table: PgTable, access: TableAccess): TableGrants['grants'] {
  if (access.group === 'platform') return { anon: [], authenticated: [] };
  const select: Grant = access.hidden?.length
    ? { privilege: 'SELECT', columns: readableColumns(table, access) }
    : 'SELECT';
  if (access.group === 'catalogue') return { anon: [select], authenticated: [select] };
  const insert: Grant[] =
    (access.insert?.length ?? 0) > 0
      ? [{ privilege: 'INSERT', columns: columnNames(table, callerInsertKeys(access)) }]
      : [];
  // Tracking events: anonymous visitors record (and read back) their own; rows never change.
  if (access.group === 'tracking') {
    return { anon: [select, ...insert], authenticated: [select, ...insert] };
  }
  const owner: Grant[] = [select, ...insert];
  if ((access.update?.length ?? 0) > 0) {
    owner.push({ privilege: 'UPDATE', columns: columnNames(table, access.update ?? []) });
  }
  if (access.delete) owner.push('DELETE');
  return { anon: [], authenticated: owner };
}

/**
 * Least privilege for the API roles, on top of RLS, derived from each table's access rules:
 * policies decide which rows, these decide which operations and columns. Server-owned columns
 * (ids, times, conversions, counters, training fields) are in no grant, so a client holding the
 * public anon key cannot name them. TRUNCATE, which RLS does not govern, is granted to no API
 * role; the service role keeps SELECT, INSERT, UPDATE and DELETE.
 */
export const tableGrants: readonly TableGrants[] = (Object.keys(schemaTables) as TableName[]).map(
  (name) => {
    const { table } = schemaTables[name];
    return { table, grants: grantsFor(table, accessOf(name)) };
  },
);

/** The statements that bring one table's grants to what is declared. */
export function grantStatements({ table, grants }: TableGrants): string[] {
  const name = `public.${getTableConfig(table).name}`;
  const statements = [
    `REVOKE ALL ON TABLE ${name} FROM anon, authenticated;`,
    `REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE ${name} FROM service_role;`,
    // Explicit, not inherited from default privileges (which no longer hand out anything).
    `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${name} TO service_role;`,
  ];
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

/**
 * Closed by default: tables, sequences and functions created later in `public` by the role that
 * runs the migrations start with no privileges for the API roles (Supabase's defaults hand them
 * ALL), and no TRUNCATE for the service role. A later table must be granted on purpose.
 */
export const defaultPrivilegeStatements = [
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon, authenticated;',
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLES FROM service_role;',
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM anon, authenticated;',
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM anon, authenticated;',
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;',
];
