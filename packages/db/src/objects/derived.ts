import { getTableColumns } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { DerivedFromParent } from '../schema/rules';
import { tableFactsOf } from '../table-facts';
import { schemaTables } from '../tables';
import { readableUnder } from './policy-text';
import { apiRoles } from './privileges';
import { literal, quoteIdent } from './sql-text';
import type { FunctionDeclaration, TriggerDeclaration } from './triggers';

interface DerivingTable {
  table: string;
  rule: DerivedFromParent;
  /** Per API role, when it may read a parent row: the parent's read policies for that role. */
  parentReadable: { role: string; condition: string }[];
  /** SQL name of each derived column, with its expression over the parent row `p`. */
  columns: { name: string; expression: string; required: boolean }[];
  key: string;
}

/** Every table whose rules derive columns from a parent row, in SQL names. */
const derivingTables: readonly DerivingTable[] = Object.values(schemaTables).flatMap(
  ({ table, rules }) => {
    const rule = (rules as { derivedFrom?: DerivedFromParent }).derivedFrom;
    if (!rule) return [];
    const columns = getTableColumns(table) as Record<string, { name: string }>;
    const sqlName = (key: string) => {
      const column = columns[key];
      if (!column) throw new Error(`derivedFrom of ${getTableConfig(table).name} names ${key}`);
      return column.name;
    };
    const parentPolicies = getTableConfig(tableFactsOf(rule.parent).table).policies;
    return [
      {
        table: getTableConfig(table).name,
        rule,
        parentReadable: apiRoles.map((role) => ({
          role,
          condition: readableUnder(parentPolicies, role),
        })),
        key: sqlName(rule.key),
        columns: Object.entries(rule.columns).map(([key, expression]) => ({
          name: sqlName(key),
          expression,
          required: rule.required.includes(key),
        })),
      },
    ];
  },
);

const functionName = (d: DerivingTable) => `derive_${d.table}_from_${d.rule.parent}`;

/**
 * One BEFORE INSERT trigger function per deriving table: reads the parent row, fills every
 * derived column the insert left empty, and refuses the row under the rule's constraint name when
 * a required one is still empty. A value given by a role allowed to write the column is kept.
 *
 * SECURITY DEFINER, because what a row derives may be hidden from its caller (a product's
 * commission rate). So that a caller still names only parents it could read, an API role's
 * lookup applies the parent's read policies for that role (the caller's role comes from the
 * `role` setting, which SET ROLE sets and a SECURITY DEFINER call leaves alone). A trigger
 * function cannot be called on its own, and EXECUTE is granted to no one.
 */
export const derivedColumnFunctions: readonly FunctionDeclaration[] = derivingTables.map((d) => {
  const fields = d.columns.map((c) => `${c.expression} AS ${quoteIdent(c.name)}`).join(', ');
  const fills = d.columns
    .map(
      (c) =>
        `    NEW.${quoteIdent(c.name)} := coalesce(NEW.${quoteIdent(c.name)}, parent.${quoteIdent(c.name)});`,
    )
    .join('\n');
  const missing = d.columns
    .filter((c) => c.required)
    .map((c) => `NEW.${quoteIdent(c.name)} IS NULL`)
    .join(' OR ');
  const parentTable = `public.${quoteIdent(d.rule.parent)}`;
  const readable = d.parentReadable
    .map(
      ({ role, condition }) =>
        `      WHEN ${literal(role)} THEN EXISTS (SELECT 1 FROM ${parentTable}
        WHERE ${quoteIdent(d.rule.parent)}.${quoteIdent(d.rule.parentKey)} = p.${quoteIdent(d.rule.parentKey)} AND ${condition})`,
    )
    .join('\n');
  return {
    schema: 'public',
    name: functionName(d),
    searchPath: '',
    securityDefiner: true,
    definition: `CREATE OR REPLACE FUNCTION public.${functionName(d)}()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  parent record;
BEGIN
  SELECT ${fields} INTO parent
    FROM ${parentTable} p WHERE p.${quoteIdent(d.rule.parentKey)} = NEW.${quoteIdent(d.key)}
    AND CASE pg_catalog.current_setting('role')
${readable}
      ELSE true END;
  IF FOUND THEN
${fills}
  END IF;
  IF ${missing} THEN
    RAISE EXCEPTION ${`'${d.rule.message.replaceAll("'", "''")}'`}
      USING ERRCODE = '23514', CONSTRAINT = ${`'${d.rule.constraint}'`};
  END IF;
  RETURN NEW;
END;
$fn$;`,
  };
});

/** The triggers that run them; named like their function. */
export const derivedColumnTriggers: readonly TriggerDeclaration[] = derivingTables.map((d) => ({
  table: d.table,
  name: functionName(d),
  timing: 'BEFORE',
  event: 'INSERT',
  function: `public.${functionName(d)}`,
}));

/** The rules' messages, by the constraint name their triggers raise. */
export const derivedColumnMessages: Readonly<Record<string, string>> = Object.fromEntries(
  derivingTables.map((d) => [d.rule.constraint, d.rule.message]),
);
