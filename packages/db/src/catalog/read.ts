import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../client';

/**
 * A schema as PostgreSQL sees it, read from pg_catalog. Expressions are PostgreSQL's own deparsed
 * text (pg_get_expr, pg_get_constraintdef, pg_get_indexdef), so two catalogs built from the same
 * declarations compare equal however the SQL was spelled.
 */
export interface CatalogTable {
  name: string;
  rls: boolean;
  columns: Map<string, CatalogColumn>;
  primaryKey: string[];
  uniques: Map<string, string[]>;
  checks: Map<string, string>;
  foreignKeys: Map<string, CatalogForeignKey>;
  indexes: Map<string, CatalogIndex>;
  policies: Map<string, CatalogPolicy>;
  triggers: Map<string, CatalogTrigger>;
}

export interface CatalogColumn {
  type: string;
  notNull: boolean;
  default: string | null;
  generated: string | null;
}

export interface CatalogForeignKey {
  columns: string[];
  target: string;
  targetColumns: string[];
  onDelete: string;
}

export interface CatalogIndex {
  unique: boolean;
  /** `USING btree (col DESC) WHERE ...`: method, columns, order, opclasses and predicate. */
  definition: string;
  predicate: string | null;
  /** Backs a primary key or unique constraint rather than standing alone. */
  constraint: boolean;
}

export interface CatalogPolicy {
  permissive: boolean;
  command: string;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

export interface CatalogTrigger {
  timing: string;
  events: string[];
  level: 'ROW' | 'STATEMENT';
  function: string;
  /** Fires in normal operation: 'O'rigin or 'A'lways (a 'R'eplica trigger does not, 'D' is off). */
  enabled: boolean;
  /** Has a WHEN condition. */
  when: boolean;
  /** Transition tables' names. */
  oldTable: string | null;
  newTable: string | null;
}

/** The schema to read: a name, or the session's temporary schema. */
export type SchemaRef = string | { temporary: true };

const schemaOid = (schema: SchemaRef) =>
  typeof schema === 'string'
    ? sql`(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${schema})`
    : sql`pg_catalog.pg_my_temp_schema()`;

const deleteRules: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};
const commands: Record<string, string> = {
  r: 'select',
  a: 'insert',
  w: 'update',
  d: 'delete',
  '*': 'all',
};

