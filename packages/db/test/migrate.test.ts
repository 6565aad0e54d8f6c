import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Database,
  defaultMigrationsFolder,
  deploymentTables,
  MigrationError,
  migrate,
  queryRows,
  readMigrations,
  tables,
} from '../src';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

const deploymentTableNames = deploymentTables.map((t) => getTableConfig(t).name);

/** A private copy of the migrations folder, to edit without touching the committed one. */
function copyMigrations(): string {
  const folder = mkdtempSync(join(tmpdir(), 'aclue-migrations-'));
  cpSync(defaultMigrationsFolder, folder, { recursive: true });
  return folder;
}

async function count(db: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: string }>(db, query);
  return Number(row?.n);
}

describe.each(testDrivers())('migrate on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(driver, { migrated: false });
  });
  afterAll(() => test?.dispose());

  it('applies every migration to an empty database and reports them', async () => {
    const applied: string[] = [];
    const result = await migrate(test.db, { onMigration: (m) => applied.push(m.tag) });
    const expected = readMigrations().map((m) => m.tag);
    expect(result.pending.map((m) => m.tag)).toEqual(expected);
    expect(applied).toEqual(expected);
  });

  it('creates every table of the schema', async () => {
    const rows = await queryRows<{ tablename: string }>(
      test.db,
      sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(rows.map((r) => r.tablename).sort()).toEqual(
      tables.map((t) => getTableConfig(t).name).sort(),
    );
  });

  it('gives the five deployment tables at least 37 indexes and 15 policies', async () => {
    const names = sql.join(
      deploymentTableNames.map((n) => sql`${n}`),
      sql`, `,
    );
    const indexes = await count(
      test.db,
      sql`SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'public' AND tablename IN (${names})`,
    );
    const policies = await count(
      test.db,
      sql`SELECT count(*) AS n FROM pg_policies WHERE schemaname = 'public' AND tablename IN (${names})`,
    );
    expect(indexes).toBeGreaterThanOrEqual(37);
    expect(policies).toBeGreaterThanOrEqual(15);
  });

  it('enables row level security on every table in public', async () => {
    const withoutRls = await queryRows<{ relname: string }>(
      test.db,
      sql`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity`,
    );
    expect(withoutRls).toEqual([]);
  });

  it('applies nothing the second time', async () => {
    const result = await migrate(test.db);
    expect(result.pending).toEqual([]);
    expect(result.applied.map((m) => m.tag)).toEqual(readMigrations().map((m) => m.tag));
  });

  it('refuses to run when an applied migration was edited, naming the file', async () => {
    const folder = copyMigrations();
    const file = join(folder, '0001_deployment_schema.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after it was applied\n`);
    const error = await migrate(test.db, { migrationsFolder: folder }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).file).toBe('0001_deployment_schema.sql');
    expect((error as Error).message).toMatch(/0001_deployment_schema\.sql was edited/);
  });

  it('refuses a new migration dated before the last applied one, naming the file', async () => {
    const folder = copyMigrations();
    const journalPath = join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    const first = journal.entries[0];
    journal.entries.push({ ...first, idx: 99, when: first.when + 1, tag: '0099_backdated' });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(join(folder, '0099_backdated.sql'), 'SELECT 1;');
    const error = await migrate(test.db, { migrationsFolder: folder }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).file).toBe('0099_backdated.sql');
  });

  it('applies a new migration dated after the others, and a dry run applies nothing', async () => {
    const folder = copyMigrations();
    const journalPath = join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    const last = journal.entries.at(-1);
    journal.entries.push({ ...last, idx: 99, when: last.when + 1, tag: '0099_next' });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(join(folder, '0099_next.sql'), 'CREATE TABLE public.probe (id int);');

    const dry = await migrate(test.db, { migrationsFolder: folder, dryRun: true });
    expect(dry.pending.map((m) => m.tag)).toEqual(['0099_next']);
    expect(
      await count(test.db, sql`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'probe'`),
    ).toBe(0);

    const real = await migrate(test.db, { migrationsFolder: folder });
    expect(real.pending.map((m) => m.tag)).toEqual(['0099_next']);
    expect(
      await count(test.db, sql`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'probe'`),
    ).toBe(1);
    await test.db.execute(sql`DROP TABLE public.probe`);
  });

  it('rolls back every statement of a run when one migration fails', async () => {
    const folder = copyMigrations();
    const journalPath = join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    const last = journal.entries.at(-1);
    journal.entries.push({ ...last, idx: 100, when: last.when + 2, tag: '0100_good' });
    journal.entries.push({ ...last, idx: 101, when: last.when + 3, tag: '0101_bad' });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(join(folder, '0100_good.sql'), 'CREATE TABLE public.probe_good (id int);');
    writeFileSync(join(folder, '0101_bad.sql'), 'SELECT * FROM no_such_table;');
    // 0099_next (from the previous test) is not in this copy: start from the committed history.
    const history = await count(
      test.db,
      sql`SELECT count(*) AS n FROM drizzle.__drizzle_migrations`,
    );
    await test.db.execute(
      sql`DELETE FROM drizzle.__drizzle_migrations WHERE created_at > ${last.when}`,
    );
    const error = await migrate(test.db, { migrationsFolder: folder }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).file).toBe('0101_bad.sql');
    expect(
      await count(test.db, sql`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'probe_good'`),
    ).toBe(0);
    expect(await count(test.db, sql`SELECT count(*) AS n FROM drizzle.__drizzle_migrations`)).toBe(
      history - 1,
    );
  });
});
