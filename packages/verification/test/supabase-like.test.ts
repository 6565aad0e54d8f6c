import { createDb, migrate } from '@aclue/db';
import { createEmptyServerDatabase, testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verify } from '../src';

/**
 * A database initialised the way Supabase initialises a project — its roles and memberships, its
 * default privileges for `postgres` and `supabase_admin`, `auth`, `storage`, the Realtime
 * publication and PostgREST's event trigger — then migrated: the platform's own setup is the
 * baseline, so verification must find nothing. (Roles are server-wide: the ones created here
 * match the baseline every other suite expects.)
 */
const platformSetup = [
  `DO $$ BEGIN
     IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_admin') THEN
       CREATE ROLE supabase_admin SUPERUSER LOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS;
     END IF;
     IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
     IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
     IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; END IF;
     IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN CREATE ROLE authenticator LOGIN NOINHERIT; END IF;
   EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
   END $$`,
  'GRANT anon, authenticated, service_role, supabase_admin TO authenticator',
  'GRANT anon, authenticated, service_role TO postgres',
  'CREATE SCHEMA auth AUTHORIZATION supabase_admin',
  'CREATE SCHEMA extensions',
  'CREATE SCHEMA storage AUTHORIZATION supabase_admin',
  'CREATE SCHEMA graphql_public',
  'GRANT USAGE ON SCHEMA public, auth, extensions, storage, graphql_public TO anon, authenticated, service_role',
  `CREATE TABLE auth.users (id uuid PRIMARY KEY, email varchar(255), phone text,
     raw_user_meta_data jsonb, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now())`,
  'ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY',
  `CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
     SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
       (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$`,
  `CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
     SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
       (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $$`,
  `CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
     SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
       nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$`,
  'GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.jwt() TO anon, authenticated, service_role',
  `CREATE TABLE storage.buckets (id text PRIMARY KEY, name text NOT NULL, public boolean DEFAULT false)`,
  'ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY',
  'GRANT ALL ON storage.buckets TO anon, authenticated, service_role',
  `CREATE FUNCTION graphql_public.graphql("operationName" text DEFAULT NULL, query text DEFAULT NULL)
     RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$`,
  ...['postgres', 'supabase_admin'].flatMap((creator) =>
    ['TABLES', 'SEQUENCES', 'FUNCTIONS'].map(
      (kind) =>
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${creator} IN SCHEMA public GRANT ALL ON ${kind} TO anon, authenticated, service_role`,
    ),
  ),
  "CREATE PUBLICATION supabase_realtime WITH (publish = 'insert, update, delete')",
  `CREATE FUNCTION extensions.pgrst_ddl_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('pgrst', 'reload schema'); END $$`,
  'CREATE EVENT TRIGGER pgrst_ddl_watch ON ddl_command_end EXECUTE FUNCTION extensions.pgrst_ddl_watch()',
];

describe.runIf(testDrivers().includes('pg'))('a database initialised like Supabase', () => {
  it('verifies clean after the migrations, with no finding about the platform itself', async () => {
    const server = await createEmptyServerDatabase();
    const db = await createDb({ url: server.url });
    try {
      for (const statement of platformSetup) await db.execute(sql.raw(statement));
      await migrate(db);
      const report = await verify(db);
      const failures = report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
      expect(failures).toEqual([]);
      // The surface checks ran: the authenticator and the platform's event trigger were seen.
      const names = report.results.map((r) => r.name);
      expect(names).toContain('role authenticator memberships');
      expect(names).toContain("no event triggers beyond the platform's");
    } finally {
      await db.$close();
      await server.drop();
    }
  });
});
