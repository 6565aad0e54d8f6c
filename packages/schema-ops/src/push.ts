import { AclueDbError, type Database, maintainPartitions, queryRows, tables } from '@aclue/db';
import {
  apiRoleTimeoutStatements,
  databaseObjectStatements,
  type PartitionedTable,
  partitionExistingTableStatements,
  partitionedTables,
  partitionSchemaStatements,
  supabaseCompatibilityStatements,
} from '@aclue/db/objects';
import * as schema from '@aclue/db/schema';
import {
  type CheckResult,
  renderPolicy,
  type VerificationReport,
  verify,
} from '@aclue/verification';
import { pushSchema } from 'drizzle-kit/api';
import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { drizzleCreateStatements } from './partitions';

/** `aclue-db push` could not bring the database to the schema; nothing of its step was applied. */
export class PushError extends AclueDbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'migration', options);
  }
}

export interface PushReport {
  /** Statements drizzle-kit push applied (no-ops it re-issues every run are left out). */
  schemaStatements: string[];
  /** Policies dropped and created again with their declared USING / WITH CHECK. */
  repairedPolicies: string[];
  /** Whether the custom-migration objects (function, triggers, grants, comments, seed) were applied. */
  customObjectsApplied: boolean;
  /** Tables made partitioned (their rows kept), and partitions created for the months ahead. */
  partitioned: string[];
  partitionsCreated: string[];
  verification: VerificationReport;
  changed: boolean;
}

/** drizzle-kit prints a spinner while it reads the database; our output is the report. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

const setDefault = /^ALTER TABLE "(\w+)" ALTER COLUMN "(\w+)" SET DEFAULT (.+);$/;

/**
 * drizzle-kit 0.31 re-issues `SET DEFAULT` for numeric, array and cast defaults on every push
 * (it compares spellings). Such a statement is kept only if PostgreSQL's own deparse of the new
 * default differs from the column's current one: the new one is deparsed on a throwaway
 * temporary column of the same type, in a transaction that is rolled back.
 */
