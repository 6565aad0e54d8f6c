import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Database, deploymentTables, migrationStatus, queryRows, tables } from '@aclue/db';
import { refreshedDaysTable } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { describeTarget, type GlobalOptions, withDatabase } from '../context';
import { UsageError } from '../exit';
import { emit, formatTable } from '../output';

export interface RollbackOptions extends GlobalOptions {
  yes?: boolean;
  exportDir?: string;
}

const PAGE = 5_000;

/** The export folder's table of contents: what `aclue-db restore` loads back and checks. */
export const MANIFEST = 'manifest.json';

export interface ExportManifest {
  exportedAt: string;
  /** The migrations the database was at: restore needs the same schema back. */
  migrations: string[];
  /** Rows exported per table, in the order they were exported. */
  tables: Record<string, number>;
}

/** Writes every row of `table` as JSON lines, a keyset page at a time; returns the row count. */
async function exportTable(
  db: Database,
  table: string,
  key: string,
  file: string,
): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let last: string | null = null;
  for (;;) {
    const rows: Record<string, unknown>[] = await queryRows<Record<string, unknown>>(
      db,
      sql`SELECT to_jsonb(t) AS row, ${sql.identifier(key)}::text AS key FROM ${sql.identifier(table)} t
          WHERE ${last}::text IS NULL OR ${sql.identifier(key)}::text > ${last}
          ORDER BY ${sql.identifier(key)}::text LIMIT ${PAGE}`,
    );
    for (const row of rows) out.write(`${JSON.stringify(row.row)}\n`);
    written += rows.length;
    if (rows.length < PAGE) break;
    last = String(rows.at(-1)?.key);
  }
  await new Promise<void>((done, fail) =>
    out.end((error?: Error | null) => (error ? fail(error) : done())),
  );
  return written;
}

/**
 * The five deployment tables and every table whose foreign keys point into them (the conversion
 * audit trail): those cannot outlive them, so they are exported and dropped too.
 */
function rolledBackTables(): PgTable[] {
  const dependents = tables.filter(
    (table) =>
      !deploymentTables.includes(table) &&
      getTableConfig(table).foreignKeys.some((fk) =>
        deploymentTables.includes(fk.reference().foreignTable),
      ),
  );
  return [...deploymentTables, ...dependents];
}

/** Which of `candidates` exist in the database. */
export async function presentTables(db: Database, candidates: PgTable[]): Promise<string[]> {
  const names = candidates.map((t) => getTableConfig(t).name);
  const rows = await queryRows<{ name: string }>(
    db,
    sql`SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY(${`{${names.join(',')}}`}::text[])`,
  );
  return rows.map((r) => r.name);
}

/**
 * The original deployment's emergency procedure, made safe: only at the expected migration, only
 * with --yes, and only after every row of the five deployment tables (and of the tables that
 * reference them) is exported (and counted) to --export-dir. Then those tables — with their
 * indexes, policies, triggers, grants and comments — are dropped in one statement, and a manifest
 * of the export is written. `aclue-db push` recreates the tables, `aclue-db restore` their rows.
 */
export async function rollbackCommand(options: RollbackOptions): Promise<number> {
  if (!options.yes) {
    throw new UsageError(
      'rollback drops affiliate_clicks, user_preferences, session_analytics, product_views and recommendation_feedback: rerun with --yes (and --export-dir <dir>) if that is what you want',
    );
  }
  if (!options.exportDir)
    throw new UsageError('rollback needs --export-dir <dir> for the data export written first');
  const dir = resolve(options.exportDir);
  return withDatabase(options, async (db) => {
    const present = await presentTables(db, rolledBackTables());
    if (present.length === 0) {
      emit(options.json, { alreadyRolledBack: true }, () =>
        [
          describeTarget(db),
          'already rolled back: the deployment tables are gone. To bring them back: aclue-db push, then aclue-db restore --from <export-dir>.',
        ].join('\n'),
      );
      return 0;
    }
    const states = await migrationStatus(db);
    const off = states.filter((s) => s.state !== 'applied');
    if (off.length > 0) {
      throw new UsageError(
        `refusing: the database is not at the expected migration (${off.map((s) => `${s.tag} ${s.state}`).join(', ')}); run aclue-db status`,
      );
    }
    mkdirSync(dir, { recursive: true });
    const exported: [string, number][] = [];
    for (const table of rolledBackTables()) {
      const { name, columns } = getTableConfig(table);
      const key = columns.find((c) => c.primary)?.name ?? 'id';
      const count = await exportTable(db, name, key, join(dir, `${name}.jsonl`));
      const [row] = await queryRows<{ n: string }>(
        db,
        sql`SELECT count(*) AS n FROM ${sql.identifier(name)}`,
      );
      if (Number(row?.n) !== count) {
        throw new UsageError(
          `refusing: the export of ${name} has ${count} rows but the table has ${row?.n}; nothing was dropped`,
        );
      }
      exported.push([name, count]);
    }
    const manifest: ExportManifest = {
      exportedAt: new Date().toISOString(),
      migrations: states.map((s) => s.tag),
      tables: Object.fromEntries(exported),
    };
    writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    // One statement: the tracking tables' policies look into session_analytics, so dropping
    // them one by one would trip over each other.
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`DROP TABLE ${sql.join(
          exported.map(([name]) => sql.identifier(name)),
          sql`, `,
        )}`,
      );
      // The analytics' rollups summarise the dropped rows: no day of theirs counts as refreshed
      // any more, so reports read (no) raw rows until a restore marks the days again.
      await tx.execute(sql`DELETE FROM ${sql.raw(refreshedDaysTable)}
        WHERE source IN (${sql.join(
          exported.map(([name]) => sql`${name}`),
          sql`, `,
        )})`);
    });
    emit(
      options.json,
      { exportDir: dir, exported: Object.fromEntries(exported), dropped: exported.map(([n]) => n) },
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
