import { safePush } from '@aclue/schema-ops';
import { formatText, summaryLine } from '@aclue/verification';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { emit } from '../output';
import { verificationExitCode } from './verify';

export interface PushOptions extends GlobalOptions {
  allowDataLoss?: boolean;
}

/** drizzle-kit push plus the repairs it needs on an RLS schema, then verification. */
export async function pushCommand(options: PushOptions): Promise<number> {
  return withDatabase(
    options,
    async (db) => {
      const report = await safePush(db, { allowDataLoss: options.allowDataLoss ?? false });
      emit(options.json, report, () =>
        [
          describeTarget(db),
          report.changed
            ? [
                `drizzle-kit push: ${report.schemaStatements.length} statements`,
                `policies given back their USING / WITH CHECK: ${report.repairedPolicies.length}${report.repairedPolicies.length ? ` (${report.repairedPolicies.join(', ')})` : ''}`,
                `custom objects (trigger function, triggers, grants, comments, seed): ${report.customObjectsApplied ? 'applied' : 'already in place'}`,
                ...(report.partitioned.length
                  ? [`partitioned by month, rows kept: ${report.partitioned.join(', ')}`]
                  : []),
                ...(report.partitionsCreated.length
                  ? [`partitions created: ${report.partitionsCreated.join(', ')}`]
                  : []),
              ].join('\n')
            : 'no changes: the database already is what the schema declares',
          report.verification.failed === 0
            ? `verified: ${summaryLine(report.verification)}`
            : formatText(report.verification),
        ].join('\n'),
      );
      return verificationExitCode(report.verification);
    },
    { missing: 'create' },
  );
}
