import { setTimeout as sleep } from 'node:timers/promises';
import { operationsReport, type Section } from '@aclue/verification/monitor';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { UsageError } from '../exit';
import { currentIo, emit, formatTable } from '../output';

export interface MonitorOptions extends GlobalOptions {
  watch?: string;
  iterations?: string;
}

const cell = (value: unknown) =>
  value === null || value === undefined
    ? ''
    : value instanceof Date
      ? value.toISOString()
      : String(value);

function formatSection({ title, rows, note }: Section): string {
  if (note) return `${title}\n  ${note}`;
  if (rows.length === 0) return `${title}\n  (none)`;
  const head = Object.keys(rows[0] ?? {});
  return `${title}\n${formatTable(
    head,
    rows.map((r) => head.map((k) => cell(r[k]))),
  )}`;
}

/** The operations report; with --watch, refreshed every N seconds until interrupted. */
export async function monitorCommand(options: MonitorOptions): Promise<number> {
  const every = options.watch === undefined ? undefined : Number(options.watch);
  if (every !== undefined && !(every > 0))
    throw new UsageError(`--watch takes a number of seconds above 0, got ${options.watch}`);
  const iterations =
    options.iterations === undefined ? Number.POSITIVE_INFINITY : Number(options.iterations);
  return withDatabase(options, async (db) => {
    for (let round = 1; ; round++) {
      const report = await operationsReport(db);
      const { stdout } = currentIo();
      if (every !== undefined && !options.json && stdout.isTTY) stdout.write('\x1b[2J\x1b[H');
      emit(options.json, { at: new Date().toISOString(), sections: report }, () =>
        [`${describeTarget(db)} — ${new Date().toISOString()}`, ...report.map(formatSection)].join(
          '\n\n',
        ),
      );
      if (every === undefined || round >= iterations) return 0;
      await sleep(every * 1000);
    }
  });
}
