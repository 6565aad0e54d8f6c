import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { tables } from '../tables';
import { derivedColumnFunctions, derivedColumnMessages, derivedColumnTriggers } from './derived';
import { quotaFunctions, quotaTriggers } from './quotas';
import { rollupTriggers } from './rollups';

export interface FunctionDeclaration {
  schema: string;
  name: string;
  /** The function's pinned `search_path` ('' = nothing is looked up implicitly). */
  searchPath: string;
  /** What it returns (`trigger` unless said). */
  returns?: string;
  /** Runs as its owner (only where the caller must not hold the privileges it uses). */
  securityDefiner?: boolean;
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
  timing: 'BEFORE' | 'AFTER';
  event: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
  /** ROW unless said. */
  level?: 'ROW' | 'STATEMENT';
  /** Transition tables' names (statement-level AFTER triggers). */
  transitionTables?: { old?: string; new?: string };
  function: string;
}

/**
 * A click converts once: once `is_converted`, its order, time and commission stay as recorded
 * (a network reporting a second order for the same click is a conflict, not an update). Only an
 * explicit correction, which sets `aclue.conversion_correction` for its own transaction, may
 * change them. Raised as a check violation named `affiliate_clicks_converts_once`.
 */
export const conversionGuardFunction: FunctionDeclaration = {
  schema: 'public',
  name: 'guard_click_conversion',
  searchPath: '',
  definition: `CREATE OR REPLACE FUNCTION public.guard_click_conversion()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $fn$
BEGIN
  IF OLD.is_converted
    AND (NEW.is_converted, NEW.order_id, NEW.conversion_timestamp, NEW.actual_commission)
      IS DISTINCT FROM (OLD.is_converted, OLD.order_id, OLD.conversion_timestamp, OLD.actual_commission)
    AND pg_catalog.current_setting('aclue.conversion_correction', true) IS DISTINCT FROM 'on'
  THEN
    RAISE EXCEPTION 'a converted click keeps its conversion'
      USING ERRCODE = '23514', CONSTRAINT = 'affiliate_clicks_converts_once';
  END IF;
  RETURN NEW;
END;
$fn$;`,
};

/** Rules enforced by triggers, by the name they raise: what a person reads when one refuses. */
export const triggerRuleMessages: Readonly<Record<string, string>> = {
  affiliate_clicks_converts_once:
    'a converted click keeps its order, time and commission; a different order is a conflict',
  ...derivedColumnMessages,
};

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

/**
 * Every trigger of the schema: updated_at, the conversion guard, the columns derived from a
 * parent row, the write quotas, and the rollups' day marks.
 */
export const tableTriggers: readonly TriggerDeclaration[] = [
  ...updatedAtTriggers,
  ...rollupTriggers,
  ...derivedColumnTriggers,
  ...quotaTriggers,
  {
    table: 'affiliate_clicks',
    name: 'guard_affiliate_clicks_conversion',
    timing: 'BEFORE',
    event: 'UPDATE',
    function: `${conversionGuardFunction.schema}.${conversionGuardFunction.name}`,
  },
];

/** `orReplace` makes the statement safe to run again (push); migrations keep plain CREATE. */
export const triggerStatement = (trigger: TriggerDeclaration, { orReplace = false } = {}) =>
  [
    `CREATE ${orReplace ? 'OR REPLACE ' : ''}TRIGGER ${trigger.name} ${trigger.timing} ${trigger.event} ON public.${trigger.table}`,
    ...(trigger.transitionTables
      ? [
          `REFERENCING${trigger.transitionTables.old ? ` OLD TABLE AS ${trigger.transitionTables.old}` : ''}${trigger.transitionTables.new ? ` NEW TABLE AS ${trigger.transitionTables.new}` : ''}`,
        ]
      : []),
    `FOR EACH ${trigger.level ?? 'ROW'} EXECUTE FUNCTION ${trigger.function}();`,
  ].join(' ');

/** Every trigger function the schema declares. */
export const triggerFunctions: readonly FunctionDeclaration[] = [
  updatedAtFunction,
  conversionGuardFunction,
  ...derivedColumnFunctions,
  ...quotaFunctions,
];

/**
 * No one may call these SECURITY DEFINER trigger functions on their own: they run as their owner,
 * and only their triggers (which need no EXECUTE privilege) should run them.
 */
export const revokeExecute = (functions: readonly FunctionDeclaration[]): string[] =>
  functions
    .filter((f) => f.securityDefiner)
    .map(
      (f) =>
        `REVOKE ALL ON FUNCTION ${f.schema}.${f.name}() FROM PUBLIC, anon, authenticated, service_role;`,
    );
