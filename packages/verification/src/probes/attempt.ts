import { type Executor, type Identity, identityStatement, queryRows } from '@aclue/db';
import { type SQL, sql } from 'drizzle-orm';
import { inlineSql, inlineValues } from './inline';

type Transaction = Executor & {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
};

/**
 * Runs `work` in a savepoint of `tx`: if it fails, only the savepoint is rolled back, so one
 * failing check (a missing table) does not abort the checks after it.
 */
export const inSavepoint = <T>(tx: Executor, work: (savepoint: Executor) => Promise<T>) =>
  (tx as Transaction).transaction(work);

/** What a statement did: how many rows it touched or returned, or the error that stopped it. */
export type Outcome =
  | { ok: true; count: number; rows: Record<string, unknown>[] }
  | { ok: false; code: string; message: string };

/** One probe: statements run in order as `identity` (the last one's outcome counts). */
export interface Attempt {
  /** Who runs it; absent: the connection's own role, as the transaction stands. */
  identity?: Identity;
  query: SQL | SQL[];
  /** Keep what it did when it succeeds (a failure is still undone alone). Default: undo. */
  keep?: boolean;
}

/**
 * Runs each attempt in a subtransaction of its own on the server (a PL/pgSQL exception block,
 * what a savepoint is), undone unless it is to be kept: the role, the claims and every row
 * written disappear with it, and a failing one never aborts the ones after it. The whole batch
 * is one round trip instead of four per probe (a verification runs hundreds: this halved its
 * time). The function is temporary and created in the verification's own transaction, which is
 * rolled back.
 */
const attemptsFunction = sql.raw(`
CREATE OR REPLACE FUNCTION pg_temp.aclue_probe_attempts(attempts jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $probe$
DECLARE
  attempt jsonb;
  statement jsonb;
  outcome jsonb;
  outcomes jsonb := '[]';
  touched bigint;
  returned jsonb;
  undoing boolean;
BEGIN
  FOR attempt IN
    SELECT value FROM jsonb_array_elements(attempts) WITH ORDINALITY ORDER BY ordinality
  LOOP
    outcome := jsonb_build_object('ok', false, 'code', 'none', 'message', 'not run');
    undoing := false;
    BEGIN
      -- Outside the statements' own block: a role verification may not take is its error,
      -- not the probe's refusal.
      IF attempt ? 'identity' THEN
        EXECUTE attempt->>'identity';
      END IF;
      BEGIN
        FOR statement IN
          SELECT value FROM jsonb_array_elements(attempt->'statements') WITH ORDINALITY
          ORDER BY ordinality
        LOOP
          IF (statement->>'reads')::boolean THEN
            EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(aclue_probe_row)), ''[]'')
              FROM (%s) AS aclue_probe_row', statement->>'text') INTO returned;
            touched := jsonb_array_length(returned);
          ELSE
            EXECUTE statement->>'text';
            GET DIAGNOSTICS touched = ROW_COUNT;
            returned := '[]';
          END IF;
          outcome := jsonb_build_object('ok', true, 'count', touched, 'rows', returned);
        END LOOP;
      EXCEPTION WHEN OTHERS THEN
        outcome := jsonb_build_object('ok', false, 'code', SQLSTATE, 'message', SQLERRM);
      END;
      IF NOT coalesce((attempt->>'keep')::boolean, false) THEN
        undoing := true;
        RAISE EXCEPTION 'undo the probe';
      END IF;
    EXCEPTION WHEN OTHERS THEN
      IF NOT undoing THEN
        RAISE;
      END IF;
    END;
    outcomes := outcomes || jsonb_build_array(outcome);
  END LOOP;
  RETURN outcomes;
END
$probe$`);

/** A statement whose rows are its outcome (a probe reading what it may see). */
const reads = (text: string) => /^\s*select\b/i.test(text);

/** Runs every attempt (see above); the outcomes come back in the same order. */
export async function attemptAll(tx: Executor, attempts: readonly Attempt[]): Promise<Outcome[]> {
  if (attempts.length === 0) return [];
  const batch = attempts.map(({ identity, query, keep }) => {
    const statement = identity && identityStatement(identity);
    return {
      ...(statement ? { identity: inlineValues(statement.text, statement.values) } : {}),
      ...(keep ? { keep } : {}),
      statements: [query].flat().map((statement) => {
        const inlined = inlineSql(statement);
        return { text: inlined, reads: reads(inlined) };
      }),
    };
  });
  await tx.execute(attemptsFunction);
  const [row] = await queryRows<{ outcomes: Outcome[] | string }>(
    tx,
    sql`SELECT pg_temp.aclue_probe_attempts(${JSON.stringify(batch)}::jsonb) AS outcomes`,
  );
  // Parsed by node-postgres; JSON text where a driver leaves jsonb as it came.
  const outcomes = typeof row?.outcomes === 'string' ? JSON.parse(row.outcomes) : row?.outcomes;
  if (!Array.isArray(outcomes) || outcomes.length !== attempts.length) {
    throw new Error(
      `the probe batch returned ${outcomes?.length ?? 'no'} outcomes for ${attempts.length} probes`,
    );
  }
  return outcomes as Outcome[];
}

/** One attempt (see `attemptAll`). */
export async function attempt(
  tx: Executor,
  identity: Identity,
  query: SQL | SQL[],
): Promise<Outcome> {
  const [outcome] = await attemptAll(tx, [{ identity, query }]);
  return outcome as Outcome;
}
