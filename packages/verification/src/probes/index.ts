import type { Executor } from '@aclue/db';
import { TransactionRollbackError } from 'drizzle-orm';
import { type CheckResult, fail } from '../results';
import { probeAccess } from './access';
import { probeChecks, probeForeignKeys, probeTriggers } from './behaviour';
import { probePlans } from './plans';

type Savepoints = Executor & {
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
};

/**
 * Behavioural probes. They write rows, so they run in a savepoint that is rolled back; a probe
 * family that cannot even set up (a table is missing) becomes one failed check, not a crash.
 */
export async function runProbes(tx: Executor): Promise<CheckResult[]> {
  const families: [string, (tx: Executor) => Promise<CheckResult[]>][] = [
    ['access rules', probeAccess],
    ['check constraint', probeChecks],
    ['foreign key', probeForeignKeys],
    ['trigger', probeTriggers],
    ['query plan', probePlans],
  ];
  const results: CheckResult[] = [];
  for (const [family, probe] of families) {
    try {
      await (tx as Savepoints).transaction(async (savepoint) => {
        results.push(...(await probe(savepoint)));
        throw new TransactionRollbackError();
      });
    } catch (error) {
      if (error instanceof TransactionRollbackError) continue;
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      results.push(
        fail(
          'probes',
          null,
          `${family} probes`,
          `could not run: ${cause.message}`,
          'fix the structural failures above first',
        ),
      );
    }
  }
  return results;
}
