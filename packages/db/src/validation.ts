import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type BuildSchema, createSchemaFactory } from 'drizzle-zod';
import type { z } from 'zod';
import type { Range, RowRule, TableRules } from './schema/rules';
import { describeRange } from './schema/rules';

type Coerce = { date: true };
type Schema<Kind extends 'select' | 'insert' | 'update', T extends PgTable> = BuildSchema<
  Kind,
  T['_']['columns'],
  undefined,
  Coerce
>;
type Factory<Kind extends 'select' | 'insert' | 'update'> = <T extends PgTable>(
  table: T,
  refine?: object,
) => Schema<Kind, T>;

// Callers send JSON: timestamps arrive as ISO strings. Our refinements only narrow a column's own
// schema, so the result has the unrefined type; declaring it so keeps the compiler out of
// drizzle-zod's per-column refinement types, which are too deep for a generic helper.
const factory = createSchemaFactory({ coerce: { date: true } });
const createSelectSchema = factory.createSelectSchema as Factory<'select'>;
const createInsertSchema = factory.createInsertSchema as Factory<'insert'>;
const createUpdateSchema = factory.createUpdateSchema as Factory<'update'>;

type NumberRefinement = (schema: z.ZodNumber) => z.ZodNumber;
type StringRefinement = (schema: z.ZodString) => z.ZodString;

const textColumnTypes = new Set(['PgText', 'PgVarchar', 'PgChar']);

/** PostgreSQL text cannot hold NUL, and an unpaired surrogate cannot be stored as UTF-8. */
const storableText =
  (column: string): StringRefinement =>
  (schema) =>
    schema.refine((value) => !value.includes('\u0000') && value.isWellFormed(), {
      message: `${column} must be valid text (no NUL characters or unpaired surrogates)`,
    });

/**
 * zod refinements mirroring the table's range checks, and making text storable, keyed by
 * TypeScript column name.
 */
function columnRefinements(table: PgTable, ranges: Record<string, Range> = {}) {
  const columns = getTableColumns(table);
  const refinements: Record<string, NumberRefinement | StringRefinement> = {};
  for (const [key, column] of Object.entries(columns)) {
    if (textColumnTypes.has(column.columnType) && !column.enumValues) {
      refinements[key] = storableText(column.name);
    }
  }
  for (const [key, range] of Object.entries(ranges)) {
    const column = columns[key];
    if (!column) throw new Error(`range for unknown column ${key}`);
    const message = `${column.name} ${describeRange(range)}`;
    refinements[key] = (schema: z.ZodNumber) => {
      let refined = schema;
      if (range.min !== undefined) refined = refined.min(range.min, message);
      if (range.max !== undefined) refined = refined.max(range.max, message);
      return refined;
    };
  }
  return refinements;
}

/** Adds the table's multi-column rules to an object schema, reported under the rule's name. */
function withRowRules<S extends z.ZodType>(schema: S, rules: readonly RowRule<never>[] = []): S {
  if (rules.length === 0) return schema;
  return schema.superRefine((row, ctx) => {
    for (const rule of rules) {
      if (!(rule.holds as (row: unknown) => boolean)(row)) {
        ctx.addIssue({ code: 'custom', message: rule.message, params: { constraint: rule.name } });
      }
    }
  }) as S;
}

/**
 * The zod schemas of a table: what the database's types, enums, lengths and CHECK constraints
 * would reject is rejected here first, with a message naming the column and the rule.
 */
export interface TableSchemas<T extends PgTable> {
  select: Schema<'select', T>;
  insert: Schema<'insert', T>;
  update: Schema<'update', T>;
}

export function tableSchemas<T extends PgTable>(
  table: T,
  rules: TableRules<never>,
): TableSchemas<T> {
  const refine = columnRefinements(table, rules.ranges);
  return {
    select: createSelectSchema(table),
    insert: withRowRules(createInsertSchema(table, refine), rules.rows),
    update: createUpdateSchema(table, refine),
  };
}
