import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  BRING_BACK_HINT,
  type Database,
  type Executor,
  migrationStatus,
  postgresErrorOf,
  queryRows,
  rollbackState,
  rollbackTableNames,
} from '@aclue/db';
import { refreshedDaysTable } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { UsageError } from '../exit';
import { emit, formatTable } from '../output';

export interface RollbackOptions extends GlobalOptions {
  yes?: boolean;
  exportDir?: string;
}

const PAGE = 5_000;

/** How long rollback waits for the sessions using the tables before it gives up, untouched. */
const LOCK_TIMEOUT = '30s';

/** The export folder's table of contents: what `aclue-db restore` loads back and checks. */
export const MANIFEST = 'manifest.json';

export interface ExportManifest {
  exportedAt: string;
  /** The migrations the database was at: restore needs the same schema back. */
  migrations: string[];
  /** Rows exported per table, in the order they were exported. */
  tables: Record<string, number>;
}

/**
 * Writes every row of `table` as one JSON object per line through a cursor of the caller's
 * transaction (so every page reads the same locked table); returns the row count. The file is
 * new (`wx`: never over an earlier export) and synced to disk before it counts as written; a
 * write error (a full disk) fails the export, and with it the transaction: nothing is dropped.
 */
async function exportTable(tx: Executor, table: string, file: string): Promise<number> {
  const out = createWriteStream(file, { flags: 'wx', flush: true });
  const closed = finished(out);
  // Observed below; until then an early error (EACCES on open) must not go unhandled.
  closed.catch(() => {});
  let written = 0;
  try {
    await tx.execute(sql`DECLARE aclue_export NO SCROLL CURSOR FOR
      SELECT to_jsonb(t)::text AS row FROM ${sql.identifier(table)} t`);
    for (;;) {
      const rows = await queryRows<{ row: string }>(
        tx,
        sql`FETCH ${sql.raw(String(PAGE))} FROM aclue_export`,
      );
      if (rows.length === 0) break;
      // to_jsonb's text escapes every control character, so a row never spans two lines.
      if (!out.write(`${rows.map((r) => r.row).join('\n')}\n`)) {
        await Promise.race([once(out, 'drain'), closed]);
      }
      written += rows.length;
    }
    await tx.execute(sql`CLOSE aclue_export`);
    out.end();
  } catch (error) {
    out.destroy();
    throw error;
  }
  await closed;
  return written;
}

/**
 * Exports and drops the rollback tables in one transaction that first locks them all: a writer
 * either committed before the lock (its row is in the export) or waits and then finds the table
 * gone (42P01). Counts are taken under the same lock. The manifest is written before the commit:
 * if the commit fails the tables are still there and the export is merely stale.
 */
export async function exportAndDrop(db: Database, dir: string): Promise<ExportManifest> {
  const migrations = (await migrationStatus(db)).map((s) => s.tag);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(
      `refusing: ${dir} is not empty (an earlier export?); give rollback a new or empty --export-dir. Nothing was exported or dropped`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const tables = rollbackTableNames.map((name) => sql.identifier(name));
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`);
      await tx.execute(sql`LOCK TABLE ${sql.join(tables, sql`, `)} IN ACCESS EXCLUSIVE MODE`);
      const exported: Record<string, number> = {};
      for (const name of rollbackTableNames) {
        const count = await exportTable(tx, name, join(dir, `${name}.jsonl`));
        const [row] = await queryRows<{ n: number }>(
          tx,
          sql`SELECT count(*)::int AS n FROM ${sql.identifier(name)}`,
        );
        if (row?.n !== count) {
          throw new UsageError(
            `refusing: the export of ${name} has ${count} rows but the table has ${row?.n}; nothing was dropped`,
          );
        }
        exported[name] = count;
      }
      const manifest: ExportManifest = {
        exportedAt: new Date().toISOString(),
        migrations,
        tables: exported,
      };
      writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      // One statement: the tracking tables' policies look into session_analytics, so dropping
      // them one by one would trip over each other.
      await tx.execute(sql`DROP TABLE ${sql.join(tables, sql`, `)}`);
      // The analytics' rollups summarise the dropped rows: no day of theirs counts as refreshed
      // any more, so reports read (no) raw rows until a restore refreshes the days again.
      await tx.execute(sql`DELETE FROM ${sql.raw(refreshedDaysTable)}
        WHERE source = ANY(${`{${rollbackTableNames.join(',')}}`}::text[])`);
      return manifest;
    });
  } catch (error) {
    if (postgresErrorOf(error)?.code === '55P03') {
      throw new UsageError(
        `refusing: could not lock ${rollbackTableNames.join(', ')} within ${LOCK_TIMEOUT}: another session holds them (see pg_stat_activity); nothing was exported or dropped`,
      );
    }
    throw error;
  }
}

/**
 * The original deployment's emergency procedure, made safe: only at the expected migration, only
 * with --yes, and only after every row of the five deployment tables (and of the tables that
 * reference them) is exported (and counted) to --export-dir, under a lock that keeps writers out
 * until the tables are gone. `aclue-db push` recreates the tables, `aclue-db restore` their rows.
 */
export async function rollbackCommand(options: RollbackOptions): Promise<number> {
  if (!options.yes) {
    throw new UsageError(
      `rollback drops ${rollbackTableNames.join(', ')}: rerun with --yes (and --export-dir <dir>) if that is what you want`,
    );
  }
  if (!options.exportDir)
    throw new UsageError('rollback needs --export-dir <dir> for the data export written first');
  const dir = resolve(options.exportDir);
  return withDatabase(options, async (db) => {
    const state = await rollbackState(db);
    if (state.rolledBack) {
      emit(options.json, { alreadyRolledBack: true }, () =>
        [
          describeTarget(db),
          `already rolled back: the deployment tables are gone. To bring them back: ${BRING_BACK_HINT}.`,
        ].join('\n'),
      );
      return 0;
    }
    const off = (await migrationStatus(db)).filter((s) => s.state !== 'applied');
    if (off.length > 0) {
      throw new UsageError(
        `refusing: the database is not at the expected migration (${off.map((s) => `${s.tag} ${s.state}`).join(', ')}); run aclue-db status`,
      );
    }
    if (state.missing.length > 0) {
      throw new UsageError(
        `refusing: ${state.missing.join(', ')} already missing while their migrations are applied; run aclue-db verify to see what happened`,
      );
    }
    const manifest = await exportAndDrop(db, dir);
    const exported = Object.entries(manifest.tables);
    emit(
      options.json,
      { exportDir: dir, exported: manifest.tables, dropped: exported.map(([n]) => n) },
      () =>
        [
          describeTarget(db),
          `exported to ${dir}:`,
          formatTable(['table', 'rows exported'], exported),
          `dropped ${exported.length} tables with their indexes, policies, triggers, grants and comments.`,
          `To restore: aclue-db push, then aclue-db restore --from ${dir}`,
        ].join('\n'),
    );
    return 0;
  });
}
