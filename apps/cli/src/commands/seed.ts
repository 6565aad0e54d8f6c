import {
  arrayInserts,
  copyRows,
  type Database,
  type Executor,
  maintainPartitions,
  postgresErrorOf,
  refreshRollups,
} from '@aclue/db';
import {
  affiliateClicks,
  categories,
  products,
  productViews,
  recommendationFeedback,
  recommendations,
  sessionAnalytics,
  swipeInteractions,
  swipeSessions,
} from '@aclue/db/schema';
import { base, en, Faker } from '@faker-js/faker';
import { SingleBar } from 'cli-progress';
import { sql } from 'drizzle-orm';
import { PgDialect, type PgTable } from 'drizzle-orm/pg-core';
import {
  describeTarget,
  type GlobalOptions,
  requireMigrated,
  wholeNumber,
  withDatabase,
} from '../context';
import { UsageError } from '../exit';
import { currentIo, emit, formatTable } from '../output';
import { emptyActivity, productRow, type UserActivity, userActivity } from '../seed/generate';

/** The seed's upper bounds, checked before anything is opened or written. */
export const MAX_DAYS = 3650;
export const MAX_USERS = 1_000_000;

export interface SeedOptions extends GlobalOptions {
  users?: string;
  days?: string;
  seed?: string;
}

interface SeedPlan {
  users: number;
  days: number;
  seed: number;
}

const USERS_PER_ROUND = 250;

/**
 * Where the generated rows go, in one transaction: COPY on a PostgreSQL server (the whole seed
 * about four times as fast as with INSERTs), `unnest` INSERTs on the embedded database.
 */
interface SeedSink {
  categoryIds(): Promise<string[]>;
  users(ids: string[]): Promise<void>;
  rows(table: PgTable, rows: Record<string, unknown>[]): Promise<number>;
}

const insertUsers = (ids: string[]) =>
  sql`INSERT INTO auth.users (id, email)
    SELECT id, id || '@seed.example' FROM unnest(${`{${ids.join(',')}}`}::uuid[]) AS id`;

function insertSink(db: Executor): SeedSink {
  return {
    categoryIds: async () =>
      (await db.select({ id: categories.id }).from(categories).orderBy(categories.slug)).map(
        (c) => c.id,
      ),
    users: async (ids) => {
      await db.execute(insertUsers(ids));
    },
    rows: async (table, rows) => {
      for (const { statement } of arrayInserts(table, rows)) await db.execute(statement);
      return rows.length;
    },
  };
}

function copySink(client: Parameters<typeof copyRows>[0]): SeedSink {
  const dialect = new PgDialect();
  return {
    categoryIds: async () =>
      (
        await client.query<{ id: string }>('SELECT id FROM public.categories ORDER BY slug')
      ).rows.map((c) => c.id),
    users: async (ids) => {
      const query = dialect.sqlToQuery(insertUsers(ids));
      await client.query(query.sql, query.params);
    },
    rows: (table, rows) => copyRows(client, table, rows),
  };
}

/** Activity is inserted parents first, so every foreign key already has its row. */
const order: [keyof UserActivity, PgTable][] = [
  ['swipeSessions', swipeSessions],
  ['swipes', swipeInteractions],
  ['recommendations', recommendations],
  ['feedback', recommendationFeedback],
  ['sessions', sessionAnalytics],
  ['views', productViews],
  ['clicks', affiliateClicks],
];

