import {
  AclueDbError,
  createDb,
  type Database,
  defaultMigrationsFolder,
  type MigrationFile,
  migrate,
  recordMigrations,
  rollupSchema,
  unrecordedTables,
} from '@aclue/db';
import { readCatalog } from '@aclue/db/catalog';
import { verify } from '@aclue/verification';

/** The schemas whose every table, column, key, index, policy and trigger must match. */
const comparedSchemas = ['public', rollupSchema];

/** Baseline refused: the database is not the migrations' schema, or has a history already. */
export class BaselineError extends AclueDbError {
  constructor(
    message: string,
    readonly differences: readonly string[] = [],
  ) {
    super(message, 'migration');
  }
}

export interface BaselineReport {
  /** The migrations now recorded as applied. */
  recorded: MigrationFile[];
  /** What was compared: tables of each schema, and verify's structural checks. */
  compared: { tables: number; checks: number };
}

/**
 * Brings a database built without migrations (by `push`, or restored from a dump) under them:
 * proves its schema equals the committed migrations' — its catalog (tables, columns, keys,
 * indexes, policies, triggers of `public` and the rollups) against a scratch embedded database
 * migrated from the same folder, and every structural check of `verify` — then records every
 * migration as applied. Nothing is recorded unless both hold; the differences are returned.
 */
export async function baseline(
  db: Database,
  { migrationsFolder = defaultMigrationsFolder }: { migrationsFolder?: string } = {},
): Promise<BaselineReport> {
  const found = await unrecordedTables(db);
  if (found.length === 0) {
    throw new BaselineError(
      'nothing to baseline: the database has a migration history, or none of the schema’s tables (run aclue-db status, or aclue-db migrate)',
    );
  }
  const differences: string[] = [];
  let tables = 0;
  const scratch = await createDb({ memory: true });
  try {
    await migrate(scratch, { migrationsFolder });
    for (const schema of comparedSchemas) {
      const migrated = await readCatalog(scratch, schema);
      tables += migrated.size;
      const expected = plain(migrated);
      const actual = plain(await readCatalog(db, schema));
      differences.push(...compare(`${schema}.`, expected, actual));
    }
  } finally {
    await scratch.$close();
  }
  const report = await verify(db, { probes: false });
  for (const r of report.results) {
    if (!r.ok && r.category !== 'lints') {
      differences.push(`${r.table ?? '(database)'}: ${r.name}: ${r.detail}`);
    }
  }
  if (differences.length > 0) {
    throw new BaselineError(
      `the database differs from the migrations in ${differences.length} places, so no migration was recorded: bring it to the schema (aclue-db push) and run baseline again`,
      differences,
    );
  }
  const recorded = await recordMigrations(db, { migrationsFolder });
  return { recorded, compared: { tables, checks: report.checks } };
}

/** A catalog as plain, key-sorted data: Maps become objects. */
function plain(value: unknown): unknown {
  if (value instanceof Map) {
    return Object.fromEntries(
      [...value.entries()]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Each path where `actual` differs from `expected`, down to the property that differs. */
function compare(path: string, expected: unknown, actual: unknown): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    Boolean(v) && typeof v === 'object' && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((key) => {
      if (!(key in actual)) return [`${path}${key}: missing`];
      if (!(key in expected)) return [`${path}${key}: not in the migrations`];
      return compare(`${path}${key}.`, expected[key], actual[key]);
    });
  }
  return JSON.stringify(expected) === JSON.stringify(actual)
    ? []
    : [
        `${path.slice(0, -1)}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`,
      ];
}
