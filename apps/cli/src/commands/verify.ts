import { accessSync, constants, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { queryRows } from '@aclue/db';
import { formatJunit, formatText, type VerificationReport, verify } from '@aclue/verification';
import { sql } from 'drizzle-orm';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { ExitCode, UsageError } from '../exit';
import { emit } from '../output';

export interface VerifyCommandOptions extends GlobalOptions {
  schema?: string;
  table?: string[];
  junit?: string;
  all?: boolean;
  data?: boolean;
}

export const verificationExitCode = (report: VerificationReport) =>
  report.failed === 0 ? ExitCode.ok : ExitCode.finding;

export async function verifyCommand(options: VerifyCommandOptions): Promise<number> {
  // A report that cannot be written is found out before a minute of checks, not after.
  if (options.junit) {
    const folder = dirname(resolve(options.junit));
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      throw new UsageError(`--junit: cannot write into ${folder} (missing or not writable)`);
    }
  }
  return withDatabase(options, async (db) => {
    if (options.schema) {
      const [found] = await queryRows<{ name: string }>(
        db,
        sql`SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ${options.schema}`,
      );
      if (!found) throw new UsageError(`--schema: the database has no schema "${options.schema}"`);
    }
    const report = await verify(db, {
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.table ? { tables: options.table } : {}),
      ...(options.data ? { data: true } : {}),
    });
    if (options.junit) writeFileSync(options.junit, formatJunit(report));
    emit(options.json, report, () =>
      [describeTarget(db), formatText(report, { all: options.all ?? false })].join('\n'),
    );
    return verificationExitCode(report);
  });
}
