import { getTableColumns } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type BuildSchema, createSchemaFactory } from 'drizzle-zod';
import type { z } from 'zod';
import { isPlausibleTime, isStorableText, jsonObject, storableTextMessage } from './bounds';
import type { RowRule, TableRules } from './schema/rules';
import { columnBound, describeBound, describeRange } from './schema/rules';

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

type Refinement = (schema: never) => z.ZodType;
type Kind = 'insert' | 'update';

const textColumnTypes = new Set(['PgText', 'PgVarchar', 'PgChar']);

/** The largest magnitude a `numeric(p, s)` stores, after PostgreSQL rounds to `s` decimals. */
const numericLimit = (column: AnyPgColumn) => {
  const { precision, scale = 0 } = column as unknown as { precision?: number; scale?: number };
  if (precision === undefined) return undefined;
  return { scale, max: 10 ** (precision - scale) - 10 ** -scale };
};

/** A replacement schema loses drizzle-zod's optional/nullable: put back what the column allows. */
function asColumnAllows(schema: z.ZodType, column: AnyPgColumn, kind: Kind): z.ZodType {
  let result = column.notNull ? schema : schema.nullable();
  if (kind === 'update' || !column.notNull || column.hasDefault) result = result.optional();
  return result;
}

/**
 * zod refinements mirroring every CHECK of one column (range, length, array size, JSON shape,
 * event-time window), plus what the column's type cannot hold (NUL, unpaired surrogates, digits
 * beyond its precision), keyed by TypeScript column name.
 */
function columnRefinements(table: PgTable, rules: TableRules<never>, kind: Kind) {
  const columns = getTableColumns(table);
  const refinements: Record<string, Refinement | z.ZodType> = {};
  for (const [key, column] of Object.entries(columns)) {
    const name = column.name;
    const bound = column.generated ? undefined : columnBound(key, column, rules);
    const range = rules.ranges?.[key];
    const numeric = column.columnType === 'PgNumericNumber' ? numericLimit(column) : undefined;
    if (bound?.kind === 'shape') {
      refinements[key] = asColumnAllows(
        jsonObject(name, bound.limit, describeBound(name, bound)),
        column,
        kind,
      );
    } else if (bound?.kind === 'items') {
      const message = describeBound(name, bound);
      refinements[key] = ((schema: z.ZodArray<z.ZodType>) =>
        schema
          .max(bound.limit, message)
          .refine(
            (items) =>
              !bound.itemText ||
              items.every(
                (item) =>
                  typeof item !== 'string' ||
                  (item.length <= (bound.itemText ?? 0) && isStorableText(item)),
              ),
            message,
          )) as Refinement;
    } else if (bound?.kind === 'time') {
      const message = describeBound(name, bound);
      refinements[key] = ((schema: z.ZodDate) =>
        schema.refine((value) => isPlausibleTime(value, bound.future), message)) as Refinement;
    } else if (textColumnTypes.has(column.columnType) && !rules.enums?.[key]) {
      const max = bound?.kind === 'length' ? bound.limit : undefined;
      refinements[key] = ((schema: z.ZodString) =>
        (max === undefined
          ? schema
          : schema.max(max, `${name} must be at most ${max} characters`)
        ).refine(isStorableText, storableTextMessage(name))) as Refinement;
    } else if (range || numeric) {
      const message = range ? `${name} ${describeRange(range)}` : '';
      refinements[key] = ((schema: z.ZodNumber) => {
        let refined = schema;
        if (range?.min !== undefined) refined = refined.min(range.min, message);
        if (range?.max !== undefined) refined = refined.max(range.max, message);
        if (!numeric) return refined;
        return refined.refine(
          (value) => Math.abs(Number(value.toFixed(numeric.scale))) <= numeric.max,
          `${name} must be between -${numeric.max} and ${numeric.max} with at most ${numeric.scale} decimals`,
        );
      }) as Refinement;
    }
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
  // Columns the database derives from a parent row may be left out of an insert.
  const derived = Object.keys(rules.derivedFrom?.columns ?? {});
  const insert = createInsertSchema(table, columnRefinements(table, rules, 'insert'));
  return {
    select: createSelectSchema(table),
    insert: withRowRules(
      derived.length === 0
        ? insert
        : ((insert as unknown as z.ZodObject).partial(
            Object.fromEntries(derived.map((key) => [key, true])) as never,
          ) as unknown as typeof insert),
      rules.rows,
    ),
    update: createUpdateSchema(table, columnRefinements(table, rules, 'update')),
  };
}
