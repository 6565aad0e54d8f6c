import { BaselineError, baseline } from '@aclue/schema-ops';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode } from '../exit';
import { emit } from '../output';

export interface BaselineOptions extends GlobalOptions {
  migrationsDir?: string;
}

/** Differences shown before the rest is counted: enough to see what kind of drift it is. */
const SHOWN = 20;

export async function baselineCommand(options: BaselineOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    try {
      const report = await baseline(
        db,
        options.migrationsDir ? { migrationsFolder: options.migrationsDir } : {},
      );
      emit(
        options.json,
        {
          recorded: report.recorded.map((m) => ({ tag: m.tag, hash: m.hash })),
          compared: report.compared,
        },
        () =>
          [
            describeTarget(db),
            `proved equal to the migrations: ${report.compared.tables} tables against a scratch database migrated from them, and ${report.compared.checks} checks of verify`,
            `recorded ${report.recorded.length} migrations as applied (${report.recorded.at(-1)?.tag}); aclue-db migrate applies what comes after them`,
          ].join('\n'),
      );
      return ExitCode.ok;
    } catch (error) {
      if (!(error instanceof BaselineError) || error.differences.length === 0) throw error;
      emit(options.json, { recorded: [], differences: error.differences }, () =>
        [
          describeTarget(db),
          `✘ ${error.message}`,
          ...error.differences.slice(0, SHOWN).map((d) => `  ~ ${d}`),
          ...(error.differences.length > SHOWN
            ? [`  … and ${error.differences.length - SHOWN} more (--json lists all)`]
            : []),
        ].join('\n'),
      );
      return ExitCode.finding;
    }
  });
}
