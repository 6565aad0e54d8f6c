import { type Executor, queryRows } from '@aclue/db';
import { platformBaseline } from '@aclue/db/objects';
import { sql } from 'drizzle-orm';
import { type CheckResult, fail, pass } from '../results';
import { sqlList } from './scope';

/**
 * What decides whether the declared tables keep their rows and their rules, beyond how they are
 * defined: persistence, index validity, constraint validity and deferrability, the internal
 * triggers that enforce foreign keys, rewrite rules, publications that ship their rows elsewhere,
 * and event triggers that run on every DDL statement.
 */
export async function checkDurability(
  db: Executor,
  schema: string,
  tables: readonly string[],
): Promise<CheckResult[]> {
  if (tables.length === 0) return [];
  const results: CheckResult[] = [];
  const inScope = sql`c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${schema})
    AND c.relname IN (${sqlList(tables)})`;

  // A partitioned table's rows live in its partitions: each of them must be logged.
  const unlogged = await queryRows<{ table: string; relations: string }>(
    db,
    sql`SELECT c.relname AS table, string_agg(p.relid::regclass::text, ', ' ORDER BY 1) AS relations
        FROM pg_catalog.pg_class c
        CROSS JOIN LATERAL (SELECT relid FROM pg_catalog.pg_partition_tree(c.oid) UNION SELECT c.oid) p
        JOIN pg_catalog.pg_class r ON r.oid = p.relid
        WHERE ${inScope} AND r.relkind = 'r' AND r.relpersistence <> 'p'
        GROUP BY 1 ORDER BY 1`,
  );
  for (const table of tables) {
    const found = unlogged.find((u) => u.table === table);
    const own = found?.relations
      .split(', ')
      .every((r) => r === table || r === `${schema}.${table}`);
    results.push(
      found
        ? fail(
            'durability',
            table,
            'table is logged',
            `UNLOGGED: ${own ? 'its' : `${found.relations}: their`} changes skip the write-ahead log`,
            `ALTER TABLE ${own ? `${schema}.${table}` : found.relations.split(', ')[0]} SET LOGGED`,
            'every row is emptied after a crash or failover and never reaches replicas or point-in-time backups',
          )
        : pass('durability', table, 'table is logged'),
    );
  }

  const indexes = await queryRows<{ table: string; index: string; state: string }>(
    db,
    sql`SELECT c.relname AS table, ic.relname AS index,
          concat_ws(', ', CASE WHEN NOT i.indisvalid THEN 'invalid' END,
            CASE WHEN NOT i.indisready THEN 'not ready' END,
            CASE WHEN NOT i.indislive THEN 'being dropped' END) AS state
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        WHERE ${inScope} AND NOT (i.indisvalid AND i.indisready AND i.indislive)
        ORDER BY 1, 2`,
  );
  for (const index of indexes) {
    results.push(
      fail(
        'durability',
        index.table,
        `index ${index.index} is valid`,
        `${index.state} (as a failed CREATE INDEX CONCURRENTLY leaves it)`,
        `REINDEX INDEX CONCURRENTLY ${schema}.${index.index}`,
        'the planner never uses it, so every query it serves scans instead; a unique index in this state may not enforce uniqueness',
      ),
    );
  }
  passElsewhere(results, tables, indexes, 'every index is valid and ready');

  const constraints = await queryRows<{
    table: string;
    name: string;
    kind: string;
    validated: boolean;
    deferrable: boolean;
  }>(
    db,
    sql`SELECT c.relname AS table, k.conname AS name, k.contype::text AS kind,
          k.convalidated AS validated, k.condeferrable AS deferrable
        FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        WHERE ${inScope} AND (NOT k.convalidated OR k.condeferrable) ORDER BY 1, 2`,
  );
  for (const k of constraints) {
    const kind =
      { f: 'foreign key', c: 'check', u: 'unique', p: 'primary key', x: 'exclusion' }[k.kind] ??
      'constraint';
    const problems = [
      ...(k.validated ? [] : ['NOT VALID: rows stored before it was added were never checked']),
      ...(k.deferrable
        ? ['DEFERRABLE: checked only when a transaction says so, or at commit']
        : []),
    ];
    results.push(
      fail(
        'durability',
        k.table,
        `${kind} ${k.name} is enforced at once`,
        problems.join('; '),
        k.validated
          ? `ALTER TABLE ${schema}.${k.table} ALTER CONSTRAINT ${k.name} NOT DEFERRABLE`
          : `ALTER TABLE ${schema}.${k.table} VALIDATE CONSTRAINT ${k.name}`,
        k.validated
          ? 'a transaction can hold rows that break it (and read them back) until commit; an ON CONFLICT or a reader inside it sees the broken state'
          : 'rows that break it may already be stored, and every reader trusts they are not',
      ),
    );
  }
  passElsewhere(results, tables, constraints, 'every constraint is validated and not deferrable');

  // The table's own triggers and, for a partitioned table, every partition's: a partition keeps
  // its foreign keys' internal triggers and clones of the parent's row triggers, and a trigger
  // disabled there (`ALTER TABLE <partition> DISABLE TRIGGER ALL`) stops them for its rows only.
  const disabled = await queryRows<{ table: string; relation: string; trigger: string }>(
    db,
    sql`SELECT c.relname AS table, r.oid::regclass::text AS relation, t.tgname AS trigger
        FROM pg_catalog.pg_class c
        CROSS JOIN LATERAL (SELECT relid FROM pg_catalog.pg_partition_tree(c.oid) UNION SELECT c.oid) p
        JOIN pg_catalog.pg_class r ON r.oid = p.relid
        JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid
        WHERE ${inScope} AND t.tgenabled = 'D' AND (t.tgisinternal OR r.oid <> c.oid)
        ORDER BY 1, 2, 3`,
  );
  for (const table of new Set(disabled.map((d) => d.table))) {
    const found = disabled.filter((d) => d.table === table);
    const relations = [...new Set(found.map((d) => d.relation))];
    results.push(
      fail(
        'durability',
        table,
        'foreign keys are enforced',
        `${found.length} of its triggers are disabled on ${relations.join(', ')} (those enforcing foreign keys included)`,
        relations.map((r) => `ALTER TABLE ${r} ENABLE TRIGGER ALL`).join('; '),
        'rows that name missing parents are accepted, and deleting a parent no longer cascades or nulls its children',
      ),
    );
  }
  passElsewhere(results, tables, disabled, 'foreign keys are enforced');

  // A partition runs what its parent declares; a trigger made on one partition is nobody's.
  const strays = await queryRows<{ table: string; relation: string; trigger: string }>(
    db,
    sql`SELECT c.relname AS table, r.oid::regclass::text AS relation, t.tgname AS trigger
        FROM pg_catalog.pg_class c
        CROSS JOIN LATERAL pg_catalog.pg_partition_tree(c.oid) p
        JOIN pg_catalog.pg_class r ON r.oid = p.relid AND r.oid <> c.oid
        JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid
        WHERE ${inScope} AND NOT t.tgisinternal AND t.tgparentid = 0
        ORDER BY 1, 2, 3`,
  );
  for (const stray of strays) {
    results.push(
      fail(
        'triggers',
        stray.table,
        `trigger ${stray.trigger} on partition ${stray.relation}`,
        'exists on one partition and is declared nowhere',
        `DROP TRIGGER ${stray.trigger} ON ${stray.relation}`,
        "it runs on that month's rows only, doing what nobody reviewed",
      ),
    );
  }

  const rules = await queryRows<{ table: string; rule: string; event: string }>(
    db,
    sql`SELECT c.relname AS table, r.rulename AS rule,
          CASE r.ev_type WHEN '1' THEN 'SELECT' WHEN '2' THEN 'UPDATE' WHEN '3' THEN 'INSERT'
            ELSE 'DELETE' END AS event
        FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
        WHERE ${inScope} AND r.rulename <> '_RETURN' ORDER BY 1, 2`,
  );
  for (const rule of rules) {
    results.push(
      fail(
        'durability',
        rule.table,
        `rule ${rule.rule}`,
        `rewrites every ${rule.event} on ${rule.table}; the schema declares no rules`,
        `DROP RULE ${rule.rule} ON ${schema}.${rule.table}`,
        `what a caller's ${rule.event} does is replaced or extended by statements nobody reviewed — writes can vanish (DO INSTEAD NOTHING) or be copied elsewhere`,
      ),
    );
  }
  passElsewhere(results, tables, rules, 'no rewrite rules');

  const published = await queryRows<{ publication: string; table: string }>(
    db,
    // A publication of all tables lists a partitioned table's partitions, not the table.
    sql`SELECT DISTINCT pt.pubname AS publication, root.relname AS table
        FROM pg_catalog.pg_publication_tables pt
        JOIN pg_catalog.pg_namespace n ON n.nspname = pt.schemaname
        JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
        JOIN pg_catalog.pg_class root
          ON root.oid = coalesce(pg_catalog.pg_partition_root(c.oid), c.oid)
        WHERE root.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${schema})
          AND root.relname IN (${sqlList(tables)}) ORDER BY 1, 2`,
  );
  for (const { publication, table } of published) {
    results.push(
      fail(
        'durability',
        table,
        `publication ${publication}`,
        `publishes ${table}; the schema declares no publication`,
        `ALTER PUBLICATION ${publication} DROP TABLE ${schema}.${table} (or DROP PUBLICATION)`,
        'every insert, update and delete on it — rows row level security hides included — streams to whoever subscribes',
      ),
    );
  }
  passElsewhere(results, tables, published, 'published nowhere');
  return results;
}

