import { sql } from 'drizzle-orm';
import type { Lint } from './rule';

/** Lints on functions and extensions. */
export const routineLints: Lint[] = [
  {
    name: 'functions pin their search_path',
    splinter: 'function_search_path_mutable',
    query: ({ schemas }) => sql`
      SELECT NULL AS table, n.nspname || '.' || p.proname AS function
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname IN (${schemas})
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.objid = p.oid AND d.deptype = 'e')
        AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c
                        WHERE c LIKE 'search_path=%')`,
    describe: (r) => ({
      table: null,
      detail: `function ${r.function} has a mutable search_path`,
      fix: `ALTER FUNCTION ${r.function} SET search_path = ''`,
    }),
  },
  {
    name: 'the API roles execute no SECURITY DEFINER function',
    splinter:
      'anon_security_definer_function_executable, authenticated_security_definer_function_executable',
    query: ({ schemas, callers }) => sql`
      SELECT NULL AS table,
        n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS function,
        array_to_string(array(SELECT role FROM unnest(ARRAY[${callers}]::text[]) role
          WHERE pg_catalog.has_function_privilege(role, p.oid, 'EXECUTE') ORDER BY role), ', ') AS roles
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname IN (${schemas}) AND p.prosecdef
        AND EXISTS (SELECT 1 FROM unnest(ARRAY[${callers}]::text[]) role
                    WHERE pg_catalog.has_function_privilege(role, p.oid, 'EXECUTE'))`,
    describe: (r) => ({
      table: null,
      detail: `${r.roles} may execute SECURITY DEFINER function ${r.function}: it runs as its owner, past every policy (PostgREST serves it at /rpc)`,
      fix: `REVOKE EXECUTE ON FUNCTION ${r.function} FROM PUBLIC, anon, authenticated`,
    }),
  },
  {
    name: 'no extension lives in public',
    splinter: 'extension_in_public',
    query: () => sql`
      SELECT NULL AS table, e.extname AS extension FROM pg_catalog.pg_extension e
      WHERE e.extnamespace = 'public'::regnamespace AND e.extname <> 'plpgsql'`,
    describe: (r) => ({
      table: null,
      detail: `extension ${r.extension} is installed in public: PostgREST serves its functions and tables`,
      fix: `ALTER EXTENSION ${r.extension} SET SCHEMA extensions`,
    }),
  },
];