async function changesSomething(db: Database, statement: string): Promise<boolean> {
  const match = setDefault.exec(statement);
  const expression = match?.[3];
  if (!match || !expression) return true;
  const [row] = await queryRows<{ current: string | null; type: string }>(
    db,
    sql`SELECT pg_get_expr(d.adbin, d.adrelid) AS current, format_type(a.atttypid, a.atttypmod) AS type
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ${`public.${match[1]}`}::regclass AND a.attname = ${match[2]}`,
  );
  if (!row?.current) return true;
  const rollback = new Error('deparsed');
  let proposed: string | null | undefined;
  await db
    .transaction(async (tx) => {
      await tx.execute(
        sql.raw(`CREATE TEMPORARY TABLE aclue_default_probe (x ${row.type} DEFAULT ${expression})`),
      );
      const [probe] = await queryRows<{ expr: string | null }>(
        tx,
        sql`SELECT pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attrdef d
            WHERE d.adrelid = 'pg_temp.aclue_default_probe'::regclass`,
      );
      proposed = probe?.expr;
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return proposed !== row.current;
}

const objectCategories = new Set<CheckResult['category']>([
  'triggers',
  'functions',
  'privileges',
  'comments',
]);

async function run(db: Database, statements: readonly (string | SQL)[]) {
  await db.transaction(async (tx) => {
    for (const statement of statements) {
      await tx.execute(typeof statement === 'string' ? sql.raw(statement) : statement);
    }
  });
}

/**
 * `drizzle-kit push`, made safe for a schema with RLS: pushes the tables, then brings every
 * policy expression (which push 0.31 creates empty and never repairs) and every object drizzle-kit
 * cannot express (Supabase compatibility, trigger function, triggers, grants, comments) to what
 * the schema declares, and finishes with verification. A second run changes nothing.
 */
export async function safePush(db: Database, { allowDataLoss = false } = {}): Promise<PushReport> {
  // Supabase's open default privileges are what 0000 imitates for a plain server; the security
  // migration closes them, and a push must not open them again before every run.
  await run(db, [
    ...supabaseCompatibilityStatements.filter((s) => !s.startsWith('ALTER DEFAULT PRIVILEGES')),
    // What 0016 does: the API roles' statement timeouts, only where none is set.
    ...apiRoleTimeoutStatements,
  ]);
  // drizzle-kit 0.31 does not see partitioned tables (it reads relkind 'r' only) and would try
  // to create them again: it pushes the rest, and a table still plain is partitioned. A plain one
  // that is already there (left by a bare `drizzle-kit push`) is partitioned first: drizzle-kit's
  // push API drops the parameters of its composite-key query and fails on such a table.
  const convertedFirst = await partition(db, partitionedTables, await tableKinds(db));
  const kinds = await tableKinds(db);
  const hidden = new Set<unknown>(
    partitionedTables.filter((t) => kinds.get(t.sql) === 'p').map((t) => t.table),
  );
  const imports = Object.fromEntries(Object.entries(schema).filter(([, v]) => !hidden.has(v)));
  // Only the declared tables are compared: drizzle-kit would offer to drop every other table
  // (the platform's, a team's own), and it cannot read one with a composite key (see above).
  const declared = tables.map((t) => getTableConfig(t).name);
  const pushed = await quietly(() => pushSchema(imports, db as never, ['public'], declared)).catch(
    (error: unknown) => {
      throw new PushError(
        `drizzle-kit push failed while comparing the database with the schema (${describeCause(error)}); none of its statements was applied`,
        { cause: error },
      );
    },
  );
  if (pushed.hasDataLoss && !allowDataLoss) {
    throw new PushError(
      `drizzle-kit push would lose data: ${pushed.warnings.join('; ')}. Nothing was changed; rerun with --allow-data-loss if that is intended`,
    );
  }
  const schemaStatements: string[] = [];
  for (const statement of pushed.statementsToExecute) {
    if (await changesSomething(db, statement)) schemaStatements.push(statement);
  }
  if (schemaStatements.length > 0) await run(db, schemaStatements);

  const toPartition = partitionedTables.filter((t) => kinds.get(t.sql) !== 'p');
  const converted = [
    ...convertedFirst,
    ...(await partition(db, toPartition, await tableKinds(db))),
  ];
  await run(db, partitionSchemaStatements);
  const partitionsCreated = (await maintainPartitions(db)).flatMap((m) => m.created);

  const before = await verify(db, { probes: false });
  const failing = before.results.filter((r) => !r.ok);
  const repairedPolicies: string[] = [];
  const repairs: string[] = [];
  for (const table of tables) {
    const { name, policies } = getTableConfig(table);
    for (const policy of policies) {
      if (!failing.some((r) => r.table === name && r.name === `policy ${policy.name}`)) continue;
      repairedPolicies.push(`${name}.${policy.name}`);
      repairs.push(
        `DROP POLICY IF EXISTS "${policy.name}" ON public."${name}"`,
        renderPolicy(name, policy, 'public'),
      );
    }
  }
  const customObjectsApplied = failing.some((r) => objectCategories.has(r.category));
  if (customObjectsApplied) repairs.push(...databaseObjectStatements({ rerunnable: true }));
  if (repairs.length > 0) await run(db, repairs);

  const verification = await verify(db);
  return {
    schemaStatements,
    repairedPolicies,
    customObjectsApplied,
    partitioned: converted,
    partitionsCreated,
    verification,
    changed:
      schemaStatements.length > 0 ||
      repairs.length > 0 ||
      converted.length > 0 ||
      partitionsCreated.length > 0,
  };
}

/** `relkind` of every table in `public` by name: 'r' plain, 'p' partitioned. */
async function tableKinds(db: Database): Promise<Map<string, string>> {
  const rows = await queryRows<{ name: string; kind: string }>(
    db,
    sql`SELECT c.relname AS name, c.relkind::text AS kind FROM pg_catalog.pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')`,
  );
  return new Map(rows.map((r) => [r.name, r.kind]));
}

/** Makes each of `candidates` that exists as a plain table partitioned, keeping its rows. */
async function partition(
  db: Database,
  candidates: readonly PartitionedTable[],
  kinds: Map<string, string>,
): Promise<string[]> {
  const plain = candidates.filter((t) => kinds.get(t.sql) === 'r');
  if (plain.length === 0) return [];
  const statements: string[] = [...partitionSchemaStatements];
  for (const table of plain) {
    statements.push(
      ...partitionExistingTableStatements(table, await drizzleCreateStatements(table)),
    );
  }
  await run(db, statements);
  return plain.map((t) => t.sql);
}

/** The first line of what the database (or drizzle-kit) said, without the SQL drizzle adds. */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? cause : error;
  return (reason instanceof Error ? reason.message : String(reason)).split('\n')[0] ?? '';
}
