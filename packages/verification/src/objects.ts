import { type Executor, queryRows } from '@aclue/db';
import type { CatalogTable } from '@aclue/db/catalog';
import {
  partitionMaintenanceFunction,
  platformBaseline,
  rollupMarkFunctions,
  supabaseRoles,
  type TableComment,
  type TableGrants,
  type TriggerDeclaration,
  triggerFunctions,
} from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { type CheckResult, expectEqual, fail, pass } from './results';
import { apiCallers, exposedSchemas, sqlList } from './surface/scope';

const MIGRATE = 'run `aclue-db migrate` (or `aclue-db push` where the database is pushed)';

/** The body PostgreSQL keeps (`prosrc`): what stands between a declaration's `$fn$` quotes. */
const declaredBody = (definition: string) => /\$fn\$([\s\S]*)\$fn\$/.exec(definition)?.[1];

/** Declared triggers of one table against the live ones; any other trigger is extra. */
export function compareTriggers(
  table: string,
  declared: readonly TriggerDeclaration[],
  actual: CatalogTable,
): CheckResult[] {
  const results = declared.map((trigger) => {
    const found = actual.triggers.get(trigger.name);
    const name = `trigger ${trigger.name}`;
    if (!found) return fail('triggers', table, name, 'missing', MIGRATE);
    return expectEqual(
      'triggers',
      table,
      name,
      {
        timing: trigger.timing,
        events: [trigger.event],
        level: trigger.level ?? 'ROW',
        function: trigger.function,
        enabled: true,
        when: false,
        oldTable: trigger.transitionTables?.old ?? null,
        newTable: trigger.transitionTables?.new ?? null,
      },
      found,
      MIGRATE,
    );
  });
  for (const name of actual.triggers.keys()) {
    if (!declared.some((t) => t.name === name)) {
      results.push(
        fail(
          'triggers',
          table,
          `trigger ${name}`,
          'exists but is not declared',
          'drop it or declare it in packages/db/src/objects/triggers.ts',
        ),
      );
    }
  }
  return results;
}

