import {
  BRING_BACK_HINT,
  migrationStatus,
  rollbackState,
  unrecordedMessage,
  unrecordedTables,
} from '@aclue/db';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode } from '../exit';
import { emit, formatTable } from '../output';

export interface StatusOptions extends GlobalOptions {
  migrationsDir?: string;
}

/**
 * Applied and pending migrations with their checksums; exit 1 when the history is wrong, or when
 * the history is whole but the tables it built are gone (a rollback): "0 problems" would lie.
 */
export async function statusCommand(options: StatusOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    const states = await migrationStatus(db, {
      ...(options.migrationsDir ? { migrationsFolder: options.migrationsDir } : {}),
    });
    const problems = states.flatMap((s) => (s.problem ? [s.problem] : []));
    // Nothing recorded but the tables are there: migrate would fail at its first CREATE TABLE.
    if (states.every((s) => s.state === 'pending')) {
      const found = await unrecordedTables(db);
      if (found.length > 0) problems.push(unrecordedMessage(found));
    }
    if (states.every((s) => s.state === 'applied')) {
      const { missing, rolledBack } = await rollbackState(db);
      if (rolledBack) {
        problems.push(
          `rolled back: ${missing.join(', ')} were dropped by aclue-db rollback while their migrations stay applied; ${BRING_BACK_HINT}`,
        );
      } else if (missing.length > 0) {
        problems.push(
          `${missing.join(', ')} missing although their migrations are applied: run aclue-db verify and aclue-db drift`,
        );
      }
    }
    emit(options.json, { migrations: states, ok: problems.length === 0, problems }, () => {
      const count = (state: string) => states.filter((s) => s.state === state).length;
      return [
        describeTarget(db),
        formatTable(
          ['migration', 'state', 'checksum'],
          states.map((s) => [s.tag, s.state, s.hash.slice(0, 12)]),
        ),
        '',
        `${count('applied')} applied, ${count('pending')} pending, ${problems.length} problems`,
        ...problems.map((p) => `✘ ${p}`),
      ].join('\n');
    });
    return problems.length === 0 ? ExitCode.ok : ExitCode.finding;
  });
}
