/**
 * What a spreadsheet would run as a formula: a cell whose first character (after any leading
 * white space or control characters, which spreadsheets skip) is `=`, `+`, `-` or `@`, in ASCII or
 * in their fullwidth forms (`＝＋－＠`, which some spreadsheets fold to ASCII), or that starts with
 * a tab, CR or LF (OWASP's CSV injection list).
 */
const formula = /^(?:[\p{White_Space}\p{Cc}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r\n])/u;

/** `text` as a spreadsheet shows it and never evaluates: a leading `'` where it would. */
export const neutralised = (text: string) => (formula.test(text) ? `'${text}` : text);

/**
 * Rows as RFC 4180 CSV (a header of every column any row has). Text a spreadsheet would run as a
 * formula is prefixed with `'` (see `neutralised`): the figures come from visitors' input
 * (campaign names, product titles), and a CSV is opened in spreadsheets.
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
    if (typeof value === 'string') text = neutralised(text);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.map(cell), ...rows.map((row) => columns.map((c) => cell(row[c])))].map((line) => line.join(',')).join('\r\n')}\r\n`;
}
