/**
 * The tables no API role may touch (partitions, rollups and their bookkeeping) say so with a
 * policy, not only with missing grants: a grant added by hand later still opens no row, and
 * Supabase's linter (`rls_enabled_no_policy`) sees a table whose RLS is on on purpose.
 * Restrictive, so no permissive policy added beside it can widen it; only `anon` and
 * `authenticated`, so the owner and the service role (which reach these tables through the
 * parent or the refresh job) are untouched. Partitions are read through their parent, whose
 * own policies decide; this one applies to a partition named directly.
 */
export const SERVICE_ONLY_POLICY = 'service_only';

/** The policy's body, after `CREATE POLICY service_only ON <table>`. */
export const SERVICE_ONLY_POLICY_BODY =
  'AS RESTRICTIVE FOR ALL TO anon, authenticated USING (false) WITH CHECK (false)';

/** Puts the policy on `table` (qualified, quoted): safe to run again. */
export const serviceOnlyPolicyStatements = (table: string): string[] => [
  `DROP POLICY IF EXISTS ${SERVICE_ONLY_POLICY} ON ${table};`,
  `CREATE POLICY ${SERVICE_ONLY_POLICY} ON ${table} ${SERVICE_ONLY_POLICY_BODY};`,
];
