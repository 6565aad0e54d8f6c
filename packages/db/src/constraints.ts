import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { triggerRuleMessages } from './objects/triggers';
import { checkMessages } from './schema/rules';
import { schemaTables } from './tables';

// Index columns may also be SQL expressions, which have no name.
const columnNames = (columns: readonly object[]) =>
  columns.map((c) => (c as { name?: string }).name ?? 'expression').join(', ');

function keyMessages(table: PgTable): Record<string, string> {
  const config = getTableConfig(table);
  const messages: Record<string, string> = {};
  for (const fk of config.foreignKeys) {
    const { columns, foreignTable } = fk.reference();
    messages[fk.getName()] =
      `${columnNames(columns)} refers to a ${getTableConfig(foreignTable).name} row that does not exist`;
  }
  for (const unique of config.uniqueConstraints) {
    messages[unique.getName() ?? ''] = `${columnNames(unique.columns)} is already taken`;
  }
  for (const column of config.columns) {
    if (column.isUnique && column.uniqueName) {
      messages[column.uniqueName] = `${column.name} is already taken`;
    }
  }
  for (const index of config.indexes) {
    if (index.config.unique && index.config.name) {
      messages[index.config.name] =
        `${config.name} already has a row with the same ${columnNames(index.config.columns)}`;
    }
  }
  return messages;
}

/**
 * Constraint name → the sentence a person should read when the database rejects a row by it:
 * every check, foreign key and unique constraint of the schema.
 */
export const constraintMessages: Readonly<Record<string, string>> = Object.assign(
  { ...triggerRuleMessages },
  ...Object.values(schemaTables).map(({ table, rules }) => ({
    ...checkMessages(table, rules),
    ...keyMessages(table),
  })),
);
