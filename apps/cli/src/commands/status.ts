import { migrationStatus } from '@aclue/db';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode } from '../exit';
import { emit, formatTable } from '../output';

export interface StatusOptions extends GlobalOptions {
  migrationsDir?: string;
}

/** Applied and pending migrations with their checksums; exit 1 when the history is wrong. */
export async function statusCommand(options: StatusOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    const states = await migrationStatus(db, {
      ...(options.migrationsDir ? { migrationsFolder: options.migrationsDir } : {}),
    });
    const problems = states.filter((s) => s.problem);
    emit(options.json, { migrations: states, ok: problems.length === 0 }, () => {
      const count = (state: string) => states.filter((s) => s.state === state).length;
      return [
        describeTarget(db),
        formatTable(
          ['migration', 'state', 'checksum'],
          states.map((s) => [s.tag, s.state, s.hash.slice(0, 12)]),
        ),
        '',
        `${count('applied')} applied, ${count('pending')} pending, ${problems.length} problems`,
        ...problems.map((p) => `✘ ${p.problem}`),
      ].join('\n');
    });
    return problems.length === 0 ? ExitCode.ok : ExitCode.finding;
  });
}
