import { type Executor, queryRows } from '@aclue/db';
import { triggerFunctions } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import { apiCallers as callers, exposedSchemas as exposed, sqlList } from './scope';

/**
 * Everything in the schemas PostgREST exposes that the schema does not declare — views,
 * materialized views, foreign tables, sequences, functions — with the properties that decide who
 * reaches what through it; the owner of every object there; and grants to PUBLIC (which every
 * role, `anon` included, holds).
 */

interface RelationRow {
  schema: string;
  name: string;
  kind: string;
  owner: string;
  invoker: boolean;
  reads: string[];
  /** `anon SELECT`, `authenticated INSERT`, … as the privilege functions see them (PUBLIC too). */
  reach: string[];
  /** A sequence behind a declared table's column, or an extension's own object. */
  belongs: boolean;
}

interface FunctionRow {
  schema: string;
  signature: string;
  name: string;
  owner: string;
  definer: boolean;
  pinned: boolean;
  callableBy: string[];
  extension: boolean;
}

const kindNames: Record<string, string> = {
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  S: 'sequence',
  c: 'type',
};

/** The role migrations run as: it owns the migration history, and so should own the schema. */
async function migrationOwner(db: Executor): Promise<string> {
  const [row] = await queryRows<{ owner: string }>(
    db,
    sql`SELECT coalesce(
          (SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class
            WHERE oid = to_regclass('drizzle.__drizzle_migrations')),
          current_user::text) AS owner`,
  );
  return row?.owner ?? 'postgres';
}

function readRelations(db: Executor, declaredTables: readonly string[]) {
  return queryRows<RelationRow>(
    db,
    sql`SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
          pg_catalog.pg_get_userbyid(c.relowner) AS owner,
          coalesce(c.reloptions::text[] && ARRAY['security_invoker=true', 'security_invoker=on',
            'security_invoker=1', 'security_invoker=yes'], false) AS invoker,
          ARRAY(SELECT DISTINCT format('%I.%I', rn.nspname, r.relname)
            FROM pg_catalog.pg_rewrite rw
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass
              AND d.objid = rw.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
            JOIN pg_catalog.pg_class r ON r.oid = d.refobjid AND r.oid <> c.oid
            JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
            WHERE rw.ev_class = c.oid ORDER BY 1) AS reads,
          ARRAY(SELECT role || ' ' || privilege
            FROM unnest(ARRAY[${sqlList(callers)}]::text[]) role,
              unnest(CASE WHEN c.relkind = 'S' THEN ARRAY['USAGE', 'UPDATE']
                ELSE ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'] END) privilege
            WHERE CASE WHEN c.relkind = 'S' THEN pg_catalog.has_sequence_privilege(role, c.oid, privilege)
              WHEN privilege = 'DELETE' THEN pg_catalog.has_table_privilege(role, c.oid, privilege)
              ELSE pg_catalog.has_any_column_privilege(role, c.oid, privilege) END) AS reach,
          EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
            LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
            WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
              AND (d.deptype = 'e' OR (d.deptype IN ('a', 'i') AND t.relnamespace = c.relnamespace
                AND t.relname IN (${sqlList(declaredTables)})))) AS belongs
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN (${sqlList(exposed)}) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
        ORDER BY 1, 2`,
  );
}

/** Enums, domains, ranges and base types in the exposed schemas (not arrays, not extensions'). */
function readTypes(db: Executor) {
  return queryRows<{ schema: string; name: string; owner: string }>(
    db,
    sql`SELECT n.nspname AS schema, t.typname AS name,
          pg_catalog.pg_get_userbyid(t.typowner) AS owner
        FROM pg_catalog.pg_type t
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname IN (${sqlList(exposed)}) AND t.typtype IN ('b', 'd', 'e', 'r')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
            WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
        ORDER BY 1, 2`,
  );
}

