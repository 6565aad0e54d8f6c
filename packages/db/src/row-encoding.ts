import type { getTableColumns } from 'drizzle-orm';

type Column = ReturnType<typeof getTableColumns>[string];

/**
 * A value as the text PostgreSQL reads back into the column (a COPY CSV field, an array literal's
 * element): the column's own driver encoding (arrays, JSON, dates); null for NULL.
 */
export function toText(column: Column | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const driver = column ? column.mapToDriverValue(value) : value;
  if (driver === null || driver === undefined) return null;
  if (typeof driver === 'boolean') return driver ? 't' : 'f';
  if (driver instanceof Date) return driver.toISOString();
  if (typeof driver === 'object') return JSON.stringify(driver);
  return driver;
}

/**
 * The rows' indices grouped by the (sorted) list of columns they give a value for, in first-seen
 * order. Neither COPY nor an `unnest` INSERT has a per-row DEFAULT, so a column some rows leave out
 * is sent only with the rows that give it, and the others keep its default.
 */
export function groupByGivenColumns(rows: readonly Record<string, unknown>[]) {
  const groups = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const signature = Object.keys(row)
      .filter((key) => row[key] !== undefined)
      .sort()
      .join(',');
    const group = groups.get(signature);
    if (group) group.push(index);
    else groups.set(signature, [index]);
  });
  return groups;
}
