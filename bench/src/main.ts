/**
 * npm run bench — every benchmark against a baseline measured in the same run, on the PostgreSQL
 * server (BENCH_DATABASE_URL or TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 * BENCH_ROUNDS (default 10) sets the repetitions, BENCH_USERS (default 20000) the seeded volume;
 * BENCH_SEEDED_URL runs the data suite on a database seeded earlier instead (kept afterwards).
 * BENCH_SUITES (default `schema,data,cli`; `api` is `npm run bench:api`) picks suites. Prints the tables and writes
 * bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { apiSuite } from './api-suite';
import { cliSuite } from './cli-suite';
import { dataSuite } from './data-suite';
import { schemaSuite } from './schema-suite';

if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const users = Number(process.env.BENCH_USERS ?? 20_000);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`aclue-db benchmarks on ${machine}\n`);
const suites = (process.env.BENCH_SUITES ?? 'schema,data,cli').split(',');
const schema = suites.includes('schema') ? await schemaSuite(rounds) : undefined;
if (schema) console.log(`${schema.text}\n`);
const data = suites.includes('data') ? await dataSuite(rounds, users) : undefined;
if (data) console.log(`${data.text}\n`);
const cli = suites.includes('cli') ? await cliSuite(rounds) : undefined;
if (cli) console.log(cli.text);
const api = suites.includes('api') ? await apiSuite() : undefined;
if (api) console.log(api.text);

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../results/latest.json', import.meta.url),
  JSON.stringify(
    {
      machine,
      date: new Date().toISOString(),
      rounds,
      users,
      schema: schema?.data,
      data: data?.data,
      cli: cli?.data,
      api: api?.data,
    },
    null,
    2,
  ),
);
