/**
 * The parts of a Supabase database the schema depends on, for plain PostgreSQL and the embedded
 * database. Every statement is a no-op where the object already exists, so on a real Supabase
 * project this changes nothing: its own roles and `auth` functions stay as they are.
 */

export interface SupabaseRole {
  name: 'anon' | 'authenticated' | 'service_role';
  bypassRls: boolean;
}

export const supabaseRoles: readonly SupabaseRole[] = [
  { name: 'anon', bypassRls: false },
  { name: 'authenticated', bypassRls: false },
  { name: 'service_role', bypassRls: true },
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
