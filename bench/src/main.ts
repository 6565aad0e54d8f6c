/**
 * npm run bench — every benchmark against a baseline measured in the same run, on the PostgreSQL
 * server (BENCH_DATABASE_URL or TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 * BENCH_ROUNDS (default 10) sets the repetitions, BENCH_USERS (default 20000) the seeded volume.
 * Prints the tables and writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dataSuite } from './data-suite';
import { schemaSuite } from './schema-suite';

if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const users = Number(process.env.BENCH_USERS ?? 20_000);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`aclue-db benchmarks on ${machine}\n`);
const schema = await schemaSuite(rounds);
console.log(`${schema.text}\n`);
const data = await dataSuite(rounds, users);
console.log(data.text);

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../results/latest.json', import.meta.url),
  JSON.stringify(
    {
      machine,
      date: new Date().toISOString(),
      rounds,
      users,
      schema: schema.data,
      data: data.data,
    },
    null,
    2,
  ),
);