/** Generates and inserts the data; returns row counts per table. */
async function seedInto(
  sink: SeedSink,
  { users, days, seed }: SeedPlan,
): Promise<Record<string, number>> {
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  const started = performance.now();
  const counts: Record<string, number> = {};
  const add = (name: string, n: number) => {
    counts[name] = (counts[name] ?? 0) + n;
  };
  const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
  const categoryIds = await sink.categoryIds();
  if (categoryIds.length === 0) throw new UsageError('no categories: run `aclue-db migrate` first');
  const catalogue = Array.from({ length: Math.max(100, Math.ceil(users / 20)) }, () =>
    productRow(f, categoryIds),
  );
  add('products', await sink.rows(products, catalogue));

  const bar = new SingleBar({
    format: 'seeding [{bar}] {value}/{total} users | {rows} rows | {rate} rows/s',
    stream: currentIo().stderr,
    hideCursor: true,
  });
  bar.start(users, 0, { rows: 0, rate: 0 });
  for (let done = 0; done < users; done += USERS_PER_ROUND) {
    const ids = Array.from({ length: Math.min(USERS_PER_ROUND, users - done) }, () =>
      f.string.uuid(),
    );
    await sink.users(ids);
    add('users', ids.length);
    const activity = emptyActivity();
    for (const id of ids) userActivity(f, activity, catalogue, id, days);
    for (const [name, table] of order) {
      add(name, await sink.rows(table, activity[name] as Record<string, unknown>[]));
    }
    const rate = Math.round(total() / ((performance.now() - started) / 1000));
    bar.update(done + ids.length, { rows: total(), rate });
  }
  bar.stop();
  return counts;
}

/** Seeds in one transaction: a failed or interrupted seed leaves nothing behind. */
async function seedAtomically(db: Database, plan: SeedPlan): Promise<Record<string, number>> {
  if (db.$driver === 'pglite') return db.transaction((tx) => seedInto(insertSink(tx), plan));
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN');
    const counts = await seedInto(copySink(client), plan);
    await client.query('COMMIT');
    return counts;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Realistic synthetic data, deterministic for a given --seed, written in one transaction (COPY on
 * a server): a failed or interrupted seed leaves nothing behind.
 */
export async function seedCommand(options: SeedOptions): Promise<number> {
  const plan: SeedPlan = {
    users: wholeNumber('--users', options.users ?? '100', 1, 'number', {
      limit: MAX_USERS,
      why: 'the whole history is generated in memory and written in one transaction',
    }),
    days: wholeNumber('--days', options.days ?? '30', 1, 'number', {
      limit: MAX_DAYS,
      why: 'ten years: every month of history is a partition, all created in one transaction',
    }),
    seed: wholeNumber('--seed', options.seed ?? '1', 1),
  };
  return withDatabase(options, async (db) => {
    await requireMigrated(db);
    // The history reaches back --days (and a day more): its months need their partitions.
    await maintainPartitions(db, { from: new Date(Date.now() - (plan.days + 2) * 86_400_000) });
    const started = performance.now();
    const counts = await seedAtomically(db, plan).catch((error: unknown) => {
      if (postgresErrorOf(error)?.code === '23505') {
        throw new UsageError(
          `this database already holds the data of --seed ${plan.seed}; use another --seed or an empty database (nothing was written)`,
        );
      }
      throw error;
    });
    const seconds = (performance.now() - started) / 1000;
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    const rowsPerSecond = Math.round(rows / seconds);
    // The history's days are summarised now, so the analytics read rollups from the start.
    const refreshStarted = performance.now();
    const refreshed = await refreshRollups(db);
    const rollupSeconds = (performance.now() - refreshStarted) / 1000;
    const rollupDays = Math.max(0, ...refreshed.map((r) => r.refreshed.length));
    emit(
      options.json,
      {
        ...plan,
        rows: counts,
        seconds,
        rowsPerSecond,
        rollups: { days: rollupDays, seconds: rollupSeconds },
      },
      () =>
        [
          describeTarget(db),
          formatTable(['table', 'rows'], Object.entries(counts)),
          `${rows} rows in ${seconds.toFixed(1)} s (${rowsPerSecond} rows/s), seed ${plan.seed}`,
          `rollups refreshed for ${rollupDays} days in ${rollupSeconds.toFixed(1)} s`,
        ].join('\n'),
    );
    return 0;
  });
}
