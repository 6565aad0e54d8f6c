import { writeFileSync } from 'node:fs';
import { formatJunit, formatText, type VerificationReport, verify } from '@aclue/verification';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode } from '../exit';
import { emit } from '../output';

export interface VerifyCommandOptions extends GlobalOptions {
  schema?: string;
  table?: string[];
  junit?: string;
  all?: boolean;
}

export const verificationExitCode = (report: VerificationReport) =>
  report.failed === 0 ? ExitCode.ok : ExitCode.finding;

export async function verifyCommand(options: VerifyCommandOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    const report = await verify(db, {
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.table ? { tables: options.table } : {}),
    });
    if (options.junit) writeFileSync(options.junit, formatJunit(report));
    emit(options.json, report, () =>
      [describeTarget(db), formatText(report, { all: options.all ?? false })].join('\n'),
    );
    return verificationExitCode(report);
  });
}
