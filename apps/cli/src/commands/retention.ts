import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type ArchiveSink,
  anonymiseExpiredPersonalData,
  archivedColumnsLeftOut,
  archivePartition,
  type ExpiredPartition,
  expiredPartitions,
  refreshRollups,
} from '@aclue/db';
import { describeTarget, type GlobalOptions, wholeNumber, withDatabase } from '../context';
import { UsageError } from '../exit';
import { emit, formatTable } from '../output';

export interface RetentionOptions extends GlobalOptions {
  exportDir?: string;
  anonymiseAfter?: string;
  keepMonths?: string;
  dryRun?: boolean;
}

/**
 * JSON lines into a `.partial` file that must not exist yet, flushed to disk before the rows are
 * dropped; renamed to its final name only after the drop committed, so a finished archive is never
 * overwritten and an unfinished one is never mistaken for finished.
 */
function fileSink(partial: string): () => Promise<ArchiveSink> {
  return async () => {
    const handle = await open(partial, 'wx');
    return {
      write: async (rows) => {
        await handle.write(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
      },
      close: async () => {
        await handle.sync();
        await handle.close();
      },
    };
  };
}

/** `product_views_p2024_01-20261126T101500Z`: unique per run, sorts by time. */
const archiveName = (e: ExpiredPartition, at: Date) =>
  `${e.from === null ? `${e.partition}-before-${e.to.slice(0, 10)}` : e.partition}-${at.toISOString().replaceAll(/[-:]|\.\d+/g, '')}`;

/**
 * Applies the retention the schema declares: anonymises personal data past its days (raw IP
 * addresses to their network, user agents removed), then archives each partition older than the
 * kept months to --export-dir (without the columns naming a person or a visit) and drops it.
 */
export async function retentionCommand(options: RetentionOptions): Promise<number> {
  const days =
    options.anonymiseAfter === undefined
      ? undefined
      : wholeNumber('--anonymise-after', options.anonymiseAfter, 1, 'number of days');
  const keepMonths =
    options.keepMonths === undefined
      ? undefined
      : wholeNumber('--keep-months', options.keepMonths, 1, 'number of months');
  const dir = options.exportDir ? resolve(options.exportDir) : undefined;
  if (!dir && !options.dryRun) {
    throw new UsageError(
      'retention needs --export-dir <dir>: expired partitions are archived there before they are dropped (or use --dry-run)',
    );
  }
  return withDatabase(options, async (db) => {
    const expired = await expiredPartitions(db, keepMonths === undefined ? {} : { keepMonths });
    if (options.dryRun) {
      emit(options.json, { dryRun: true, expiredPartitions: expired.map(describe) }, () =>
        [
          describeTarget(db),
          'dry run, nothing changed',
          expired.length === 0
            ? 'no partition is older than the months kept'
            : `would archive and drop: ${expired.map((e) => e.partition).join(', ')}`,
        ].join('\n'),
      );
      return 0;
    }
    const anonymised = await anonymiseExpiredPersonalData(db, days === undefined ? {} : { days });
    const archived: { partition: string; rows: number; file: string }[] = [];
    if (dir && expired.length > 0) mkdirSync(dir, { recursive: true });
    // The rollups keep an archived month's figures for the reports (a dropped partition marks no
    // day): bring them up to date while the raw rows are still there.
    if (expired.length > 0) {
      const deferred = (await refreshRollups(db)).flatMap((r) => r.deferred);
      if (deferred.length > 0) {
        throw new UsageError(
          `refusing to archive: the rollups of ${deferred.length} days could not be refreshed (a transaction stayed open), and an archived month keeps only what its rollups hold; no partition was archived or dropped; run it again`,
        );
      }
    }
    for (const partition of expired) {
      const name = archiveName(partition, new Date());
      const base = join(dir ?? '.', name);
      const rows = await archivePartition(db, partition, fileSink(`${base}.jsonl.partial`));
      if (rows === null) continue; // another run archived it first
      renameSync(`${base}.jsonl.partial`, `${base}.jsonl`);
      writeFileSync(
        `${base}.manifest.json`,
        `${JSON.stringify({ ...describe(partition), rows, file: `${base}.jsonl`, archivedAt: new Date().toISOString() }, null, 2)}\n`,
      );
      archived.push({ partition: partition.partition, rows, file: `${base}.jsonl` });
    }
    emit(options.json, { anonymised, archived }, () =>
      [
        describeTarget(db),
        formatTable(
          ['table', 'personal data anonymised (rows)', 'older than'],
          anonymised.map((a) => [a.table, a.rows, `${a.olderThanDays} days`]),
        ),
        '',
        archived.length === 0
          ? 'no partition is older than the months kept: nothing archived'
          : formatTable(
              ['partition archived and dropped', 'rows', 'file'],
              archived.map((a) => [a.partition, a.rows, a.file]),
            ),
      ].join('\n'),
    );
    return 0;
  });
}

const describe = (e: ExpiredPartition) => ({
  table: e.table.sql,
  partition: e.partition,
  from: e.from,
  to: e.to,
  columnsLeftOut: archivedColumnsLeftOut(e.table),
});
