import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Database, type Executor, queryRows, tables } from '@aclue/db';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { describeTarget, type GlobalOptions, requireMigrated, withDatabase } from '../context';
import { UsageError } from '../exit';
import { emit, formatTable } from '../output';
import { type ExportManifest, MANIFEST, presentTables } from './rollback';

export interface RestoreOptions extends GlobalOptions {
  from?: string;
}

const BATCH = 1_000;

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
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as ExportManifest;
  const unknown = Object.keys(manifest.tables ?? {}).filter((name) => !tableNamed.has(name));
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

/** Loads one table's JSON lines in batches; generated columns are left to the database. */
async function loadTable(tx: Executor, name: string, file: string): Promise<number> {
  const table = tableNamed.get(name);
  const columns = table
    ? getTableConfig(table)
        .columns.filter((c) => !(c as { generated?: unknown }).generated)
        .map((c) => sql.identifier(c.name))
    : [];
  const list = sql.join(columns, sql`, `);
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
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (line.trim() === '') continue;
    batch.push(line);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return loaded;
}

/**
 * Loads a rollback export back into the recreated (and empty) tables, in one transaction: every
 * table's row count must equal the manifest's, or nothing is kept.
 */
export async function restoreCommand(options: RestoreOptions): Promise<number> {
  if (!options.from) throw new UsageError('restore needs --from <export-dir> (a rollback export)');
  const dir = resolve(options.from);
  const manifest = readManifest(dir);
  return withDatabase(options, async (db: Database) => {
    await requireMigrated(db);
    const names = loadOrder(Object.keys(manifest.tables));
    const present = await presentTables(
      db,
      names.flatMap((name) => tableNamed.get(name) ?? []),
    );
    const missing = names.filter((name) => !present.includes(name));
    if (missing.length > 0) {
      throw new UsageError(
        `the tables ${missing.join(', ')} do not exist: run \`aclue-db push\` first to recreate them`,
      );
    }
    const loaded = await db.transaction(async (tx) => {
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
      return counts;
    });
    emit(options.json, { from: dir, restored: Object.fromEntries(loaded) }, () =>
      [
        describeTarget(db),
        `restored from ${dir} (exported ${manifest.exportedAt}):`,
        formatTable(['table', 'rows restored'], loaded),
        'every count matches the manifest; run aclue-db verify to check the rest.',
      ].join('\n'),
    );
    return 0;
  });
}
