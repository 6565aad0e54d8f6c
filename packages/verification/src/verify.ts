import {
  AclueDbError,
  BRING_BACK_HINT,
  type Database,
  type Executor,
  postgresErrorOf,
  queryRows,
  rollbackTableNames,
} from '@aclue/db';
import { readCatalog } from '@aclue/db/catalog';
import { tableComments, tableGrants, tableTriggers } from '@aclue/db/objects';
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { type DeclaredTable, declaredTables } from './declared';
import { runLints } from './lints';
import {
  checkDefaultPrivileges,
  checkEnvironment,
  compareComments,
  comparePrivileges,
  compareTriggers,
} from './objects';
import { checkPartitions } from './partitions';
import { runProbes } from './probes';
import { attemptAll } from './probes/attempt';
import { checkStoredData } from './probes/stored-data';
import { type CheckResult, fail } from './results';
import { checkRollupContents, checkRollups } from './rollups';
import { compareTable } from './structure';
import { checkDurability, checkEventTriggers } from './surface/durability';
import { checkExposedSchemas } from './surface/exposed';
import { checkApiRoles } from './surface/roles';
import { checkSchemaPrivileges } from './surface/schemas';

/** Verification could not run: a filter names nothing, or the role may not read the catalog. */
export class VerificationError extends AclueDbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'config', options);
  }
}

export interface VerifyOptions {
  /** Schema to verify (default `public`, where every table of @aclue/db lives). */
  schema?: string;
  /** Only these tables (SQL names); database-wide checks are skipped. */
  tables?: string[];
  /** Behavioural probes (RLS matrix, checks, FK actions, triggers); default true. */
  probes?: boolean;
  /**
   * Also prove the stored rows intact: amcheck on every B-tree index, every foreign key and CHECK
   * re-validated row by row (reads every table: minutes on a large database); default false.
   */
  data?: boolean;
}

export interface VerificationReport {
  schema: string;
  results: CheckResult[];
  checks: number;
  failed: number;
  durationMs: number;
}

function selectTables(options: VerifyOptions): DeclaredTable[] {
  const schema = options.schema ?? 'public';
  const declared = declaredTables().filter(
    (t) => (getTableConfig(t.table).schema ?? 'public') === schema,
  );
  if (!options.tables) return declared;
  const known = new Set(declared.map((t) => t.name));
  const unknown = options.tables.filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new VerificationError(
      `no declared table ${unknown.join(', ')} in schema ${schema}; declared: ${[...known].join(', ')}`,
    );
  }
  return declared.filter((t) => options.tables?.includes(t.name));
}

