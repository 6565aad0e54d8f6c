import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Database,
  type Executor,
  maintainPartitions,
  migrationStatus,
  queryRows,
  refreshRollups,
  rollbackState,
  tables,
} from '@aclue/db';
import { derivedColumnTriggers, partitionedTables } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { describeTarget, type GlobalOptions, requireMigrated, withDatabase } from '../context';
import { UsageError } from '../exit';
import { JsonLinesError, readJsonLines } from '../jsonl';
import { emit, formatTable } from '../output';
import { type ExportManifest, MANIFEST } from './rollback';

export interface RestoreOptions extends GlobalOptions {
  from?: string;
}

const BATCH = 1_000;

/**
 * The longest line restore reads. A row is bounded by its table's CHECKs (texts, JSON objects and
 * arrays all have byte limits), far below this; a longer line is not a row rollback wrote.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** The schema's tables by their SQL name. */
const tableNamed = new Map(tables.map((table) => [getTableConfig(table).name, table]));

/** The export's manifest, or a usage error that says what is wrong with the folder. */
function readManifest(dir: string): ExportManifest {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) {
    throw new UsageError(
      `${dir} holds no ${MANIFEST}: point --from at a folder written by aclue-db rollback`,
    );
  }
  let manifest: ExportManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as ExportManifest;
  } catch {
    throw new UsageError(`${file} is not JSON: it is not a manifest aclue-db rollback wrote`);
  }
  const counts = Object.entries(manifest?.tables ?? {});
  if (counts.length === 0 || counts.some(([, n]) => !Number.isSafeInteger(n) || n < 0)) {
    throw new UsageError(`${file}: "tables" must map each exported table to its row count`);
  }
  const unknown = counts.map(([name]) => name).filter((name) => !tableNamed.has(name));
  if (unknown.length > 0)
    throw new UsageError(`the export names unknown tables: ${unknown.join(', ')}`);
  return manifest;
}

/** Parents before children, so every foreign key holds as rows arrive. */
function loadOrder(names: string[]): string[] {
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name) || path.includes(name)) return;
    const table = tableNamed.get(name);
    for (const fk of table ? getTableConfig(table).foreignKeys : []) {
      const parent = getTableConfig(fk.reference().foreignTable).name;
      if (names.includes(parent)) visit(parent, [...path, name]);
    }
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

/**
 * Loads one table's JSON lines in batches; generated columns are left to the database. Every line
 * must be one JSON object whose keys are columns of the table; the count returned is of rows.
 */
async function loadTable(tx: Executor, name: string, file: string): Promise<number> {
  const table = tableNamed.get(name);
  if (!table) throw new UsageError(`the export names an unknown table: ${name}`);
  const { columns } = getTableConfig(table);
  const known = new Set(columns.map((c) => c.name));
  const list = sql.join(
    columns.filter((c) => !c.generated).map((c) => sql.identifier(c.name)),
    sql`, `,
  );
  let loaded = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await tx.execute(
      sql`INSERT INTO ${sql.identifier(name)} (${list})
          SELECT ${list} FROM jsonb_populate_recordset(NULL::${sql.identifier(name)}, ${`[${batch.join(',')}]`}::jsonb)`,
    );
    loaded += batch.length;
    batch = [];
  };
  for await (const line of readJsonLines(file, { maxLineBytes: MAX_LINE_BYTES })) {
    const stray = Object.keys(line.value).find((key) => !known.has(key));
    if (stray !== undefined) {
      // The key is the export's own text, not a value: at most 64 characters of it are named.
      throw new JsonLinesError(
        file,
        line.number,
        `"${stray.slice(0, 64)}" is not a column of ${name}`,
      );
    }
    batch.push(line.text);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return loaded;
}

/** The oldest partition key among the restored rows: their months' partitions must exist. */
async function oldestPartitionKey(tx: Executor, names: string[]): Promise<Date | undefined> {
  let oldest: Date | undefined;
  for (const table of partitionedTables.filter((t) => names.includes(t.sql))) {
    const [row] = await queryRows<{ oldest: string | null }>(
      tx,
      sql`SELECT min(${sql.identifier(table.column)})::text AS oldest FROM ${sql.identifier(table.sql)}`,
    );
    const found = row?.oldest ? new Date(row.oldest) : undefined;
    if (found && (!oldest || found < oldest)) oldest = found;
  }
  return oldest;
}

