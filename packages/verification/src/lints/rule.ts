import type { SQL } from 'drizzle-orm';

/** Where a lint looks: the schemas this project owns, and the roles the public API runs as. */
export interface LintScope {
  /** `'public', 'aclue_partitions', 'aclue_rollups'` as bound parameters. */
  schemas: SQL;
  /** `'anon', 'authenticated'` as bound parameters. */
  callers: SQL;
}

/**
 * One rule of the kind Supabase's database linter (splinter) runs: a query returning the
 * offending objects; none found is a pass. `splinter` names the rule it mirrors, so a finding of
 * Supabase's dashboard can be traced to the check here that fails first.
 */
export interface Lint {
  name: string;
  splinter: string;
  query: (scope: LintScope) => SQL;
  /** The finding for one offending row: which object, and the fix. */
  describe: (row: Record<string, string>) => { table: string | null; detail: string; fix: string };
}
