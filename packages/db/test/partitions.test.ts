import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDb,
  type Database,
  defaultMigrationsFolder,
  type Executor,
  listPartitions,
  maintainPartitions,
  migrate,
  postgresErrorOf,
  queryRows,
  readMigrations,
} from '../src';
import { createParents, type Parents } from '../src/samples';
import { productViews, sessionAnalytics } from '../src/schema';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

/** The committed migrations up to (not including) the one that partitions product_views. */
function migrationsBeforePartitioning(): string {
  const folder = mkdtempSync(join(tmpdir(), 'aclue-before-partitions-'));
  cpSync(defaultMigrationsFolder, folder, { recursive: true });
  const path = join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.includes('partition_product_views'));
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(path, JSON.stringify(journal));
  return folder;
}

const count = async (db: Executor, from: string) =>
  Number((await queryRows<{ n: string }>(db, sql.raw(`SELECT count(*) AS n FROM ${from}`)))[0]?.n);

/** Where each row of product_views is stored. */
const homes = (db: Executor) =>
  queryRows<{ id: string; home: string }>(
    db,
    sql`SELECT id, tableoid::regclass::text AS home FROM public.product_views ORDER BY id`,
  );

async function view(db: Executor, p: Parents, at: string, sessionId = 'partition-test') {
  const [row] = await db
    .insert(productViews)
    .values({ productId: p.productId, sessionId, viewTimestamp: new Date(at) })
    .returning({ id: productViews.id });
  return row?.id ?? '';
}

