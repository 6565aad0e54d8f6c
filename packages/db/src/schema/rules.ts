import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, check, getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { literal } from '../objects/sql-text';

/**
 * Each table's rules are declared once, here, and become three things: the CHECK constraints
 * drizzle-kit migrates, the zod refinements that reject bad input before it reaches the database,
 * and the message a person reads when the database rejects a row by constraint name.
 */

/** Inclusive numeric bounds of one column. */
export interface Range {
  min?: number;
  max?: number;
}

/** A rule over several columns of one row. */
export interface RowRule<Row = Record<string, unknown>> {
  /** Constraint name, unique in the schema. */
  name: string;
  /** The CHECK expression, in SQL over unqualified column names. */
  expression: string;
  /** What a person reads when a row breaks the rule. */
  message: string;
  /** The same rule in TypeScript, over a row as the caller sends it (defaults not yet applied). */
  holds: (row: Row) => boolean;
}

/**
 * What a table is for, which decides what the API roles (`anon`, `authenticated`) hold on it:
 * `catalogue` rows are read by anyone and written by the service role; `personal` rows belong to
 * one signed-in user; `tracking` rows are events recorded by anonymous visitors and users alike;
 * `platform` rows (audit trails) are the service role's alone.
 */
export type TableGroup = 'catalogue' | 'personal' | 'tracking' | 'platform';

/**
 * Who may write which column, declared once per table. It becomes the column privileges of the
 * API roles, the fields the repositories accept from a caller, and what verification expects.
 * Every column not listed (ids, audit and event times, conversion and revenue fields, counters,
 * training fields, generated values) is server-owned: only the service role writes it.
 */
export interface TableAccess {
  group: TableGroup;
  /** The columns naming whom a row belongs to, stamped from the caller's identity, never given. */
  owner?: { user: string; anonymous?: string };
  /**
   * Tracking tables: the column naming the visit a row belongs to. The session table `owns` it
   * (the database generates the key); events name a session of their caller's (a policy checks).
   */
  session?: { column: string; owns?: true };
  /** What an API caller may give when it inserts a row. */
  insert?: readonly string[];
  /** What the owner may change afterwards. */
  update?: readonly string[];
  /** Columns the repositories compute from the caller's input and write as the caller. */
  derived?: readonly string[];
  /** Whether the owner may delete its rows. */
  delete?: boolean;
  /** Beyond `insert`, what the service role may give through the repositories (event times). */
  serviceInsert?: readonly string[];
  /**
   * Columns the API roles may not read, even on their own rows: the business's figures (what a
   * click earns, the order it became). SELECT is granted on every other column.
   */
  hidden?: readonly string[];
}

/**
 * Columns the database fills from the row's parent when a row is inserted, so a caller cannot
 * choose them (what a click earns comes from the product, not from the visitor's word). A value
 * given by a role that may write the column (the service role, the owner restoring an export) is
 * kept; the API roles hold no INSERT privilege on these columns, so theirs always come from the
 * parent. A row whose parent is not found (or not visible to the caller) and that lacks a
 * `required` column is refused under `constraint`.
 */
export interface DerivedFromParent {
  /** The foreign-key column naming the parent (TypeScript name). */
  key: string;
  /** The parent table's SQL name and primary key column. */
  parent: string;
  parentKey: string;
  /** Each derived column (TypeScript name) and its SQL expression over the parent row `p`. */
  columns: Record<string, string>;
  /** Derived columns a row cannot do without (TypeScript names). */
  required: readonly string[];
  /** The CHECK-violation name raised when a required column cannot be derived. */
  constraint: string;
  /** What a person reads then. */
  message: string;
}

/**
 * Declarative range partitioning by an event time, one partition per UTC month. The partitions
 * live in a schema the API does not expose (`aclue_partitions`): callers reach rows only through
 * the parent, whose policies and grants decide.
 */
export interface Partitioning {
  /** The event-time column (TypeScript name); it joins the primary key, as PostgreSQL requires. */
  by: string;
  interval: 'month';
  /** Months of partitions kept ready after the current one (`aclue-db partitions maintain`). */
  ahead: number;
  /**
   * Whole months kept before the current one; older partitions are archived (without the columns
   * that name a person or a visit) and dropped by `aclue-db retention`.
   */
  keepMonths: number;
  /**
   * Beyond the owner and session columns, what archives leave out because it links a row to a
   * person (a recommendation made for them, free text they typed).
   */
  archiveLeavesOut?: readonly string[];
}

/**
 * Personal data kept only for a while: `days` after the event-time column `after`, each listed
 * column is anonymised — `network` keeps an address's network (/24 of IPv4, /48 of IPv6), enough
 * for country-level analytics; `null` removes the value.
 */
