import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { type Database, queryRows } from './client';
import { MigrationError } from './errors';
import { tables } from './tables';

/** The committed migrations of this package. */
export const defaultMigrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Any key unique to this project: every migrate() in one database queues on it. */
const MIGRATION_LOCK_KEY = 7_346_011_204;

export interface MigrationFile {
  /** File name without `.sql`, e.g. `0001_deployment_schema`. */
  tag: string;
  /** The journal's timestamp; drizzle records it as `created_at` when applied. */
  when: number;
  /** sha256 of the file, as drizzle records it. */
  hash: string;
  statements: string[];
}

interface Journal {
  entries: { tag: string; when: number }[];
}

/** Reads the migrations folder in journal order (drizzle-kit's layout). */
export function readMigrations(folder = defaultMigrationsFolder): MigrationFile[] {
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as Journal;
  } catch (error) {
    throw new MigrationError(
      `cannot read the migration journal ${join(folder, 'meta/_journal.json')}: ${(error as Error).message}`,
      'meta/_journal.json',
      { cause: error },
    );
  }
  return journal.entries.map(({ tag, when }) => {
    const content = readFileSync(join(folder, `${tag}.sql`), 'utf8');
    return {
      tag,
      when,
      hash: createHash('sha256').update(content).digest('hex'),
      statements: content.split('--> statement-breakpoint').filter((s) => s.trim() !== ''),
    };
  });
}

export interface AppliedMigration {
  hash: string;
  createdAt: number;
}

export interface MigrationPlan {
  /** Migrations already recorded in the database, matched to their files. */
  applied: MigrationFile[];
  /** Migrations to apply, in order. */
  pending: MigrationFile[];
}

/** Where one migration stands against a database's history. */
export interface MigrationState {
  /** File name without `.sql`; for a row with no file, `created_at <n>`. */
  tag: string;
  hash: string;
  state: 'applied' | 'pending' | 'edited' | 'backdated' | 'missing-file';
  /** What is wrong and what to do, for every state but applied and pending. */
  problem?: string;
}

/**
 * Compares the folder with the database's history, migration by migration. Finds what drizzle's
 * own migrator silently accepts: an applied migration whose file was edited since, a new migration
 * dated before the last applied one (it would never run), and applied migrations with no file.
 */
export function compareMigrations(
  files: MigrationFile[],
  history: AppliedMigration[],
): MigrationState[] {
  const states: MigrationState[] = [];
  for (const row of history) {
    if (!files.some((f) => f.when === row.createdAt)) {
      states.push({
        tag: `created_at ${row.createdAt}`,
        hash: row.hash,
        state: 'missing-file',
        problem: `the database has a migration applied (created_at ${row.createdAt}) that is not in the migrations folder: the database is ahead of this code`,
      });
    }
  }
  const lastApplied = Math.max(0, ...history.map((row) => row.createdAt));
  for (const file of files) {
    const row = history.find((r) => r.createdAt === file.when);
    if (row && row.hash !== file.hash) {
      states.push({
        tag: file.tag,
        hash: file.hash,
        state: 'edited',
        problem: `migration ${file.tag}.sql was edited after it was applied (checksum ${row.hash.slice(0, 12)} in the database, ${file.hash.slice(0, 12)} on disk); migrations are append-only: restore the file and add a new migration`,
      });
    } else if (row) {
      states.push({ tag: file.tag, hash: file.hash, state: 'applied' });
    } else if (file.when <= lastApplied) {
      states.push({
        tag: file.tag,
        hash: file.hash,
        state: 'backdated',
        problem: `migration ${file.tag}.sql is dated before the last applied migration and would never run; regenerate it so it comes last`,
      });
    } else {
      states.push({ tag: file.tag, hash: file.hash, state: 'pending' });
    }
  }
  return states;
}

/** The plan for migrate(): refuses, naming the file, when the history and the folder disagree. */
export function planMigrations(files: MigrationFile[], history: AppliedMigration[]): MigrationPlan {
  const states = compareMigrations(files, history);
  const wrong = states.find((s) => s.problem);
  if (wrong?.problem) {
    throw new MigrationError(
      wrong.problem,
      wrong.state === 'missing-file' ? undefined : `${wrong.tag}.sql`,
    );
  }
  const withState = (state: MigrationState['state']) =>
    files.filter((f) => states.some((s) => s.tag === f.tag && s.state === state));
  return { applied: withState('applied'), pending: withState('pending') };
}

type Executor = Pick<Database, 'execute'>;

async function selectHistory(db: Executor): Promise<AppliedMigration[]> {
  const rows = await queryRows<{ hash: string; created_at: string }>(
    db,
    sql`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at`,
  );
  return rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }));
}