describe.each(testDrivers())('partitioned product_views on %s', (driver) => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.dispose();
    test = undefined;
  });

  it('partitions an existing table by month and keeps every row where its month is', async () => {
    test = await createTestDatabase(driver, { migrated: false });
    const db = test.db;
    await migrate(db, { migrationsFolder: migrationsBeforePartitioning() });
    const p = await createParents(db);
    const times = ['2024-02-29T23:59:59Z', '2024-03-01T00:00:00Z', '2026-01-15T12:00:00Z'];
    const ids = [];
    for (const at of times) ids.push(await view(db, p, at));
    ids.push(await view(db, p, new Date().toISOString()));

    const { pending } = await migrate(db);
    // The partitioning migration and every one committed after it.
    const tags = readMigrations().map((m) => m.tag);
    const partitioning = tags.findIndex((tag) => tag.includes('partition_product_views'));
    expect(pending.map((m) => m.tag)).toEqual(tags.slice(partitioning));
    // The rows written before the rollups existed have their days marked for the first refresh.
    const marked = await queryRows<{ day: string }>(
      db,
      sql`SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS day FROM aclue_rollups.dirty_days
          WHERE source = 'product_views' ORDER BY 1`,
    );
    expect(marked.map((m) => m.day)).toEqual(
      [...new Set([...times, new Date().toISOString()].map((t) => t.slice(0, 10)))].sort(),
    );

    const stored = await homes(db);
    expect(stored.map((r) => r.id).sort()).toEqual([...ids].sort());
    const home = (id: string) => stored.find((r) => r.id === id)?.home;
    expect(home(ids[0] ?? '')).toBe('aclue_partitions.product_views_p2024_02');
    expect(home(ids[1] ?? '')).toBe('aclue_partitions.product_views_p2024_03');
    expect(home(ids[2] ?? '')).toBe('aclue_partitions.product_views_p2026_01');
    expect(await count(db, 'aclue_partitions.product_views_default')).toBe(0);
    // Every month from the oldest row through three ahead of this one, and the default.
    const months = (await listPartitions(db)).map((x) => x.from?.slice(0, 7) ?? 'default');
    expect(months[0]).toBe('2024-02');
    expect(months.at(-1)).toBe('default');
    expect(new Set(months).size).toBe(months.length);
    expect(
      await queryRows(db, sql`SELECT to_regclass('public.product_views_unpartitioned') AS t`),
    ).toEqual([{ t: null }]);
  });

  it('maintain moves stray rows out of the default partition into their month', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const p = await createParents(db);
    const stray = await view(db, p, '2023-07-04T10:00:00Z');
    const current = await view(db, p, new Date().toISOString());
    expect(await count(db, 'aclue_partitions.product_views_default')).toBe(1);

    const [maintained] = await maintainPartitions(db, { from: new Date('2023-07-01T00:00:00Z') });
    expect(maintained?.created[0]).toBe('product_views_p2023_07');
    expect(await count(db, 'aclue_partitions.product_views_default')).toBe(0);
    const stored = await homes(db);
    expect(stored).toHaveLength(2);
    expect(stored.find((r) => r.id === stray)?.home).toBe(
      'aclue_partitions.product_views_p2023_07',
    );
    expect(stored.find((r) => r.id === current)).toBeDefined();

    // Idempotent: a second run creates nothing.
    const again = await maintainPartitions(db, { from: new Date('2023-07-01T00:00:00Z') });
    expect(again.flatMap((m) => m.created)).toEqual([]);

    // A month detached by hand (rows and all) is attached again, its rows back in the table.
    await db.execute(
      sql`ALTER TABLE public.product_views DETACH PARTITION aclue_partitions.product_views_p2023_07`,
    );
    expect(await homes(db)).toHaveLength(1);
    const repaired = await maintainPartitions(db, { from: new Date('2023-07-01T00:00:00Z') });
    expect(repaired.flatMap((m) => m.created)).toEqual(['product_views_p2023_07']);
    expect(await homes(db)).toHaveLength(2);
    await expect(maintainPartitions(db, { ahead: -1 })).rejects.toThrow(/ahead/);
  });

  it('keeps each partition out of the API roles’ reach; the parent’s rules still decide', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const p = await createParents(db);
    await db
      .insert(sessionAnalytics)
      .values({ sessionId: 'visitor-1', anonymousId: 'visitor-1', landingPage: '/' });
    const month = (await listPartitions(db)).find(
      (x) => x.from?.slice(0, 7) === new Date().toISOString().slice(0, 7),
    );
    expect(month).toBeDefined();
    for (const role of ['anon', 'authenticated', 'service_role']) {
      for (const statement of [
        `SELECT * FROM ${month?.partition}`,
        `INSERT INTO ${month?.partition} (product_id, session_id) VALUES ('${p.productId}', 'visitor-1')`,
        'SELECT * FROM aclue_partitions.product_views_default',
        `SELECT aclue_partitions.maintain_monthly_partitions('public.product_views', 'view_timestamp', now(), now())`,
      ]) {
        const failure = await asRole(db, role, statement).catch((e: unknown) => e);
        expect(postgresErrorOf(failure), `${role}: ${statement}`).toMatchObject({ code: '42501' });
      }
    }
    // Through the parent, a visitor writes to its own session and reads it back; the row is
    // routed into this month's partition without any privilege on it.
    await asRole(
      db,
      'anon',
      `INSERT INTO public.product_views (product_id, session_id) VALUES ('${p.productId}', 'visitor-1')`,
      { commit: true },
    );
    expect((await homes(db)).map((r) => r.home)).toEqual([month?.partition]);
    // The parent's policy still refuses a session the visitor does not have.
    const refused = await asRole(
      db,
      'anon',
      `INSERT INTO public.product_views (product_id, session_id) VALUES ('${p.productId}', 'someone-else')`,
    ).catch((e: unknown) => e);
    expect(postgresErrorOf(refused)).toMatchObject({
      code: '42501',
      message: expect.stringContaining('"product_views"'),
    });
    // A constraint broken inside a partition is reported on the table the caller wrote to.
    const broken = await db
      .insert(productViews)
      .values({ productId: p.productId, sessionId: 'visitor-1', viewPosition: 0 })
      .catch((e: unknown) => e);
    expect(postgresErrorOf(broken)).toMatchObject({
      code: '23514',
      schema: 'public',
      table: 'product_views',
      constraint: 'product_views_view_position_check',
    });
    expect(postgresErrorOf(broken)?.message).not.toContain('aclue_partitions');
  });
});

