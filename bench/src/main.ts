/**
 * npm run bench — migrate-from-empty and verify on the PostgreSQL server (BENCH_DATABASE_URL or
 * TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), each against a baseline
 * measured in the same run. Prints a table and writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createDb, type Database, defaultMigrationsFolder, migrate } from '@aclue/db';
import { createEmptyServerDatabase } from '@aclue/db/testing';
import { verify } from '@aclue/verification';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import { formatMeasurements, measure, type Task } from './measure';

const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;

interface Scratch {
  db: Database;
  drop(): Promise<void>;
}

async function scratchDatabase(): Promise<Scratch> {
  const server = await createEmptyServerDatabase();
  const db = await createDb({ url: server.url, poolSize: 2 });
  return {
    db,
    drop: async () => {
      await db.$close();
      await server.drop();
    },
  };
}

const fromEmpty = (name: string, apply: (db: Database) => Promise<unknown>): Task => ({
  name,
  prepare: scratchDatabase,
  run: (s) => apply((s as Scratch).db),
  cleanUp: (s) => (s as Scratch).drop(),
});

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

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`aclue-db benchmarks on ${machine}\n`);
console.log(formatMeasurements('migrate from empty', migrations, "drizzle-orm's migrator"));
console.log('');
console.log(formatMeasurements(`verify (${checks} checks)`, verification, 'verify, catalog only'));

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../results/latest.json', import.meta.url),
  JSON.stringify(
    { machine, date: new Date().toISOString(), migrations, verification, checks },
    null,
    2,
  ),
);
