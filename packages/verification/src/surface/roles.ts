import { type Executor, queryRows } from '@aclue/db';
import { platformBaseline, supabaseRoles } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import { sqlList } from './scope';

interface RoleRow {
  name: string;
  superuser: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  login: boolean;
  replication: boolean;
  bypassRls: boolean;
}

interface Membership {
  member: string;
  of: string;
}

const apiRoles = supabaseRoles.map((role) => role.name);
const { authenticator } = platformBaseline;

/** Attributes an API role may hold: none, but service_role's BYPASSRLS. */
const attributeRisks: Record<Exclude<keyof RoleRow, 'name' | 'inherit'>, string> = {
  superuser: 'SUPERUSER: every check, policy and privilege is skipped',
  createRole: 'CREATEROLE: it can create roles and grant itself their memberships',
  createDb: 'CREATEDB: it can create databases on the server',
  login: 'LOGIN: anyone with its password (or trust auth) connects as it directly',
  replication: 'REPLICATION: it can stream every row of every table',
  bypassRls: 'BYPASSRLS: every row level security policy is ignored for it',
};

function attributeFindings(role: RoleRow, allowed: Partial<RoleRow>): string[] {
  return (Object.keys(attributeRisks) as (keyof typeof attributeRisks)[])
    .filter((attribute) => role[attribute] && !allowed[attribute])
    .map((attribute) => attributeRisks[attribute]);
}

/** Who acts as each role, for the reader of a finding. */
const actors: Record<string, string> = {
  anon: 'every holder of the anon key (public, in the browser)',
  authenticated: 'every signed-in user',
  service_role: 'every holder of the service key',
  [platformBaseline.authenticator.name]:
    "PostgREST's login (its password sits in the API's configuration)",
};

/** `role x attributes`: passes with no risky attribute, else names each and what it hands out. */
function attributesCheck(role: string, risks: string[], fix: string): CheckResult {
  const name = `role ${role} attributes`;
  if (risks.length === 0) return pass('roles', null, name);
  const held = risks.map((risk) => risk.split(':')[0]).join(', ');
  return fail(
    'roles',
    null,
    name,
    `holds ${held}`,
    fix,
    `${role} is ${actors[role]}; ${risks.join('; ')}`,
  );
}

/**
 * The API roles as Supabase defines them: no attribute beyond NOLOGIN (and service_role's
 * BYPASSRLS), a member of no other role; PostgREST's `authenticator`, where present, NOINHERIT and
 * able to become only the platform's roles. Whoever holds the anon key acts as `anon`, so anything
 * extra here is handed to the internet.
 */
export async function checkApiRoles(db: Executor): Promise<CheckResult[]> {
  const names = [...apiRoles, authenticator.name];
  const roles = await queryRows<RoleRow>(
    db,
    sql`SELECT rolname AS name, rolsuper AS superuser, rolinherit AS inherit,
          rolcreaterole AS "createRole", rolcreatedb AS "createDb", rolcanlogin AS login,
          rolreplication AS replication, rolbypassrls AS "bypassRls"
        FROM pg_catalog.pg_roles WHERE rolname IN (${sqlList(names)})`,
  );
  const memberships = await queryRows<Membership>(
    db,
    sql`SELECT member.rolname AS member, granted.rolname AS of
        FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles member ON member.oid = m.member
        JOIN pg_catalog.pg_roles granted ON granted.oid = m.roleid
        WHERE member.rolname IN (${sqlList(names)})`,
  );
  const results: CheckResult[] = [];
  for (const declared of supabaseRoles) {
    const role = roles.find((r) => r.name === declared.name);
    // A missing role is reported by the environment checks.
    if (!role) continue;
    results.push(
      attributesCheck(
        role.name,
        attributeFindings(role, { bypassRls: declared.bypassRls }),
        `ALTER ROLE ${role.name} WITH NOSUPERUSER NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION${declared.bypassRls ? '' : ' NOBYPASSRLS'}`,
      ),
    );
    const granted = memberships.filter((m) => m.member === role.name).map((m) => m.of);
    const memberName = `role ${role.name} memberships`;
    results.push(
      granted.length === 0
        ? pass('roles', null, memberName)
        : fail(
            'roles',
            null,
            memberName,
            `member of ${granted.sort().join(', ')}`,
            `REVOKE ${granted.join(', ')} FROM ${role.name}`,
            `${role.name} can SET ROLE to (or inherits) ${granted.join(', ')}: their privileges${granted.includes('service_role') ? ', BYPASSRLS included,' : ''} go to every caller acting as ${role.name}`,
          ),
    );
  }
  results.push(
    ...(await checkStatementTimeouts(
      db,
      roles.map((r) => r.name),
    )),
  );
  const gateway = roles.find((r) => r.name === authenticator.name);
  if (gateway) {
    const extra = attributeFindings(gateway, { login: true });
    if (gateway.inherit) {
      extra.push(
        'INHERIT: it holds the privileges of every role it may become, service_role included, before any token is checked',
      );
    }
    results.push(
      attributesCheck(
        gateway.name,
        extra,
        `ALTER ROLE ${gateway.name} WITH NOINHERIT NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS`,
      ),
    );
    const mayBecome: readonly string[] = authenticator.mayBecome;
    const beyond = memberships
      .filter((m) => m.member === gateway.name && !mayBecome.includes(m.of))
      .map((m) => m.of);
    results.push(
      beyond.length === 0
        ? pass('roles', null, `role ${gateway.name} memberships`)
        : fail(
            'roles',
            null,
            `role ${gateway.name} memberships`,
            `may also become ${beyond.sort().join(', ')}`,
            `REVOKE ${beyond.join(', ')} FROM ${gateway.name}`,
            `a token whose role claim names ${beyond.join(' or ')} is served as that role`,
          ),
    );
  }
  return results;
}

/**
 * Each API role that declares a statement timeout has one set (any value: Supabase's, the
 * migration's or an operator's): without it the bare anon key can hold a backend for as long as
 * a full scan of the biggest table takes.
 */
async function checkStatementTimeouts(db: Executor, present: string[]): Promise<CheckResult[]> {
  const settings = await queryRows<{ name: string; timeout: string | null }>(
    db,
    sql`SELECT r.rolname AS name,
          (SELECT pg_catalog.split_part(c, '=', 2) FROM pg_catalog.pg_db_role_setting s,
             pg_catalog.unnest(s.setconfig) c
           WHERE s.setrole = r.oid AND c LIKE 'statement_timeout=%'
             AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database
                                       WHERE datname = pg_catalog.current_database()))
           ORDER BY s.setdatabase DESC LIMIT 1) AS timeout
        FROM pg_catalog.pg_roles r WHERE r.rolname IN (${sqlList(present)})`,
  );
  return supabaseRoles
    .filter((role) => role.statementTimeout && present.includes(role.name))
    .map((role) => {
      const name = `role ${role.name} statement_timeout`;
      const found = settings.find((s) => s.name === role.name)?.timeout;
      return found && found !== '0'
        ? pass('roles', null, name)
        : fail(
            'roles',
            null,
            name,
            found === '0' ? 'is 0 (no limit)' : 'is not set',
            `ALTER ROLE ${role.name} SET statement_timeout = '${role.statementTimeout}'`,
            `${actors[role.name]} can keep a backend busy with one statement for as long as it runs (a count(*) of every view)`,
          );
    });
}