async function readHistory(db: Executor): Promise<AppliedMigration[]> {
  await db.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
  await db.execute(sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
    id SERIAL PRIMARY KEY,
    hash text NOT NULL,
    created_at bigint
  )`);
  return selectHistory(db);
}

export interface MigrateOptions {
  migrationsFolder?: string;
  /** Plan only: report what would be applied and apply nothing. */
  dryRun?: boolean;
  /** Called before each migration is applied. */
  onMigration?: (migration: MigrationFile) => void;
}

export interface MigrateResult extends MigrationPlan {
  dryRun: boolean;
}

/**
 * Applies pending migrations in one transaction, under a PostgreSQL advisory lock so that two
 * processes migrating at once apply each migration exactly once. Safe to call repeatedly; shares
 * drizzle-kit's bookkeeping table (`drizzle.__drizzle_migrations`).
 *
 * @example
 * const { pending } = await migrate(db);
 * console.log(`applied ${pending.length} migrations`);
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = readMigrations(options.migrationsFolder);
  const dryRun = options.dryRun ?? false;
  let plan: MigrationPlan | undefined;
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      plan = planMigrations(files, await readHistory(tx));
      if (plan.applied.length === 0) await refuseUnrecorded(tx);
      // A dry run still takes the lock and reads the history, then leaves no trace.
      if (dryRun) tx.rollback();
      for (const migration of plan.pending) await apply(tx, migration, options);
    });
  } catch (error) {
    if (!(dryRun && error instanceof TransactionRollbackError)) throw error;
  }
  if (!plan) throw new MigrationError('the migration plan could not be read', undefined);
  return { ...plan, dryRun };
}

async function apply(tx: Executor, migration: MigrationFile, options: MigrateOptions) {
  options.onMigration?.(migration);
  for (const [index, statement] of migration.statements.entries()) {
    try {
      await tx.execute(sql.raw(statement));
    } catch (error) {
      // drizzle's message repeats the whole statement: the database's own reason is underneath.
      const reason = ((error as { cause?: Error }).cause ?? (error as Error)).message;
      throw new MigrationError(
        `migration ${migration.tag}.sql failed at statement ${index + 1} of ${migration.statements.length}, nothing was applied: ${reason.split('\n')[0]}`,
        `${migration.tag}.sql`,
        { cause: error },
      );
    }
  }
  await tx.execute(
    sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.when})`,
  );
}

/**
 * Where every migration stands on `db`, without changing anything (the history table is only
 * read, and a database never migrated has every migration pending).
 */
export async function migrationStatus(
  db: Database,
  { migrationsFolder }: { migrationsFolder?: string } = {},
): Promise<MigrationState[]> {
  const files = readMigrations(migrationsFolder);
  const [exists] = await queryRows<{ present: boolean }>(
    db,
    sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`,
  );
  return compareMigrations(files, exists?.present ? await selectHistory(db) : []);
}

/**
 * The schema's tables that exist in a database with no migration recorded: one built by
 * `aclue-db push`, or restored from a dump. Migrating it would fail at its first CREATE TABLE.
 */
export async function unrecordedTables(db: Executor): Promise<string[]> {
  const [history] = await queryRows<{ present: boolean }>(
    db,
    sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`,
  );
  if (history?.present && (await selectHistory(db)).length > 0) return [];
  return presentTables(db);
}

/** The schema's tables that exist in `public`. */
async function presentTables(db: Executor): Promise<string[]> {
  const names = tables.map((t) => getTableConfig(t).name);
  const rows = await queryRows<{ name: string }>(
    db,
    sql`SELECT name FROM unnest(ARRAY[${sql.join(
      names.map((n) => sql`${n}`),
      sql`, `,
    )}]::text[]) AS name WHERE to_regclass('public.' || quote_ident(name)) IS NOT NULL`,
  );
  return rows.map((r) => r.name);
}

/** What to say, and do, about a schema built without migrations. */
export const unrecordedMessage = (found: readonly string[]) =>
  `the database has the schema's tables (${found.length}: ${found.slice(0, 4).join(', ')}${found.length > 4 ? ', …' : ''}) but no migration recorded — built by aclue-db push, or restored from a dump: run aclue-db baseline, which records the migrations as applied once it has proved the schema equals them`;

/** For migrate(), which has just read an empty history: only the tables are looked up. */
async function refuseUnrecorded(tx: Executor) {
  const found = await presentTables(tx);
  if (found.length > 0) {
    throw new MigrationError(`${unrecordedMessage(found)}; nothing was applied`, undefined);
  }
}

/**
 * Records every migration of the folder as applied, without running any: for a database whose
 * schema was proved equal to them (`baseline` in @aclue/schema-ops does the proving). One
 * transaction under the migration lock; refused when any migration is recorded already.
 */
export async function recordMigrations(
  db: Database,
  { migrationsFolder }: { migrationsFolder?: string } = {},
): Promise<MigrationFile[]> {
  const files = readMigrations(migrationsFolder);
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    if ((await readHistory(tx)).length > 0) {
      throw new MigrationError(
        'the database already has a migration history: baseline is for a database with none (run aclue-db status)',
        undefined,
      );
    }
    for (const file of files) {
      await tx.execute(
        sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${file.hash}, ${file.when})`,
      );
    }
  });
  return files;
}
