import { type RollupSourceStatus, refreshRollups, rollupStatus } from '@aclue/db';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode, UsageError } from '../exit';
import { emit, formatTable } from '../output';

export interface RollupsOptions extends GlobalOptions {
  before?: string;
}

function describeStatus(status: RollupSourceStatus[]): string {
  return formatTable(
    ['source', 'days refreshed', 'days to refresh', 'oldest to refresh', 'last refresh (UTC)'],
    status.map((s) => [
      s.source,
      s.refreshedDays,
      s.dirtyDays,
      s.oldestDirtyDay ?? '-',
      s.lastRefreshedAt ?? 'never',
    ]),
  );
}

/** `aclue-db rollups`: how far each source's daily rollups are behind. */
export async function rollupsCommand(options: GlobalOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    const status = await rollupStatus(db);
    emit(options.json, { rollups: status }, () =>
      [
        describeTarget(db),
        describeStatus(status),
        'Days to refresh are read from raw rows until `aclue-db rollups refresh` runs: reports stay exact, only slower.',
      ].join('\n'),
    );
    return 0;
  });
}

/** `aclue-db rollups refresh`: recomputes every marked day, today up to the current hour (or days before --before). */
export async function refreshCommand(options: RollupsOptions): Promise<number> {
  let before: Date | undefined;
  if (options.before !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.before)) {
      throw new UsageError(`--before must be a day as YYYY-MM-DD, not "${options.before}"`);
    }
    before = new Date(`${options.before}T00:00:00Z`);
    if (Number.isNaN(before.getTime()) || before.toISOString().slice(0, 10) !== options.before) {
      throw new UsageError(`--before must be a real day, not "${options.before}"`);
    }
    if (before.getTime() > Date.now()) {
      throw new UsageError('--before cannot be after today: a day still being written stays raw');
    }
  }
  return withDatabase(options, async (db) => {
    const results = await refreshRollups(db, before ? { before } : {});
    const status = await rollupStatus(db);
    emit(options.json, { refreshed: results, rollups: status }, () => {
      const lines = results.map((r) =>
        r.refreshed.length + r.unwritten.length + r.deferred.length === 0
          ? `${r.source}: nothing to refresh`
          : `${r.source}: refreshed ${r.refreshed.length} days${
              r.unwritten.length > 0 ? ` (and ${r.unwritten.length} with no writes)` : ''
            }${
              r.deferred.length > 0
                ? `; ${r.deferred.length} left for the next run (a write to them was still open after 10 s)`
                : ''
            }`,
      );
      return [describeTarget(db), ...lines, '', describeStatus(status)].join('\n');
    });
    // Deferred days are a finding: the next run picks them up, but CI and cron should see it.
    return results.some((r) => r.deferred.length > 0) ? ExitCode.finding : ExitCode.ok;
  });
}
