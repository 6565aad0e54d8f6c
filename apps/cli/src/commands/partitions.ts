import { listPartitions, maintainPartitions, type PartitionInfo } from '@aclue/db';
import { describeTarget, type GlobalOptions, wholeNumber, withDatabase } from '../context';
import { UsageError } from '../exit';
import { emit, formatTable } from '../output';

export interface PartitionsOptions extends GlobalOptions {
  ahead?: string;
  from?: string;
}

const month = (iso: string | null) => (iso ? iso.slice(0, 7) : 'default');
const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

function describePartitions(partitions: PartitionInfo[]): string {
  return formatTable(
    ['table', 'month', 'partition', 'rows (est.)', 'size'],
    partitions.map((p) => [
      p.table,
      month(p.from),
      p.partition,
      p.estimatedRows,
      megabytes(p.bytes),
    ]),
  );
}

/** `aclue-db partitions`: every partition of the partitioned tables. */
export async function partitionsCommand(options: GlobalOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    const partitions = await listPartitions(db);
    emit(options.json, { partitions }, () =>
      [describeTarget(db), describePartitions(partitions)].join('\n'),
    );
    return 0;
  });
}

function parseOptions(options: PartitionsOptions): { ahead?: number; from?: Date } {
  const parsed: { ahead?: number; from?: Date } = {};
  if (options.ahead !== undefined) {
    parsed.ahead = wholeNumber('--ahead', options.ahead, 1, 'number of months');
    if (parsed.ahead > 120) throw new UsageError('--ahead takes at most 120 months');
  }
  if (options.from !== undefined) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.from)) {
      throw new UsageError(`--from must be a month as YYYY-MM, not "${options.from}"`);
    }
    parsed.from = new Date(`${options.from}-01T00:00:00Z`);
  }
  return parsed;
}

/** `aclue-db partitions maintain`: the months ahead (and from --from) created, idempotently. */
export async function maintainCommand(options: PartitionsOptions): Promise<number> {
  const parsed = parseOptions(options);
  return withDatabase(options, async (db) => {
    const results = await maintainPartitions(db, parsed);
    const partitions = await listPartitions(db);
    emit(options.json, { maintained: results, partitions }, () => {
      const created = results.flatMap((r) => r.created);
      return [
        describeTarget(db),
        created.length === 0
          ? 'nothing to do: every month needed already has its partition'
          : `created ${created.length} partitions: ${created.join(', ')}`,
        '',
        describePartitions(partitions),
      ].join('\n');
    });
    return 0;
  });
}
