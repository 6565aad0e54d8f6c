import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { tables } from '../tables';

export interface FunctionDeclaration {
  schema: string;
  name: string;
  /** The function's pinned `search_path` ('' = nothing is looked up implicitly). */
  searchPath: string;
  definition: string;
}

/**
 * The one trigger function every table with `updated_at` shares. Its search_path is pinned to ''
 * (the original's was mutable, which Supabase's advisor flags): `now()` resolves in pg_catalog.
 */
export const updatedAtFunction: FunctionDeclaration = {
  schema: 'public',
  name: 'update_updated_at_column',
  searchPath: '',
  definition: `CREATE OR REPLACE FUNCTION public.update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $fn$
BEGIN
  NEW.updated_at := pg_catalog.now();
  RETURN NEW;
END;
$fn$;`,
};

export interface TriggerDeclaration {
  table: string;
  name: string;
  timing: 'BEFORE';
  event: 'UPDATE';
  function: string;
}

const hasUpdatedAt = (table: PgTable) =>
  getTableConfig(table).columns.some((column) => column.name === 'updated_at');

/** One BEFORE UPDATE trigger per table that has an `updated_at` column, derived from the schema. */
export const updatedAtTriggers: readonly TriggerDeclaration[] = tables
  .filter(hasUpdatedAt)
  .map((table) => {
    const { name } = getTableConfig(table);
    return {
      table: name,
      name: `update_${name}_updated_at`,
      timing: 'BEFORE',
      event: 'UPDATE',
      function: `${updatedAtFunction.schema}.${updatedAtFunction.name}`,
    };
  });

/** `orReplace` makes the statement safe to run again (push); migrations keep plain CREATE. */
export const triggerStatement = (trigger: TriggerDeclaration, { orReplace = false } = {}) =>
  `CREATE ${orReplace ? 'OR REPLACE ' : ''}TRIGGER ${trigger.name} ${trigger.timing} ${trigger.event} ON public.${trigger.table} FOR EACH ROW EXECUTE FUNCTION ${trigger.function}();`;
