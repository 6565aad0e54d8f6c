import { type Executor, queryRows } from '@aclue/db';
import { platformBaseline } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import { apiCallers as callers, exposedSchemas as exposed, sqlList } from './scope';

const guarded: readonly string[] = platformBaseline.rlsGuardedSchemas;
const system: readonly string[] = platformBaseline.systemSchemas;

/** User schemas: everything but PostgreSQL's own and the sessions' temporary ones. */
const userSchemas = sql`n.nspname NOT IN (${sqlList(system)}) AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

/**
 * Schema-level reach of the API roles: no CREATE anywhere (in an exposed schema that is a table
 * the API serves at once, owned by the caller), and no table, view or sequence privileges in the
 * schemas the API does not serve — `auth.users` above all.
 */
export async function checkSchemaPrivileges(db: Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const creatable = await queryRows<{ role: string; schema: string }>(
    db,
    sql`SELECT role, n.nspname AS schema
        FROM pg_catalog.pg_namespace n, unnest(ARRAY[${sqlList(callers)}]::text[]) role
        WHERE ${userSchemas} AND pg_catalog.has_schema_privilege(role, n.oid, 'CREATE')
        ORDER BY 2, 1`,
  );
  for (const role of callers) {
    const schemas = creatable.filter((c) => c.role === role).map((c) => c.schema);
    const name = `${role} may create objects in no schema`;
    results.push(
      schemas.length === 0
        ? pass('privileges', null, name)
        : fail(
            'privileges',
            null,
            name,
            `CREATE on schema ${schemas.join(', ')}`,
            schemas.map((s) => `REVOKE CREATE ON SCHEMA ${s} FROM ${role}, PUBLIC`).join('; '),
            `${role} can create tables, views and functions it owns${schemas.some((s) => exposed.includes(s)) ? ' in a schema the API serves — with no row level security unless it adds some — ' : ' '}and shadow objects that functions with an unpinned search_path look up`,
          ),
    );
  }

  const grants = await queryRows<{ relation: string; role: string; privilege: string }>(
    db,
    sql`WITH relations AS (
          SELECT c.oid, c.relacl, n.nspname, c.relname, c.relrowsecurity
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE ${userSchemas} AND n.nspname NOT IN (${sqlList(exposed)})
            AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            AND NOT (n.nspname IN (${sqlList(guarded)}) AND c.relrowsecurity))
        SELECT format('%I.%I', r.nspname, r.relname) AS relation, g.rolname AS role,
          a.privilege_type AS privilege
        FROM relations r, aclexplode(r.relacl) a
        JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
        WHERE g.rolname IN (${sqlList(callers)})
      UNION
        SELECT format('%I.%I', r.nspname, r.relname), g.rolname,
          a.privilege_type || '(' || att.attname || ')'
        FROM relations r
        JOIN pg_catalog.pg_attribute att ON att.attrelid = r.oid AND att.attnum > 0
          AND NOT att.attisdropped,
          aclexplode(att.attacl) a
        JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
        WHERE g.rolname IN (${sqlList(callers)})
      ORDER BY 1, 2, 3`,
  );
  const name = 'the API roles hold nothing in the schemas the API does not serve';
  if (grants.length === 0) return [...results, pass('privileges', null, name)];
  const byRelation = new Map<string, string[]>();
  for (const g of grants) {
    byRelation.set(g.relation, [...(byRelation.get(g.relation) ?? []), `${g.role} ${g.privilege}`]);
  }
  for (const [relation, held] of byRelation) {
    const roles = [...new Set(held.map((h) => h.split(' ')[0]))];
    results.push(
      fail(
        'privileges',
        null,
        `privileges of ${roles.join(', ')} on ${relation}`,
        `${held.join(', ')} in a schema the API does not serve`,
        `REVOKE ALL ON ${relation} FROM ${roles.join(', ')}`,
        relation.startsWith('auth.')
          ? `${relation} is Supabase Auth's: e-mail addresses, phone numbers and sign-in metadata of every user, readable or writable by whoever acts as ${roles.join(' or ')} through any view, function or policy that names it`
          : `whoever acts as ${roles.join(' or ')} reaches ${relation} through any view, function or policy that names it, outside every rule the schema declares`,
      ),
    );
  }
  return results;
}
