// The light subpath: the whole package (schema, drivers) is loaded only by the command that runs.
import { AclueDbError } from '@aclue/db/errors';

/** Exit codes every command shares: CI scripts branch on them. */
export const ExitCode = {
  ok: 0,
  /** The command ran and found a problem (failed check, drift, refused migration). */
  finding: 1,
  /** The command could not run: bad flags, bad configuration, unreachable database. */
  cannotRun: 2,
} as const;

/** Raised by a command for a problem the user must fix before it can run. */
export class UsageError extends Error {}

/** One line for the person at the terminal, and the exit code that goes with it. */
export function describeFailure(error: unknown): { message: string; code: number } {
  if (error instanceof AclueDbError) {
    return {
      message: error.message,
      code: error.kind === 'migration' ? ExitCode.finding : ExitCode.cannotRun,
    };
  }
  if (error instanceof UsageError) return { message: error.message, code: ExitCode.cannotRun };
  // Drizzle wraps a database error in "Failed query: <the whole SQL>": the cause says what failed.
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? cause : error;
  const message = reason instanceof Error ? reason.message : String(reason);
  return {
    message: `unexpected error: ${message.split('\n')[0]?.slice(0, 300)}`,
    code: ExitCode.cannotRun,
  };
}