/** The trigger functions, partition maintenance, the rollups' day marks, the Supabase roles, `auth.*` functions and pg_trgm's schema. */
export async function checkEnvironment(db: Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const declared of [
    ...triggerFunctions,
    partitionMaintenanceFunction,
    ...rollupMarkFunctions,
  ]) {
    const fnName = `function ${declared.schema}.${declared.name}()`;
    const [fn] = await queryRows<{
      config: string[] | null;
      language: string;
      returns: string;
      definer: boolean;
      body: string;
    }>(
      db,
      sql`SELECT p.proconfig AS config, l.lanname AS language, p.prosrc AS body,
            pg_catalog.format_type(p.prorettype, NULL) AS returns, p.prosecdef AS definer
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
          JOIN pg_catalog.pg_language l ON l.oid = p.prolang
          WHERE n.nspname = ${declared.schema} AND p.proname = ${declared.name}`,
    );
    if (!fn) {
      results.push(fail('functions', null, fnName, 'missing', MIGRATE));
      continue;
    }
    const searchPath = (fn.config ?? []).find((c) => c.startsWith('search_path='));
    const expectedPath = `search_path=${declared.searchPath === '' ? '""' : declared.searchPath}`;
    results.push(
      expectEqual(
        'functions',
        null,
        `${fnName} search_path`,
        expectedPath,
        searchPath ?? 'not set (mutable)',
        MIGRATE,
      ),
      expectEqual(
        'functions',
        null,
        `${fnName} signature`,
        {
          language: 'plpgsql',
          returns: declared.returns ?? 'trigger',
          definer: declared.securityDefiner ?? false,
        },
        { language: fn.language, returns: fn.returns, definer: fn.definer },
        MIGRATE,
      ),
      fn.body === declaredBody(declared.definition)
        ? pass('functions', null, `${fnName} body`)
        : fail(
            'functions',
            null,
            `${fnName} body`,
            'differs from its declaration',
            `${MIGRATE}; push and the declaration's CREATE OR REPLACE restore it`,
            'a trigger or maintenance function that does something else than declared decides what is stored, quietly',
          ),
    );
  }

  const roles = await queryRows<{ name: string; bypass: boolean }>(
    db,
    sql`SELECT rolname AS name, rolbypassrls AS bypass FROM pg_catalog.pg_roles
        WHERE rolname IN (${sqlList(supabaseRoles.map((r) => r.name))})`,
  );
  for (const role of supabaseRoles) {
    const found = roles.find((r) => r.name === role.name);
    results.push(
      found
        ? expectEqual(
            'privileges',
            null,
            `role ${role.name} BYPASSRLS`,
            role.bypassRls,
            found.bypass,
            'ALTER ROLE to match Supabase',
          )
        : fail('privileges', null, `role ${role.name}`, 'missing', MIGRATE),
    );
  }

  const authFunctions = await queryRows<{ name: string }>(
    db,
    sql`SELECT p.proname AS name FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'auth' AND p.proname IN ('uid', 'role', 'jwt') AND p.pronargs = 0`,
  );
  for (const name of ['uid', 'role', 'jwt']) {
    results.push(
      authFunctions.some((f) => f.name === name)
        ? pass('functions', null, `function auth.${name}()`)
        : fail('functions', null, `function auth.${name}()`, 'missing', MIGRATE),
    );
  }

  const [trgm] = await queryRows<{ schema: string }>(
    db,
    sql`SELECT n.nspname AS schema FROM pg_catalog.pg_extension e
        JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
  );
  results.push(
    expectEqual(
      'functions',
      null,
      'extension pg_trgm schema',
      'extensions',
      trgm?.schema ?? 'not installed',
      'ALTER EXTENSION pg_trgm SET SCHEMA extensions',
    ),
  );
  return results;
}

interface PrivilegeRow {
  role: string;
  privilege: string;
  column: string | null;
}

const describeGrants = (rows: PrivilegeRow[]) =>
  [...new Set(rows.map((r) => (r.column ? `${r.privilege}(${r.column})` : r.privilege)))].sort();

function expectedGrants(grants: TableGrants['grants'][keyof TableGrants['grants']]): string[] {
  return grants
    .flatMap((g) => (typeof g === 'string' ? [g] : g.columns.map((c) => `${g.privilege}(${c})`)))
    .sort();
}

/** Table and column privileges of the API roles: exactly what is declared, nothing more. */
export async function comparePrivileges(
  db: Executor,
  declared: TableGrants,
): Promise<CheckResult[]> {
  const table = getTableConfig(declared.table).name;
  const rows = await queryRows<PrivilegeRow>(
    db,
    sql`SELECT r.rolname AS role, a.privilege_type AS privilege, NULL AS column
        FROM pg_catalog.pg_class c, aclexplode(c.relacl) a
        JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
        WHERE c.oid = ${`public.${table}`}::regclass
      UNION ALL
        SELECT r.rolname, a.privilege_type, att.attname
        FROM pg_catalog.pg_attribute att, aclexplode(att.attacl) a
        JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
        WHERE att.attrelid = ${`public.${table}`}::regclass AND att.attnum > 0
          AND NOT att.attisdropped`,
  );
  const results = (
    Object.entries(declared.grants) as [string, TableGrants['grants']['anon']][]
  ).map(([role, grants]) =>
    expectEqual(
      'privileges',
      table,
      `privileges of ${role}`,
      expectedGrants(grants),
      describeGrants(rows.filter((r) => r.role === role)),
      "REVOKE what is extra (TRUNCATE bypasses RLS; computed and training columns are the service role's) and migrate",
    ),
  );
  const service = new Set(
    rows.filter((r) => r.role === 'service_role' && !r.column).map((r) => r.privilege),
  );
  const missing = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].filter((p) => !service.has(p));
  // TRUNCATE bypasses RLS; REFERENCES and TRIGGER change what others' writes do. (PostgreSQL 17+
  // adds MAINTAIN to ALL: vacuum and analyze, harmless.)
  const extra = [...service].filter((p) => ['TRUNCATE', 'REFERENCES', 'TRIGGER'].includes(p));
  results.push(
    extra.length === 0
      ? pass('privileges', table, 'service_role holds no TRUNCATE, REFERENCES or TRIGGER')
      : fail(
          'privileges',
          table,
          'service_role holds no TRUNCATE, REFERENCES or TRIGGER',
          `holds ${extra.sort().join(', ')}`,
          `REVOKE ${extra.join(', ')} ON public.${table} FROM service_role`,
        ),
  );
  results.push(
    missing.length === 0
      ? pass('privileges', table, 'service_role manages the table')
      : fail(
          'privileges',
          table,
          'service_role manages the table',
          `missing ${missing.join(', ')}`,
          `GRANT ${missing.join(', ')} ON public.${table} TO service_role`,
        ),
  );
  return results;
}

/** Table and column comments as declared. */
export async function compareComments(
  db: Executor,
  declared: TableComment,
): Promise<CheckResult[]> {
  const rows = await queryRows<{ column: string | null; comment: string | null }>(
    db,
    sql`SELECT NULL AS column, pg_catalog.obj_description(${`public.${declared.table}`}::regclass, 'pg_class') AS comment
      UNION ALL
        SELECT attname, pg_catalog.col_description(attrelid, attnum) FROM pg_catalog.pg_attribute
        WHERE attrelid = ${`public.${declared.table}`}::regclass AND attnum > 0 AND NOT attisdropped`,
  );
  const commentOf = (column: string | null) =>
    rows.find((r) => r.column === column)?.comment ?? null;
  return [
    expectEqual(
      'comments',
      declared.table,
      'table comment',
      declared.comment,
      commentOf(null),
      MIGRATE,
    ),
    ...Object.entries(declared.columns).map(([column, comment]) =>
      expectEqual(
        'comments',
        declared.table,
        `comment on ${column}`,
        comment,
        commentOf(column),
        MIGRATE,
      ),
    ),
  ];
}

/**
 * Closed by default: what the API roles would receive on tables, sequences and functions created
 * later in `public` (pg_default_acl, for every creating role). Any grant to anon or
 * authenticated, or TRUNCATE for service_role, is open.
 */
export async function checkDefaultPrivileges(db: Executor): Promise<CheckResult[]> {
  const rows = await queryRows<{ creator: string; kind: string; role: string; privilege: string }>(
    db,
    sql`SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS creator, d.defaclobjtype AS kind,
          r.rolname AS role, a.privilege_type AS privilege
        FROM pg_catalog.pg_default_acl d
        LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace,
          aclexplode(d.defaclacl) a
        JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
        WHERE (n.nspname IN (${sqlList(exposedSchemas)}) OR d.defaclnamespace = 0)
          AND pg_catalog.pg_get_userbyid(d.defaclrole) NOT IN (${sqlList(platformBaseline.platformCreators)})
          AND (r.rolname IN (${sqlList(apiCallers)})
            OR (r.rolname = 'service_role' AND a.privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER')))`,
  );
  const kinds: Record<string, string> = { r: 'tables', S: 'sequences', f: 'functions', T: 'types' };
  const name = 'default privileges in public grant the API roles nothing';
  if (rows.length === 0) return [pass('privileges', null, name)];
  const open = [
    ...new Set(
      rows.map(
        (r) => `${r.privilege} on new ${kinds[r.kind] ?? r.kind} of ${r.creator} to ${r.role}`,
      ),
    ),
  ];
  return [
    fail(
      'privileges',
      null,
      name,
      `open: ${open.join('; ')}`,
      'ALTER DEFAULT PRIVILEGES [FOR ROLE <creator>] IN SCHEMA public REVOKE ... (see 0004_security); run `aclue-db migrate`',
      'the next table, sequence or function created there is handed to those roles at once: the API serves it before anyone writes a policy for it',
    ),
  ];
}