function readFunctions(db: Executor) {
  return queryRows<FunctionRow>(
    db,
    sql`SELECT n.nspname AS schema, p.oid::regprocedure::text AS signature, p.proname AS name,
          pg_catalog.pg_get_userbyid(p.proowner) AS owner, p.prosecdef AS definer,
          EXISTS (SELECT 1 FROM unnest(p.proconfig) setting WHERE setting LIKE 'search_path=%') AS pinned,
          ARRAY(SELECT role FROM unnest(ARRAY[${sqlList(callers)}]::text[]) role
            WHERE pg_catalog.has_function_privilege(role, p.oid, 'EXECUTE')) AS "callableBy",
          EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass
            AND d.objid = p.oid AND d.deptype = 'e') AS extension
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN (${sqlList(exposed)})
        ORDER BY 1, 2`,
  );
}

const reachText = (reach: string[]) =>
  reach.length === 0 ? 'no API role may use it' : reach.join(', ');

function relationImpact(row: RelationRow): string {
  const reachable = row.reach.length > 0;
  const who = [...new Set(row.reach.map((r) => r.split(' ')[0]))].join(' and ');
  const reads = row.reads.join(', ') || 'nothing';
  switch (row.kind) {
    case 'v':
      return row.invoker
        ? `served by the API to ${reachable ? who : 'whoever is granted it later'} as /${row.name}, with the caller's rights, but reviewed nowhere`
        : `${reachable ? who : 'whoever is granted it'} reads ${reads} through it as ${row.owner}: the row level security and column grants of those tables do not apply`;
    case 'm':
      return `a materialized view has no row level security: ${reachable ? who : 'whoever is granted it'} sees every row it copied from ${reads}`;
    case 'f':
      return `a foreign table cannot have row level security: ${reachable ? who : 'whoever is granted it'} reads and writes the remote rows with the server's credentials`;
    case 'S':
      return reachable
        ? `${who} can advance or reset it (nextval / setval) through the API`
        : 'an object the schema does not know about, in a schema the API serves';
    default:
      return `served by the API to ${reachable ? who : 'whoever is granted it later'}, reviewed nowhere`;
  }
}

function functionImpact(fn: FunctionRow): string {
  const who = fn.callableBy.join(' and ');
  if (fn.definer) {
    return `${who || 'whoever may execute it'} calls it as /rpc/${fn.name} and it runs as ${fn.owner}: row level security and privileges do not limit what it reads or writes${fn.pinned ? '' : ', and its unpinned search_path lets a caller substitute the objects it uses'}`;
  }
  return `${who ? `callable by ${who} as /rpc/${fn.name}` : 'in a schema the API serves'}, with the caller's rights, but reviewed nowhere`;
}

const ownerImpact = (owner: string, expected: string) =>
  callers.includes(owner) || owner === 'service_role'
    ? `${owner} owns it: the owner is exempt from its row level security, may ALTER or DROP it and grant anything on it — and every caller acting as ${owner} holds that`
    : `${owner} owns it: it bypasses the object's row level security and may alter, drop or re-grant it, and migrations running as ${expected} cannot change it`;

