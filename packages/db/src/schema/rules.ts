import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, check, getTableConfig, type PgTable } from 'drizzle-orm/pg-core';

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

export interface TableRules<Row = Record<string, unknown>> {
  /**
   * Allowed values of text columns declared with `enum`, keyed by TypeScript column name. Repeated
   * here because drizzle does not show a column's enum inside the table's extra-config callback.
   */
  enums?: Record<string, readonly string[]>;
  /** Numeric bounds keyed by the TypeScript column name. */
  ranges?: Record<string, Range>;
  rows?: readonly RowRule<Row>[];
}

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

const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

const columnOf = (table: string, columns: Record<string, AnyPgColumn>, key: string) => {
  const column = columns[key];
  if (!column) throw new Error(`rules of ${table} name unknown column "${key}"`);
  return column;
};

export const checkName = (table: string, column: string) => `${table}_${column}_check`;

/**
 * The CHECK constraints of a table: one per enum column, one per range, one per row rule.
 * Call inside the table's extra-config callback with its columns.
 */
export function checksFor(table: string, columns: Record<string, AnyPgColumn>, rules: TableRules) {
  const checks = [];
  for (const [key, values] of Object.entries(rules.enums ?? {})) {
    const column = columnOf(table, columns, key);
    const list = values.map(quoteLiteral).join(', ');
    checks.push(check(checkName(table, column.name), sql.raw(`${column.name} IN (${list})`)));
  }
  for (const [key, range] of Object.entries(rules.ranges ?? {})) {
    const column = columnOf(table, columns, key);
    checks.push(
      check(checkName(table, column.name), sql.raw(rangeExpression(column.name, range)) as SQL),
    );
  }
  for (const rule of rules.rows ?? []) {
    checks.push(check(rule.name, sql.raw(rule.expression)));
  }
  return checks;
}

/** Constraint name → readable message, for every check of the table. */
export function checkMessages(table: PgTable, rules: TableRules<never>): Record<string, string> {
  const { name } = getTableConfig(table);
  const columns = getTableColumns(table);
  const messages: Record<string, string> = {};
  for (const [key, values] of Object.entries(rules.enums ?? {})) {
    const column = columnOf(name, columns, key);
    messages[checkName(name, column.name)] = `${column.name} must be one of ${values.join(', ')}`;
  }
  for (const [key, range] of Object.entries(rules.ranges ?? {})) {
    const column = columnOf(name, columns, key);
    messages[checkName(name, column.name)] = `${column.name} ${describeRange(range)}`;
  }
  for (const rule of rules.rows ?? []) messages[rule.name] = rule.message;
  return messages;
}
