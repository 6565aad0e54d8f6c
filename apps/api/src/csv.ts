/**
 * Rows as RFC 4180 CSV (a header of every column any row has). Text that a spreadsheet would run
 * as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is prefixed with `'`: the figures come
 * from visitors' input (campaign names, product titles), and a CSV is opened in spreadsheets.
 */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return '';
    let text =
      value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.map(cell), ...rows.map((row) => columns.map((c) => cell(row[c])))].map((line) => line.join(',')).join('\r\n')}\r\n`;
}
