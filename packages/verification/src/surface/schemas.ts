import { type Executor, queryRows } from '@aclue/db';
import { platformBaseline } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { type CheckResult, fail, noted, pass } from '../results';
import { apiCallers as callers, exposedSchemas as exposed, sqlList } from './scope';

const guarded: readonly string[] = platformBaseline.rlsGuardedSchemas;
const system: readonly string[] = platformBaseline.systemSchemas;
const platformRoles: string = platformBaseline.platformRoles;

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

  // Whose each grant is: a grant the platform's role made on an object the platform owns
  // (Storage's tables, for one) is the platform's business, reported as a note.
  const grants = await queryRows<{
    relation: string;
    role: string;
    privilege: string;
    owner: string;
    platform: boolean;
  }>(
    db,
    sql`WITH relations AS (
          SELECT c.oid, c.relacl, n.nspname, c.relname, c.relrowsecurity,
            pg_catalog.pg_get_userbyid(c.relowner) AS owner
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE ${userSchemas} AND n.nspname NOT IN (${sqlList(exposed)})
            AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            AND NOT (n.nspname IN (${sqlList(guarded)}) AND c.relrowsecurity)),
        granted AS (
          SELECT r.nspname, r.relname, r.owner, a.grantee, a.grantor, a.privilege_type AS privilege
          FROM relations r, aclexplode(r.relacl) a
        UNION ALL
          SELECT r.nspname, r.relname, r.owner, a.grantee, a.grantor,
            a.privilege_type || '(' || att.attname || ')'
          FROM relations r
          JOIN pg_catalog.pg_attribute att ON att.attrelid = r.oid AND att.attnum > 0
            AND NOT att.attisdropped,
            aclexplode(att.attacl) a)
        SELECT DISTINCT format('%I.%I', g.nspname, g.relname) AS relation, role.rolname AS role,
          g.privilege, g.owner,
          g.owner LIKE ${platformRoles}
            AND pg_catalog.pg_get_userbyid(g.grantor) LIKE ${platformRoles} AS platform
        FROM granted g JOIN pg_catalog.pg_roles role ON role.oid = g.grantee
        WHERE role.rolname IN (${sqlList(callers)})
        ORDER BY 1, 2, 3`,
  );
  const name = 'the API roles hold nothing in the schemas the API does not serve';
  const ours = grants.filter((g) => !g.platform);
  if (ours.length === 0) results.push(pass('privileges', null, name));
  for (const [relation, held] of groupBy(grants.filter((g) => g.platform))) {
    results.push(
      noted(
        'privileges',
        null,
        `privileges of ${rolesOf(held).join(', ')} on ${relation}`,
        `the platform's: owned and granted by ${held[0]?.owner} (${describe(held)}); no migration of ours changes it`,
      ),
    );
  }
  for (const [relation, held] of groupBy(ours)) {
    const roles = rolesOf(held);
    results.push(
      fail(
        'privileges',
        null,
        `privileges of ${roles.join(', ')} on ${relation}`,
        `${describe(held)} in a schema the API does not serve`,
        `REVOKE ALL ON ${relation} FROM ${roles.join(', ')}`,
        relation.startsWith('auth.')
          ? `${relation} is Supabase Auth's: e-mail addresses, phone numbers and sign-in metadata of every user, readable or writable by whoever acts as ${roles.join(' or ')} through any view, function or policy that names it`
          : `whoever acts as ${roles.join(' or ')} reaches ${relation} through any view, function or policy that names it, outside every rule the schema declares`,
      ),
    );
  }
  return results;
}

type Grant = { relation: string; role: string; privilege: string; owner: string };

const groupBy = (grants: readonly Grant[]) => {
  const byRelation = new Map<string, Grant[]>();
  for (const g of grants) byRelation.set(g.relation, [...(byRelation.get(g.relation) ?? []), g]);
  return byRelation;
};
const rolesOf = (held: readonly Grant[]) => [...new Set(held.map((g) => g.role))];
const describe = (held: readonly Grant[]) => held.map((g) => `${g.role} ${g.privilege}`).join(', ');