/** One statement as an API role with a visitor's claims, rolled back unless `commit`. */
async function asRole(db: Database, role: string, statement: string, { commit = false } = {}) {
  const rollback = new Error('rollback');
  await db
    .transaction(async (tx) => {
      await tx.execute(
        sql`SELECT set_config('request.jwt.claims', ${JSON.stringify({ role, anonymous_id: 'visitor-1' })}, true)`,
      );
      await tx.execute(sql.raw(`SET LOCAL ROLE ${role}`));
      await tx.execute(sql.raw(statement));
      if (!commit) throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

describe.runIf(testDrivers().includes('pg'))('partition maintenance under concurrency', () => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.dispose();
    test = undefined;
  });

  it('loses no row when maintainers and writers run at once', async () => {
    test = await createTestDatabase('pg');
    const { db, url } = test;
    const p = await createParents(db);
    // Stray rows in the default partition, for maintenance to move while writers add more.
    for (let i = 0; i < 20; i++) await view(db, p, `2022-0${1 + (i % 6)}-10T00:00:00Z`);
    const others = await Promise.all(
      Array.from({ length: 3 }, () => createDb({ url: url ?? '', poolSize: 4 })),
    );
    try {
      // Writers of this month never touch the default partition; writers of a month being
      // created wait for it (the parent is locked against writes while a month is attached), and
      // are then routed to the new month: none fails, none is lost.
      const writes = Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          view(
            others[i % others.length] as Database,
            p,
            i % 2 ? '2022-03-15T00:00:00Z' : new Date().toISOString(),
          ),
        ),
      );
      const results = await Promise.all(
        others.map((other) =>
          maintainPartitions(other, { from: new Date('2022-01-01T00:00:00Z') }),
        ),
      );
      const settled = await writes;
      const failed = settled.flatMap((w) =>
        w.status === 'rejected' ? [postgresErrorOf(w.reason)?.code ?? String(w.reason)] : [],
      );
      expect(failed).toEqual([]);
      const written = settled.length;
      // Each month was created exactly once, by one of the maintainers.
      const created = results.flatMap((r) => r.flatMap((m) => m.created)).sort();
      expect(new Set(created).size).toBe(created.length);
      expect(created.slice(0, 6)).toEqual([
        'product_views_p2022_01',
        'product_views_p2022_02',
        'product_views_p2022_03',
        'product_views_p2022_04',
        'product_views_p2022_05',
        'product_views_p2022_06',
      ]);
      expect(await count(db, 'public.product_views')).toBe(written + 20);
      expect(await count(db, 'aclue_partitions.product_views_default')).toBe(0);
    } finally {
      await Promise.all(others.map((o) => o.$close()));
    }
  });

  it('fails no insert while maintenance attaches, year after year, the months writers fill', async () => {
    test = await createTestDatabase('pg');
    const { db, url } = test;
    const p = await createParents(db);
    const writers = await Promise.all(
      Array.from({ length: 3 }, () => createDb({ url: url ?? '', poolSize: 1 })),
    );
    let stop = false;
    let written = 0;
    const failures: string[] = [];
    // Each writer fills random days of 2015–2022, where no month has a partition yet: its rows
    // land in the default partition until maintenance attaches their month.
    const writing = writers.map(async (writer, k) => {
      for (let i = 0; !stop; i++) {
        const day = new Date(Date.UTC(2015, 0, 1) + ((i * 7919 + k * 104729) % 2922) * 86_400_000);
        try {
          await view(writer, p, day.toISOString());
          written += 1;
        } catch (error) {
          failures.push(postgresErrorOf(error)?.code ?? String(error));
        }
      }
    });
    try {
      // A year further back each time: twelve months attached while the writers write to them.
      // Each step waits for writes of its own, however fast or slow the machine is.
      for (let year = 2022; year >= 2015; year--) {
        const target = written + 20;
        while (written < target && failures.length === 0) {
          await new Promise((done) => setTimeout(done, 5));
        }
        await maintainPartitions(db, { from: new Date(Date.UTC(year, 0, 1)) });
      }
    } finally {
      stop = true;
      await Promise.all(writing);
      await Promise.all(writers.map((w) => w.$close()));
    }
    expect(failures).toEqual([]);
    expect(written).toBeGreaterThanOrEqual(8 * 20);
    expect(await count(db, 'public.product_views')).toBe(written);
    expect(await count(db, 'aclue_partitions.product_views_default')).toBe(0);
  });
});