/** Each table with no finding of a kind passes that check, so a table filter still sees it. */
function passElsewhere(
  results: CheckResult[],
  tables: readonly string[],
  findings: readonly { table: string }[],
  name: string,
) {
  const found = new Set(findings.map((f) => f.table));
  for (const table of tables) if (!found.has(table)) results.push(pass('durability', table, name));
}

/** Event triggers run on every DDL statement of the database: only the platform's may exist. */
export async function checkEventTriggers(db: Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = [];

  const baseline: readonly string[] = platformBaseline.eventTriggers;
  const eventTriggers = await queryRows<{
    name: string;
    event: string;
    function: string;
    owner: string;
  }>(
    db,
    sql`SELECT e.evtname AS name, e.evtevent AS event,
          format('%I.%I', n.nspname, p.proname) AS function,
          pg_catalog.pg_get_userbyid(e.evtowner) AS owner
        FROM pg_catalog.pg_event_trigger e
        JOIN pg_catalog.pg_proc p ON p.oid = e.evtfoid
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE e.evtenabled <> 'D' ORDER BY 1`,
  );
  const stray = eventTriggers.filter((e) => !baseline.includes(e.name));
  for (const trigger of stray) {
    results.push(
      fail(
        'triggers',
        null,
        `event trigger ${trigger.name}`,
        `runs ${trigger.function} as ${trigger.owner} on every ${trigger.event}; neither declared nor the platform's`,
        `DROP EVENT TRIGGER ${trigger.name}`,
        "it runs with its owner's (superuser) rights inside every migration and DDL statement: it can rewrite, block or copy schema changes, grants included",
      ),
    );
  }
  if (stray.length === 0)
    results.push(pass('triggers', null, "no event triggers beyond the platform's"));
  return results;
}