/** Reads every table of `schema` with its columns, constraints, indexes, policies and triggers. */
export async function readCatalog(
  db: Executor,
  schema: SchemaRef,
): Promise<Map<string, CatalogTable>> {
  const ns = schemaOid(schema);
  const tables = new Map<string, CatalogTable>();
  const tableRows = await queryRows<{ name: string; rls: boolean }>(
    db,
    sql`SELECT relname AS name, relrowsecurity AS rls FROM pg_catalog.pg_class
        WHERE relnamespace = ${ns} AND relkind IN ('r', 'p') ORDER BY relname`,
  );
  for (const { name, rls } of tableRows) {
    tables.set(name, {
      name,
      rls,
      columns: new Map(),
      primaryKey: [],
      uniques: new Map(),
      checks: new Map(),
      foreignKeys: new Map(),
      indexes: new Map(),
      policies: new Map(),
      triggers: new Map(),
    });
  }
  const table = (name: string) => tables.get(name);

  const columns = await queryRows<{
    tbl: string;
    name: string;
    type: string;
    not_null: boolean;
    expr: string | null;
    generated: string;
  }>(
    db,
    sql`SELECT c.relname AS tbl, a.attname AS name,
          pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
          pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expr, a.attgenerated AS generated
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p') AND a.attnum > 0
          AND NOT a.attisdropped
        ORDER BY a.attnum`,
  );
  for (const c of columns) {
    const isGenerated = c.generated !== '';
    table(c.tbl)?.columns.set(c.name, {
      type: c.type,
      notNull: c.not_null,
      default: isGenerated ? null : c.expr,
      generated: isGenerated ? c.expr : null,
    });
  }

  const constraints = await queryRows<{
    tbl: string;
    name: string;
    type: string;
    columns: string[];
    definition: string;
    target: string | null;
    target_columns: string[] | null;
    delete_rule: string;
  }>(
    db,
    sql`SELECT c.relname AS tbl, k.conname AS name, k.contype AS type,
          ARRAY(SELECT attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                JOIN pg_catalog.pg_attribute ON attrelid = k.conrelid AND attnum = u.n
                ORDER BY u.i)::text[] AS columns,
          pg_catalog.pg_get_constraintdef(k.oid) AS definition,
          (SELECT n.nspname || '.' || r.relname FROM pg_catalog.pg_class r
            JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
            WHERE r.oid = k.confrelid) AS target,
          ARRAY(SELECT attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                JOIN pg_catalog.pg_attribute ON attrelid = k.confrelid AND attnum = u.n
                ORDER BY u.i)::text[] AS target_columns,
          k.confdeltype AS delete_rule
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        WHERE c.relnamespace = ${ns}`,
  );
  for (const k of constraints) {
    const t = table(k.tbl);
    if (!t) continue;
    if (k.type === 'p') t.primaryKey = k.columns;
    if (k.type === 'u') t.uniques.set(k.name, k.columns);
    if (k.type === 'c') t.checks.set(k.name, k.definition);
    if (k.type === 'f') {
      t.foreignKeys.set(k.name, {
        columns: k.columns,
        target: k.target ?? '',
        targetColumns: k.target_columns ?? [],
        onDelete: deleteRules[k.delete_rule] ?? k.delete_rule,
      });
    }
  }

  const indexes = await queryRows<{
    tbl: string;
    name: string;
    unique: boolean;
    definition: string;
    predicate: string | null;
    constraint: boolean;
  }>(
    db,
    sql`SELECT c.relname AS tbl, ic.relname AS name, i.indisunique AS unique,
          pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
          pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
          EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid
                  AND k.contype IN ('p', 'u')) AS constraint
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        WHERE c.relnamespace = ${ns}`,
  );
  for (const i of indexes) {
    table(i.tbl)?.indexes.set(i.name, {
      unique: i.unique,
      // Drop `CREATE INDEX name ON schema.table`: the rest is what the index is.
      definition: i.definition.slice(i.definition.indexOf(' USING ') + 1),
      predicate: i.predicate,
      constraint: i.constraint,
    });
  }

  const policies = await queryRows<{
    tbl: string;
    name: string;
    permissive: boolean;
    command: string;
    roles: string[];
    using: string | null;
    with_check: string | null;
  }>(
    db,
    sql`SELECT c.relname AS tbl, p.polname AS name, p.polpermissive AS permissive,
          p.polcmd AS command,
          ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END
                FROM unnest(p.polroles) r ORDER BY 1)::text[] AS roles,
          pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using,
          pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
        FROM pg_catalog.pg_policy p
        JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
        WHERE c.relnamespace = ${ns}`,
  );
  for (const p of policies) {
    table(p.tbl)?.policies.set(p.name, {
      permissive: p.permissive,
      command: commands[p.command] ?? p.command,
      roles: p.roles,
      using: p.using,
      withCheck: p.with_check,
    });
  }

  const triggers = await queryRows<{
    tbl: string;
    name: string;
    type: number;
    function: string;
    enabled: string;
    when: boolean;
    old_table: string | null;
    new_table: string | null;
  }>(
    db,
    sql`SELECT c.relname AS tbl, g.tgname AS name, g.tgtype AS type,
          fn_ns.nspname || '.' || fn.proname AS function, g.tgenabled AS enabled,
          g.tgqual IS NOT NULL AS when, g.tgoldtable::text AS old_table, g.tgnewtable::text AS new_table
        FROM pg_catalog.pg_trigger g
        JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
        JOIN pg_catalog.pg_proc fn ON fn.oid = g.tgfoid
        JOIN pg_catalog.pg_namespace fn_ns ON fn_ns.oid = fn.pronamespace
        WHERE c.relnamespace = ${ns} AND NOT g.tgisinternal`,
  );
  for (const g of triggers) {
    table(g.tbl)?.triggers.set(g.name, {
      ...decodeTrigger(g.type, g.function, g.enabled),
      when: g.when,
      oldTable: g.old_table,
      newTable: g.new_table,
    });
  }
  return tables;
}

/** pg_trigger.tgtype is a bit set: row/statement, before/after/instead, and the events. */
function decodeTrigger(
  type: number,
  fn: string,
  enabled: string,
): Omit<CatalogTrigger, 'when' | 'oldTable' | 'newTable'> {
  const events = [
    [4, 'INSERT'],
    [8, 'DELETE'],
    [16, 'UPDATE'],
    [32, 'TRUNCATE'],
  ]
    .filter(([bit]) => type & (bit as number))
    .map(([, event]) => event as string);
  return {
    timing: type & 64 ? 'INSTEAD OF' : type & 2 ? 'BEFORE' : 'AFTER',
    events,
    level: type & 1 ? 'ROW' : 'STATEMENT',
    function: fn,
    enabled: enabled === 'O' || enabled === 'A',
  };
}
