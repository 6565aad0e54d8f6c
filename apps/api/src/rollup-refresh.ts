import { type Database, postgresErrorOf, refreshRollups } from '@aclue/db';
import type { Logger } from 'pino';

/**
 * Refreshes the analytics' daily rollups every `seconds` (first right after start), one run at a
 * time. Several API processes may all do it: runs take turns per source (an advisory lock).
 * `stop()` cancels the next run and waits for one in progress, before the pool closes.
 */
export function scheduleRollupRefresh(db: Database, seconds: number, log: Logger) {
  if (seconds <= 0) return { stop: async () => {} };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = async () => {
    const started = performance.now();
    try {
      const results = await refreshRollups(db);
      const days = results.reduce((sum, r) => sum + r.refreshed.length, 0);
      const unwritten = results.reduce((sum, r) => sum + r.unwritten.length, 0);
      const deferred = results.reduce((sum, r) => sum + r.deferred.length, 0);
      if (days > 0 || unwritten > 0 || deferred > 0) {
        log.info(
          { days, unwritten, deferred, ms: Math.round(performance.now() - started) },
          'rollups refreshed',
        );
      }
    } catch (error) {
      // Reports stay exact without a refresh (they read raw rows), so this is a warning.
      const code = postgresErrorOf(error)?.code;
      log.warn(
        { error: (error as Error).constructor.name, ...(code ? { sqlstate: code } : {}) },
        'rollup refresh failed; retrying at the next interval',
      );
    }
  };
  const next = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(() => {
        running = undefined;
        next(seconds * 1000);
      });
    }, delayMs);
    timer.unref();
  };
  next(0);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