export interface PersonalDataRetention {
  after: string;
  days: number;
  anonymise: Record<string, 'network' | 'null'>;
}

/**
 * How much one API caller (`anon`, `authenticated`) may write, enforced in the database for
 * every door (PostgREST, the repositories, raw SQL) by a statement-level trigger; the service
 * role and the owner answer for their own traffic and are not counted. Over quota, the whole
 * statement fails with SQLSTATE `PT429` (PostgREST answers HTTP 429); nothing is dropped.
 */
export interface WriteQuota {
  /** Most rows one owner (a user, or an anonymous visitor) may add per hour, by `time`. */
  perOwnerPerHour?: { rows: number; time: string };
  /** Most rows one session (the table's `access.session` column) may hold. */
  perSession?: number;
  /** Largest row, in bytes as PostgreSQL stores it (`pg_column_size`), on insert and update. */
  rowBytes: number;
}

export interface TableRules<Row = Record<string, unknown>> {
  access?: TableAccess;
  quota?: WriteQuota;
  derivedFrom?: DerivedFromParent;
  partitioning?: Partitioning;
  retention?: PersonalDataRetention;
  /** Most characters of a text column, where the default (`bounds.text`) does not fit. */
  lengths?: Record<string, number>;
  /** Most elements of an array column, where the default (`bounds.items`) does not fit. */
  items?: Record<string, number>;
  /** Largest JSON document of a jsonb column in bytes, where `bounds.jsonBytes` does not fit. */
  jsonBytes?: Record<string, number>;
  /** Timestamp columns that may lie in the future (an expiry); every other one is an event. */
  futureTimes?: readonly string[];
  /**
   * Allowed values of text columns declared with `enum`, keyed by TypeScript column name. Repeated
   * here because drizzle does not show a column's enum inside the table's extra-config callback.
   */
  enums?: Record<string, readonly string[]>;
  /** Numeric bounds keyed by the TypeScript column name. */
  ranges?: Record<string, Range>;
  rows?: readonly RowRule<Row>[];
}

/**
 * Bounds every column of its kind gets unless its table's rules say otherwise. Indexed text must
 * stay far below a btree entry's 2,704 bytes (4 bytes a character at worst).
 */
export const bounds = {
  text: 500,
  items: 100,
  itemText: 200,
  jsonBytes: 16_384,
  jsonDepth: 8,
  earliest: '2000-01-01',
  futureSlackMinutes: 5,
} as const;

export const describeRange = ({ min, max }: Range): string => {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
  if (min !== undefined) return `must be at least ${min}`;
  return `must be at most ${max}`;
};

const rangeExpression = (column: string, { min, max }: Range): string =>
  [
    min === undefined ? undefined : `${column} >= ${min}`,
    max === undefined ? undefined : `${column} <= ${max}`,
  ]
    .filter(Boolean)
    .join(' AND ');

const columnOf = (table: string, columns: Record<string, AnyPgColumn>, key: string) => {
  const column = columns[key];
  if (!column) throw new Error(`rules of ${table} name unknown column "${key}"`);
  return column;
};

/** The SQL name of the column a table's rules name by its TypeScript key; throws on a typo. */
export const ruleColumnName = (table: PgTable, key: string): string =>
  columnOf(getTableConfig(table).name, getTableColumns(table), key).name;

export const checkName = (table: string, column: string, kind?: string) =>
  `${table}_${column}${kind ? `_${kind}` : ''}_check`;

/** One CHECK constraint as declared: its name, SQL expression and the sentence a person reads. */
export interface CheckDeclaration {
  name: string;
  expression: string;
  message: string;
}

/** The bound a column of this kind gets from its table's rules, if any. */
export interface ColumnBound {
  kind: 'length' | 'items' | 'shape' | 'time';
  /** Most characters, items or bytes (`time`: whether the column may lie in the future). */
  limit: number;
  /** Text arrays: most characters of one element. */
  itemText?: number;
  future?: boolean;
}

/** Columns of a type the schema bounds (text, arrays, jsonb, timestamps), and their bound. */
export function columnBound(
  key: string,
  column: AnyPgColumn,
  rules: TableRules<never>,
): ColumnBound | undefined {
  switch (column.columnType) {
    case 'PgText':
      return rules.enums?.[key]
        ? undefined
        : { kind: 'length', limit: rules.lengths?.[key] ?? bounds.text };
    case 'PgArray': {
      // A table's columns have `baseColumn`; the extra-config callback's see only the builder.
      const array = column as unknown as {
        baseColumn?: AnyPgColumn;
        config?: { baseBuilder?: { config?: { columnType?: string } } };
      };
      const baseType =
        array.baseColumn?.columnType ?? array.config?.baseBuilder?.config?.columnType;
      const text = baseType === 'PgText';
      return {
        kind: 'items',
        limit: rules.items?.[key] ?? bounds.items,
        ...(text ? { itemText: bounds.itemText } : {}),
      };
    }
    case 'PgJsonb':
      return { kind: 'shape', limit: rules.jsonBytes?.[key] ?? bounds.jsonBytes };
    case 'PgTimestamp':
    case 'PgTimestampString':
      return { kind: 'time', limit: 0, future: rules.futureTimes?.includes(key) ?? false };
    default:
      return undefined;
  }
}