async function checkTables(
  tx: Executor,
  schema: string,
  declared: DeclaredTable[],
  wholeSchema: boolean,
): Promise<CheckResult[]> {
  // A declaration can refer to what a broken database lacks (a policy reading another table):
  // that twin statement fails alone, as a finding, and the rest is still compared. Built on the
  // server in one batch, each statement kept when it succeeds.
  const statements = declared.flatMap((table) =>
    table.ddl.map((statement) => ({ table: table.name, statement })),
  );
  const outcomes = await attemptAll(
    tx,
    statements.map(({ statement }) => ({ query: sql.raw(statement), keep: true })),
  );
  const results: CheckResult[] = [];
  for (const [i, { table, statement }] of statements.entries()) {
    const outcome = outcomes[i];
    if (outcome && !outcome.ok) {
      results.push(
        fail(
          'tables',
          table,
          `declared object: ${statement.split('\n')[0]?.slice(0, 80)}`,
          `cannot be built against this database: ${outcome.message}`,
          'run `aclue-db migrate`',
        ),
      );
    }
  }
  // PostgreSQL qualifies a name in deparsed SQL only when the search_path would not find it, and
  // the twins shadow the real tables: read both catalogs with nothing of ours on the path.
  const [{ path } = { path: '' }] = await queryRows<{ path: string }>(
    tx,
    sql`SELECT current_setting('search_path') AS path`,
  );
  await tx.execute(sql`SELECT set_config('search_path', 'pg_catalog, pg_temp', true)`);
  const expected = await readCatalog(tx, { temporary: true });
  const actual = await readCatalog(tx, schema);
  await tx.execute(sql`SELECT set_config('search_path', ${path}, true)`);
  for (const table of declared) {
    await tx.execute(sql.raw(`DROP TABLE IF EXISTS pg_temp."${table.name}"`));
  }
  // Every table `aclue-db rollback` drops is gone: migrating again would do nothing, so the fix
  // for those missing tables is the way back from a rollback.
  const rolledBack = schema === 'public' && rollbackTableNames.every((name) => !actual.has(name));
  for (const table of declared) {
    const twin = expected.get(table.name);
    // Its creation failed and is already reported.
    if (!twin) continue;
    const live = actual.get(table.name);
    results.push(
      ...compareTable(
        table,
        twin,
        live,
        rolledBack && rollbackTableNames.includes(table.name)
          ? { missingFix: `the database was rolled back (aclue-db rollback): ${BRING_BACK_HINT}` }
          : {},
      ),
    );
    if (!live) continue;
    results.push(
      ...compareTriggers(
        table.name,
        tableTriggers.filter((t) => t.table === table.name),
        live,
      ),
    );
    const grants = tableGrants.find((g) => getTableConfig(g.table).name === table.name);
    if (grants) results.push(...(await comparePrivileges(tx, grants)));
    const comments = tableComments.find((c) => c.table === table.name);
    if (comments) results.push(...(await compareComments(tx, comments)));
  }
  if (wholeSchema) {
    const declaredNames = new Set(declared.map((t) => t.name));
    for (const name of actual.keys()) {
      if (!declaredNames.has(name)) {
        results.push(
          fail(
            'tables',
            name,
            `table ${name}`,
            'exists but is not in the schema',
            'drop it, or declare it in packages/db/src/schema',
          ),
        );
      }
    }
  }
  return results;
}

const isPermissionError = (error: unknown) => postgresErrorOf(error)?.code === '42501';

/**
 * Proves that the live database is what @aclue/db declares: catalog assertions against a twin of
 * every table built from the Drizzle schema, the custom objects (triggers, functions, grants,
 * comments), and advisor-style lints. Runs in one transaction that is always rolled back, so it is
 * safe against production and leaves nothing behind. Given a transaction instead of the database,
 * it runs in a savepoint of it and sees that transaction's uncommitted changes (a migration about
 * to be committed, or a test's change that is rolled back after).
 *
 * @example
 * const report = await verify(db);
 * console.log(`${report.checks} checks, ${report.failed} failed`);
 */
export async function verify(
  db: Pick<Database, 'transaction'>,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const started = performance.now();
  const schema = options.schema ?? 'public';
  const declared = selectTables(options);
  const wholeSchema = !options.tables;
  let results: CheckResult[] = [];
  try {
    await db.transaction(async (tx) => {
      results = await checkTables(tx, schema, declared, wholeSchema);
      const names = declared.map((t) => t.name);
      results.push(...(await checkPartitions(tx, schema, names, { wholeSchema })));
      results.push(...(await checkDurability(tx, schema, names)));
      if (wholeSchema) {
        results.push(
          ...(await checkEnvironment(tx)),
          ...(await checkRollups(tx)),
          ...(await checkDefaultPrivileges(tx)),
          ...(await checkApiRoles(tx)),
          ...(await checkEventTriggers(tx)),
          ...(await checkExposedSchemas(tx, names)),
          ...(await checkSchemaPrivileges(tx)),
          ...(await runLints(tx, schema)),
        );
      }
      if (options.data) {
        results.push(...(await checkStoredData(tx, schema, names)));
        if (wholeSchema) results.push(...(await checkRollupContents(tx)));
      }
      if (options.probes ?? true) {
        const probed = await runProbes(tx);
        const selected = new Set(declared.map((t) => t.name));
        results.push(...probed.filter((r) => r.table === null || selected.has(r.table)));
      }
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) {
      if (isPermissionError(error)) {
        throw new VerificationError(
          `cannot verify: the database role lacks a privilege it needs (${(error as Error).message.split('\n')[0]}); connect as the schema owner`,
          { cause: error },
        );
      }
      throw error;
    }
  }
  return {
    schema,
    results,
    checks: results.length,
    failed: results.filter((r) => !r.ok).length,
    durationMs: Math.round(performance.now() - started),
  };
}