/**
 * Loads a rollback export back into the recreated (and empty) tables, in one transaction: every
 * line must be one JSON object of the table's columns and every table's row count must equal the
 * manifest's, or nothing is kept. The months the rows cover get their partitions in the same
 * transaction; the rollups of the restored days are refreshed after it, so the database ends as
 * `verify` and `drift` expect.
 */
export async function restoreCommand(options: RestoreOptions): Promise<number> {
  if (!options.from) throw new UsageError('restore needs --from <export-dir> (a rollback export)');
  const dir = resolve(options.from);
  const manifest = readManifest(dir);
  return withDatabase(options, async (db: Database) => {
    await requireMigrated(db);
    // The rows fit the schema they were exported from: the same migrations, or refused.
    const applied = (await migrationStatus(db)).map((m) => m.tag);
    if (JSON.stringify(applied) !== JSON.stringify(manifest.migrations ?? [])) {
      throw new UsageError(
        `refusing: the export was taken at migration ${manifest.migrations?.at(-1) ?? '(none)'} and the database is at ${applied.at(-1) ?? '(none)'}; restore into a database at the export's migrations (nothing was loaded)`,
      );
    }
    const names = loadOrder(Object.keys(manifest.tables));
    const { missing } = await rollbackState(db);
    const absent = names.filter((name) => missing.includes(name));
    if (absent.length > 0) {
      throw new UsageError(
        `the tables ${absent.join(', ')} do not exist: run \`aclue-db push\` first to recreate them`,
      );
    }
    const { loaded, partitions } = await db
      .transaction(async (tx) => {
        // Writers (the API, once push has recreated the tables) wait until the load commits;
        // readers go on. The rows are loaded as exported: columns the database derives from a
        // parent on insert keep their exported values (the parent may have changed since).
        await tx.execute(
          sql`LOCK TABLE ${sql.join(
            names.map((n) => sql.identifier(n)),
            sql`, `,
          )} IN EXCLUSIVE MODE`,
        );
        const deriving = derivedColumnTriggers.filter((t) => names.includes(t.table));
        for (const t of deriving) {
          await tx.execute(
            sql`ALTER TABLE ${sql.identifier(t.table)} DISABLE TRIGGER ${sql.identifier(t.name)}`,
          );
        }
        const counts: [string, number][] = [];
        for (const name of names) {
          const [existing] = await queryRows<{ n: number }>(
            tx,
            sql`SELECT count(*)::int AS n FROM ${sql.identifier(name)}`,
          );
          if ((existing?.n ?? 0) > 0) {
            throw new UsageError(
              `refusing: ${name} already holds ${existing?.n} rows; restore loads into empty tables only (nothing was loaded)`,
            );
          }
          const count = await loadTable(tx, name, join(dir, `${name}.jsonl`));
          if (count !== manifest.tables[name]) {
            throw new UsageError(
              `refusing: ${name}.jsonl has ${count} rows but the manifest says ${manifest.tables[name]}; nothing was loaded`,
            );
          }
          counts.push([name, count]);
        }
        for (const t of deriving) {
          await tx.execute(
            sql`ALTER TABLE ${sql.identifier(t.table)} ENABLE TRIGGER ${sql.identifier(t.name)}`,
          );
        }
        const oldest = await oldestPartitionKey(tx, names);
        const made = oldest ? await maintainPartitions(tx, { from: oldest }) : [];
        return { loaded: counts, partitions: made.flatMap((m) => m.created) };
      })
      .catch((error: unknown) => {
        if (error instanceof JsonLinesError) {
          throw new UsageError(`refusing: ${error.message}; nothing was loaded`);
        }
        throw error;
      });
    // The restored rows marked their days for refresh as they arrived; the rollups are brought
    // up to date now rather than left "never refreshed" for the next scheduled run.
    const refreshed = await refreshRollups(db);
    const days = new Set(refreshed.flatMap((r) => [...r.refreshed, ...r.unwritten])).size;
    emit(
      options.json,
      { from: dir, restored: Object.fromEntries(loaded), partitionsCreated: partitions, days },
      () =>
        [
          describeTarget(db),
          `restored from ${dir} (exported ${manifest.exportedAt}):`,
          formatTable(['table', 'rows restored'], loaded),
          ...(partitions.length > 0 ? [`partitions created: ${partitions.join(', ')}`] : []),
          `rollups refreshed for ${days} days`,
          'every count matches the manifest; run aclue-db verify and aclue-db drift to check the rest.',
        ].join('\n'),
    );
    return 0;
  });
}
