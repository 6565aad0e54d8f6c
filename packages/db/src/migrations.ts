import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { type Database, queryRows } from './client';
import { MigrationError } from './errors';

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

/**
 * Compares the folder with the database's history. Refuses, naming the file, what drizzle's own
 * migrator silently accepts: an applied migration whose file was edited since, and a new migration
 * dated before the last applied one (it would never run).
 */
export function planMigrations(files: MigrationFile[], history: AppliedMigration[]): MigrationPlan {
  const applied: MigrationFile[] = [];
  for (const row of history) {
    const file = files.find((f) => f.when === row.createdAt);
    if (!file) {
      throw new MigrationError(
        `the database has a migration applied (created_at ${row.createdAt}) that is not in the migrations folder: the database is ahead of this code`,
        undefined,
      );
    }
    if (file.hash !== row.hash) {
      throw new MigrationError(
        `migration ${file.tag}.sql was edited after it was applied (checksum ${row.hash.slice(0, 12)} in the database, ${file.hash.slice(0, 12)} on disk); migrations are append-only: restore the file and add a new migration`,
        `${file.tag}.sql`,
      );
    }
    applied.push(file);
  }
  const lastApplied = Math.max(0, ...history.map((row) => row.createdAt));
  const pending = files.filter((f) => !applied.includes(f));
  const stale = pending.find((f) => f.when <= lastApplied);
  if (stale) {
    throw new MigrationError(
      `migration ${stale.tag}.sql is dated before the last applied migration and would never run; regenerate it so it comes last`,
      `${stale.tag}.sql`,
    );
  }
  return { applied, pending };
}

type Executor = Pick<Database, 'execute'>;

async function readHistory(db: Executor): Promise<AppliedMigration[]> {
  await db.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
  await db.execute(sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
    id SERIAL PRIMARY KEY,
    hash text NOT NULL,
    created_at bigint
  )`);
  const rows = await queryRows<{ hash: string; created_at: string }>(
    db,
    sql`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at`,
  );
  return rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }));
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
  for (const statement of migration.statements) {
    try {
      await tx.execute(sql.raw(statement));
    } catch (error) {
      throw new MigrationError(
        `migration ${migration.tag}.sql failed, nothing was applied: ${(error as Error).message}`,
        `${migration.tag}.sql`,
        { cause: error },
      );
    }
  }
  await tx.execute(
    sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.when})`,
  );
}
