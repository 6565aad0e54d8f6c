import Table from 'cli-table3';

/** An aligned, borderless text table: readable in a terminal and in CI logs. */
export function formatTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({
    head,
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(...rows);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** Writes a result as JSON (for machines) or as text (for people). */
export function emit(json: boolean | undefined, data: unknown, text: () => string) {
  console.log(json ? JSON.stringify(data, null, 2) : text());
}
