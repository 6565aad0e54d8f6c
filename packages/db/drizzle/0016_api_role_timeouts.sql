DO $do$
DECLARE
  role_name text;
  timeout text;
BEGIN
  FOR role_name, timeout IN VALUES ('anon', '3s'), ('authenticated', '8s') LOOP
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
$do$;
