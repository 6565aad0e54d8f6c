/**
 * The parts of a Supabase database the schema depends on, for plain PostgreSQL and the embedded
 * database. Every statement is a no-op where the object already exists, so on a real Supabase
 * project this changes nothing: its own roles and `auth` functions stay as they are.
 */

export interface SupabaseRole {
  name: 'anon' | 'authenticated' | 'service_role';
  bypassRls: boolean;
  /**
   * How long one statement of this role may run (PostgREST applies a role's settings to each
   * request it serves as the role). Supabase's own values: the bare anon key must not be able to
   * hold a backend for a full scan of the biggest table.
   */
  statementTimeout?: string;
}

export const supabaseRoles: readonly SupabaseRole[] = [
  { name: 'anon', bypassRls: false, statementTimeout: '3s' },
  { name: 'authenticated', bypassRls: false, statementTimeout: '8s' },
  { name: 'service_role', bypassRls: true },
];

/**
 * Gives the API roles their statement timeouts where none is set. Supabase sets its own (its
 * values are these); a timeout an operator chose is theirs too: only a role without any
 * `statement_timeout` setting is changed. A migrating role that may not alter roles (a hosted
 * project's `postgres` on roles it does not own) leaves them as they are, with a notice:
 * `verify` reports a role left without one.
 */
export const apiRoleTimeoutStatements: readonly string[] = [
  `DO $do$
DECLARE
  role_name text;
  timeout text;
BEGIN
  FOR role_name, timeout IN VALUES ${supabaseRoles
    .filter((r) => r.statementTimeout)
    .map((r) => `('${r.name}', '${r.statementTimeout}')`)
    .join(', ')} LOOP
    IF NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_db_role_setting s
      JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
      WHERE r.rolname = role_name
        AND EXISTS (SELECT 1 FROM pg_catalog.unnest(s.setconfig) c WHERE c LIKE 'statement_timeout=%')
    ) THEN
      BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I SET statement_timeout = %L', role_name, timeout);
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'statement_timeout of % left unset: % may not alter it', role_name, current_user;
      END;
    END IF;
  END LOOP;
END
$do$;`,
];

/**
 * `auth.*` functions as Supabase defines them: they read `request.jwt.claims` (and the legacy
 * per-claim settings), treating an empty setting as absent because a setting set locally reads
 * back as '' once its transaction has ended.
 */
export const authFunctions = [
  {
    signature: 'auth.uid()',
    returns: 'uuid',
    body: `select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid`,
  },
  {
    signature: 'auth.role()',
    returns: 'text',
    body: `select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text`,
  },
  {
    signature: 'auth.jwt()',
    returns: 'jsonb',
    body: `select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb`,
  },
] as const;

const roleNames = supabaseRoles.map((r) => r.name).join(', ');

const createRole = ({
  name,
  bypassRls,
}: SupabaseRole) => `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${name}') THEN
    BEGIN
      CREATE ROLE ${name} NOLOGIN NOINHERIT${bypassRls ? ' BYPASSRLS' : ''};
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created meanwhile by a migration of another database in this cluster
    END;
  END IF;
  IF NOT pg_catalog.pg_has_role(current_user, '${name}', 'MEMBER') THEN
    EXECUTE format('GRANT ${name} TO %I', current_user);
  END IF;`;

const createAuthFunction = (
  fn: (typeof authFunctions)[number],
) => `  IF to_regprocedure('${fn.signature}') IS NULL THEN
    CREATE FUNCTION ${fn.signature} RETURNS ${fn.returns} LANGUAGE sql STABLE AS $fn$
  ${fn.body}
$fn$;
  END IF;`;

/** The statements of the compatibility migration, in order. */
export const supabaseCompatibilityStatements: readonly string[] = [
  'CREATE SCHEMA IF NOT EXISTS auth;',
  'CREATE SCHEMA IF NOT EXISTS extensions;',
  'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;',
  `DO $do$
BEGIN
${supabaseRoles.map(createRole).join('\n')}
END
$do$;`,
  `CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY,
  email varchar(255),
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);`,
  `DO $do$
BEGIN
${authFunctions.map(createAuthFunction).join('\n')}
END
$do$;`,
  `GRANT USAGE ON SCHEMA auth, extensions, public TO ${roleNames};`,
  `GRANT EXECUTE ON FUNCTION ${authFunctions.map((f) => f.signature).join(', ')} TO ${roleNames};`,
  // Supabase's defaults: the API roles get every privilege on new objects and RLS decides; tables
  // with narrower needs revoke what they do not grant (see privileges.ts).
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO ${roleNames};`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO ${roleNames};`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO ${roleNames};`,
];

/**
 * What the platform itself sets up around the API roles, and nothing more: verification derives
 * the expected state of roles, schemas and event triggers from this plus the declared schema, so
 * a database initialised like Supabase verifies clean and anything beyond it is a finding.
 */
export const platformBaseline = {
  /** Schemas PostgREST serves: every relation and function in them is reachable with the anon key. */
  exposedSchemas: ['public'],
  /**
   * PostgREST's login role. NOINHERIT, so it holds nothing itself and only switches (SET ROLE) to
   * the role a verified token names; Supabase also lets it become `supabase_admin`.
   */
  authenticator: {
    name: 'authenticator',
    mayBecome: ['anon', 'authenticated', 'service_role', 'supabase_admin'],
  },
  /**
   * Roles whose default privileges are the platform's: Supabase grants the API roles ALL on what
   * `supabase_admin` creates in `public`, and `postgres` cannot change that (it is not a member).
   * Anything such a role creates there is still an undeclared object, and reported as one.
   */
  platformCreators: ['supabase_admin'],
  /**
   * The platform's own roles (`supabase_admin`, `supabase_auth_admin`, `supabase_storage_admin`,
   * …), as a LIKE pattern. What they own and grant is the platform's: `verify` reports it as a
   * note naming the owner, never as a failure, and no migration of ours touches it. A grant on
   * such an object made by any other role (a team's `postgres`) is still a finding.
   */
  platformRoles: 'supabase\\_%',
  /** Event triggers Supabase installs (schema-cache reload for PostgREST, extension grants). */
  eventTriggers: [
    'issue_graphql_placeholder',
    'issue_pg_cron_access',
    'issue_pg_graphql_access',
    'issue_pg_net_access',
    'pgrst_ddl_watch',
    'pgrst_drop_watch',
  ],
  /**
   * Supabase's own services that the API roles reach through row level security (Storage's
   * buckets and objects, Realtime's messages): grants there are the platform's, accepted only on
   * tables with RLS enabled. Every other schema the API does not serve — `auth` first — must grant
   * the API roles no table, view or sequence at all.
   */
  rlsGuardedSchemas: ['storage', 'realtime'],
  /** Schemas of PostgreSQL itself, never inspected for API-role grants. */
  systemSchemas: ['pg_catalog', 'information_schema', 'pg_toast'],
} as const;
