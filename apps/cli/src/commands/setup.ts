import { deploymentTables, maintainPartitions, migrate } from '@aclue/db';
import { inventory } from '@aclue/db/catalog';
import { formatText, summaryLine, verify } from '@aclue/verification';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { type GlobalOptions, withDatabase } from '../context';
import { emit, formatTable } from '../output';
import { describeMigration, migrationJson } from './migrate';
import { verificationExitCode } from './verify';

const deploymentNames = new Set(deploymentTables.map((t) => getTableConfig(t).name));

/** Migrates the database and shows what now exists in it: the README's main command. */
export async function setupCommand(options: GlobalOptions): Promise<number> {
  return withDatabase(
    options,
    async (db) => {
      const result = await migrate(db);
      // A database migrated months ago needs this month's partitions before it verifies.
      const partitions = await maintainPartitions(db);
      const createdPartitions = partitions.flatMap((p) => p.created);
      const tables = await inventory(db);
      const verification = await verify(db);
      const total = (pick: (t: (typeof tables)[number]) => number) =>
        tables.reduce((sum, t) => sum + pick(t), 0);
      emit(
        options.json,
        { migration: migrationJson(result), partitions, tables, verification },
        () =>
          [
            describeMigration(db, result),
            ...(createdPartitions.length > 0 && result.pending.length === 0
              ? [`partitions created for the months ahead: ${createdPartitions.join(', ')}`]
              : []),
            '',
            formatTable(
              ['table', 'rls', 'columns', 'indexes', 'policies', 'checks', 'fks', 'triggers'],
              tables.map((t) => [
                deploymentNames.has(t.table) ? `${t.table} *` : t.table,
                t.rls ? 'on' : 'OFF',
                t.columns,
                t.indexes,
                t.policies,
                t.checks,
                t.foreignKeys,
                t.triggers,
              ]),
            ),
            '',
            `${tables.length} tables (RLS on ${tables.filter((t) => t.rls).length}), ` +
              `${total((t) => t.indexes)} indexes, ${total((t) => t.policies)} policies, ` +
              `${total((t) => t.checks)} checks, ${total((t) => t.triggers)} triggers. ` +
              '* = the five deployment tables.',
            '',
            verification.failed === 0
              ? `verified: ${summaryLine(verification)}`
              : formatText(verification),
          ].join('\n'),
      );
      return verificationExitCode(verification);
    },
    { missing: 'create' },
  );
}
