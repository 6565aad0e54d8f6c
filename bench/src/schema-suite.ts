import { type Database, defaultMigrationsFolder, migrate } from '@aclue/db';
import { verify } from '@aclue/verification';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import { formatMeasurements, type Measurement, measure, type Task } from './measure';
import { type Scratch, scratchDatabase } from './scratch';

const fromEmpty = (name: string, apply: (db: Database) => Promise<unknown>): Task => ({
  name,
  prepare: () => scratchDatabase(),
  run: (s) => apply((s as Scratch).db),
  cleanUp: (s) => (s as Scratch).drop(),
});

/** migrate from empty (ours vs drizzle's migrator) and verify (with vs without probes). */
export async function schemaSuite(
  rounds: number,
): Promise<{ text: string; data: Record<string, Measurement[]> }> {
  const migrations = await measure(
    [
      fromEmpty("drizzle-orm's migrator", (db) =>
        drizzleMigrate(db as never, { migrationsFolder: defaultMigrationsFolder }),
      ),
      fromEmpty('aclue migrate (lock + checksums)', (db) => migrate(db)),
    ],
    rounds,
  );
  const target = await scratchDatabase();
  await migrate(target.db);
  const verification = await measure(
    [
      { name: 'verify, catalog only', run: () => verify(target.db, { probes: false }) },
      { name: 'verify, catalog + probes', run: () => verify(target.db) },
    ],
    rounds,
  );
  const checks = (await verify(target.db)).checks;
  await target.drop();
  return {
    text: [
      formatMeasurements('migrate from empty', migrations, "drizzle-orm's migrator"),
      formatMeasurements(`verify (${checks} checks)`, verification, 'verify, catalog only'),
    ].join('\n\n'),
    data: { migrations, verification },
  };
}
