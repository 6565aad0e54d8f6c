import { AsyncLocalStorage } from 'node:async_hooks';
import Table from 'cli-table3';

/** Where a run of the CLI writes: the process's streams, or a caller's (tests run it in-process). */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };
const ioOfThisRun = new AsyncLocalStorage<CliIo>();

/** Runs `work` with every line the CLI prints going to `io`. */
export const withIo = <T>(io: CliIo, work: () => Promise<T>): Promise<T> =>
  ioOfThisRun.run(io, work);

/** The streams of the run in progress. */
export const currentIo = (): CliIo => ioOfThisRun.getStore() ?? processIo;

/** One line (or block) of the command's output, on stdout. */
export const say = (text: string) => currentIo().stdout.write(`${text}\n`);

/** One line for the person running the command (notices, failures), on stderr. */
export const tell = (text: string) => currentIo().stderr.write(`${text}\n`);

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
  say(json ? JSON.stringify(data, null, 2) : text());
}