export const describeBound = (column: string, bound: ColumnBound): string => {
  switch (bound.kind) {
    case 'length':
      return `${column} must be at most ${bound.limit} characters`;
    case 'items':
      return bound.itemText
        ? `${column} must have at most ${bound.limit} items of at most ${bound.itemText} characters`
        : `${column} must have at most ${bound.limit} items`;
    case 'shape':
      return `${column} must be a JSON object of at most ${bound.limit} bytes, nested at most ${bounds.jsonDepth} levels deep`;
    case 'time':
      return bound.future
        ? `${column} must not be before ${bounds.earliest}`
        : `${column} must be between ${bounds.earliest} and ${bounds.futureSlackMinutes} minutes from now`;
  }
};

function boundExpression(column: string, bound: ColumnBound): string {
  switch (bound.kind) {
    case 'length':
      return `char_length(${column}) <= ${bound.limit}`;
    case 'items':
      return bound.itemText
        ? `cardinality(${column}) <= ${bound.limit} AND char_length(array_to_string(${column}, '')) <= ${bound.limit * bound.itemText}`
        : `cardinality(${column}) <= ${bound.limit}`;
    case 'shape':
      return `jsonb_typeof(${column}) = 'object' AND octet_length(${column}::text) <= ${bound.limit} AND NOT jsonb_path_exists(${column}, 'lax $.**{${bounds.jsonDepth + 1} to last}')`;
    case 'time': {
      const earliest = `${column} >= '${bounds.earliest} 00:00:00+00'::timestamptz`;
      return bound.future
        ? earliest
        : `${earliest} AND ${column} <= now() + interval '${bounds.futureSlackMinutes} minutes'`;
    }
  }
}

/**
 * Every CHECK of a table, derived from its rules and its columns' types: one per enum, range,
 * bounded column (text length, array size, JSON shape, event time) and row rule.
 */
export function checkDeclarations(
  table: string,
  columns: Record<string, AnyPgColumn>,
  rules: TableRules<never>,
): CheckDeclaration[] {
  const list: CheckDeclaration[] = [];
  for (const [key, values] of Object.entries(rules.enums ?? {})) {
    const column = columnOf(table, columns, key).name;
    list.push({
      name: checkName(table, column),
      expression: `${column} IN (${values.map(literal).join(', ')})`,
      message: `${column} must be one of ${values.join(', ')}`,
    });
  }
  for (const [key, range] of Object.entries(rules.ranges ?? {})) {
    const column = columnOf(table, columns, key).name;
    list.push({
      name: checkName(table, column),
      expression: rangeExpression(column, range),
      message: `${column} ${describeRange(range)}`,
    });
  }
  for (const key of [
    ...Object.keys(rules.lengths ?? {}),
    ...Object.keys(rules.items ?? {}),
    ...Object.keys(rules.jsonBytes ?? {}),
    ...(rules.futureTimes ?? []),
  ]) {
    columnOf(table, columns, key);
  }
  for (const [key, column] of Object.entries(columns)) {
    // A generated column is computed from others, which are bounded themselves.
    if ((column as { generated?: unknown }).generated) continue;
    const bound = columnBound(key, column, rules);
    if (!bound) continue;
    list.push({
      name: checkName(table, column.name, bound.kind),
      expression: boundExpression(column.name, bound),
      message: describeBound(column.name, bound),
    });
  }
  for (const rule of rules.rows ?? []) {
    list.push({ name: rule.name, expression: rule.expression, message: rule.message });
  }
  return list;
}

/** The CHECK constraints of a table. Call inside the table's extra-config callback with its columns. */
export const checksFor = (
  table: string,
  columns: Record<string, AnyPgColumn>,
  rules: TableRules<never>,
) =>
  checkDeclarations(table, columns, rules).map((c) => check(c.name, sql.raw(c.expression) as SQL));

/** Constraint name → readable message, for every check of the table. */
export function checkMessages(table: PgTable, rules: TableRules<never>): Record<string, string> {
  const { name } = getTableConfig(table);
  return Object.fromEntries(
    checkDeclarations(name, getTableColumns(table), rules).map((c) => [c.name, c.message]),
  );
}