export async function checkExposedSchemas(
  db: Executor,
  declaredTables: readonly string[],
): Promise<CheckResult[]> {
  const owner = await migrationOwner(db);
  const relations = await readRelations(db, declaredTables);
  const functions = await readFunctions(db);
  const declaredFunctions = new Set(triggerFunctions.map((f) => `${f.schema}.${f.name}`));
  const results: CheckResult[] = [];

  const undeclared = relations.filter((r) => r.kind in kindNames && r.kind !== 'c' && !r.belongs);
  for (const row of undeclared) {
    const properties = [
      row.kind === 'v'
        ? row.invoker
          ? `runs with the caller's rights (security_invoker)`
          : `runs as its owner ${row.owner} (security_invoker off)`
        : `owned by ${row.owner}`,
      ...(row.reads.length > 0 ? [`reads ${row.reads.join(', ')}`] : []),
      reachText(row.reach),
    ];
    results.push(
      fail(
        'exposure',
        null,
        `${kindNames[row.kind]} ${row.schema}.${row.name}`,
        `not declared in the schema: ${properties.join('; ')}`,
        `drop it, or declare it in packages/db (a view WITH (security_invoker = true), with its grants) and migrate`,
        relationImpact(row),
      ),
    );
  }
  const strayFunctions = functions.filter(
    (f) => !f.extension && !declaredFunctions.has(`${f.schema}.${f.name}`),
  );
  for (const fn of strayFunctions) {
    const properties = [
      fn.definer ? `SECURITY DEFINER as ${fn.owner}` : 'security invoker',
      fn.pinned ? 'search_path pinned' : 'search_path not pinned',
      fn.callableBy.length > 0
        ? `executable by ${fn.callableBy.join(', ')}`
        : 'not executable by the API roles',
    ];
    results.push(
      fail(
        'exposure',
        null,
        `function ${fn.schema}.${fn.signature}`,
        `not declared in the schema: ${properties.join('; ')}`,
        `drop it, or move it to a schema the API does not serve, REVOKE EXECUTE from PUBLIC, anon and authenticated, and declare it`,
        functionImpact(fn),
      ),
    );
  }
  for (const schema of exposed) {
    if (
      undeclared.every((r) => r.schema !== schema) &&
      strayFunctions.every((f) => f.schema !== schema)
    ) {
      results.push(
        pass('exposure', null, `schema ${schema} holds only declared relations and functions`),
      );
    }
  }

  const owned = [
    ...relations.map((r) => ({
      what: `${kindNames[r.kind] ?? 'table'} ${r.schema}.${r.name}`,
      table: r.kind === 'r' || r.kind === 'p' ? r.name : null,
      owner: r.owner,
    })),
    ...functions
      .filter((f) => !f.extension)
      .map((f) => ({ what: `function ${f.schema}.${f.signature}`, table: null, owner: f.owner })),
  ];
  for (const type of await readTypes(db)) {
    owned.push({ what: `type ${type.schema}.${type.name}`, table: null, owner: type.owner });
  }
  const misowned = owned.filter((o) => o.owner !== owner);
  for (const object of misowned) {
    results.push(
      fail(
        'exposure',
        object.table,
        `owner of ${object.what}`,
        `${object.owner}, expected ${owner} (the role that owns the migration history)`,
        `ALTER … OWNER TO ${owner}`,
        ownerImpact(object.owner, owner),
      ),
    );
  }
  if (misowned.length === 0) {
    results.push(
      pass('exposure', null, `every object in ${exposed.join(', ')} is owned by ${owner}`),
    );
  }
  results.push(...(await checkPublicGrants(db)));
  return results;
}

/** Grants to PUBLIC on relations in the exposed schemas: every role holds them, `anon` too. */
async function checkPublicGrants(db: Executor): Promise<CheckResult[]> {
  const rows = await queryRows<{ relation: string; privilege: string }>(
    db,
    sql`SELECT format('%I.%I', n.nspname, c.relname) AS relation, a.privilege_type AS privilege
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
          aclexplode(c.relacl) a
        WHERE n.nspname IN (${sqlList(exposed)}) AND a.grantee = 0
      UNION
        SELECT format('%I.%I', n.nspname, c.relname), a.privilege_type || '(' || att.attname || ')'
        FROM pg_catalog.pg_attribute att
        JOIN pg_catalog.pg_class c ON c.oid = att.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
          aclexplode(att.attacl) a
        WHERE n.nspname IN (${sqlList(exposed)}) AND att.attnum > 0 AND NOT att.attisdropped
          AND a.grantee = 0
      ORDER BY 1, 2`,
  );
  const name = `no grants to PUBLIC in ${exposed.join(', ')}`;
  if (rows.length === 0) return [pass('privileges', null, name)];
  const byRelation = new Map<string, string[]>();
  for (const row of rows)
    byRelation.set(row.relation, [...(byRelation.get(row.relation) ?? []), row.privilege]);
  return [...byRelation].map(([relation, privileges]) =>
    fail(
      'privileges',
      relation.split('.')[1] ?? relation,
      `privileges of PUBLIC on ${relation}`,
      `PUBLIC holds ${[...new Set(privileges)].join(', ')}`,
      `REVOKE ALL ON ${relation} FROM PUBLIC`,
      'every role holds what PUBLIC holds: anon (the public key) gets it without any grant of its own, beside the privileges the schema declares',
    ),
  );
}
