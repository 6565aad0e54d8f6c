import type { CatalogTable } from '@aclue/db/catalog';
import type { DeclaredTable } from './declared';
import { type CheckCategory, type CheckResult, expectEqual, fail, pass } from './results';

const MIGRATE = 'run `aclue-db migrate`, or `aclue-db drift` to see how the database diverged';

/**
 * Compares one family of named objects: each declared one must exist and be equal; each one that
 * exists but is not declared is reported as extra (someone changed the database by hand).
 */
function compareNamed<T>(
  category: CheckCategory,
  table: string,
  kind: string,
  declared: Map<string, T>,
  actual: Map<string, T>,
): CheckResult[] {
  const results: CheckResult[] = [];
  for (const [name, expected] of declared) {
    const found = actual.get(name);
    results.push(
      found === undefined
        ? fail(category, table, `${kind} ${name}`, 'missing', MIGRATE)
        : expectEqual(category, table, `${kind} ${name}`, expected, found, MIGRATE),
    );
  }
  for (const name of actual.keys()) {
    if (!declared.has(name)) {
      results.push(
        fail(
          category,
          table,
          `${kind} ${name}`,
          'exists in the database but not in the schema',
          `drop it, or declare it in packages/db/src/schema and generate a migration`,
        ),
      );
    }
  }
  return results;
}

/**
 * Table structure: columns, keys, checks, foreign keys, indexes, RLS and policies of the live table
 * against its declared twin (built from the Drizzle schema in the temporary schema).
 */
export function compareTable(
  declared: DeclaredTable,
  expected: CatalogTable,
  actual: CatalogTable | undefined,
  { missingFix = MIGRATE }: { missingFix?: string } = {},
): CheckResult[] {
  const t = declared.name;
  if (!actual) return [fail('tables', t, `table ${t}`, 'missing', missingFix)];
  const declaredKeys = new Map(declared.foreignKeys.map(({ name, ...fk }) => [name, fk] as const));
  return [
    pass('tables', t, `table ${t}`),
    ...compareNamed('columns', t, 'column', expected.columns, actual.columns),
    expectEqual('constraints', t, 'primary key', expected.primaryKey, actual.primaryKey, MIGRATE),
    ...compareNamed('constraints', t, 'unique constraint', expected.uniques, actual.uniques),
    ...compareNamed('constraints', t, 'check', expected.checks, actual.checks),
    ...compareNamed('constraints', t, 'foreign key', declaredKeys, actual.foreignKeys),
    ...compareNamed('indexes', t, 'index', expected.indexes, actual.indexes),
    expectEqual('rls', t, 'row level security enabled', expected.rls, actual.rls, MIGRATE),
    ...compareNamed('policies', t, 'policy', expected.policies, actual.policies),
  ];
}
