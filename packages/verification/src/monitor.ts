/**
 * The operations report behind `aclue-db monitor` and the dashboard's health page: sizes, index use,
 * cache hit ratio, dead tuples, connections, slow statements. Read-only, like every check here.
 */
import { type Database, queryRows, replicationLag, rollupStatus } from '@aclue/db';
import { partitionSchema } from '@aclue/db/objects';
import { type SQL, sql } from 'drizzle-orm';
import { runLints } from './lints';

/** One section of the operations report: rows, or why they could not be read here. */
export interface Section {
  title: string;
  rows: Record<string, unknown>[];
  note?: string;
}

/** Tables with more live rows than this are "large" for the sequential-scan section. */
const LARGE_TABLE_ROWS = 10_000;

/**
 * Sections built on PostgreSQL's activity statistics (`pg_stat_*`). The embedded database runs
 * PostgreSQL in single-user mode, which collects none: there they would read as all zeros.
 */
const STATISTICS_UNAVAILABLE =
  'not collected by the embedded database (PGlite keeps no activity statistics): run monitor against a PostgreSQL server for this section';

/** Exact live rows of a table, in one query over the catalog (the embedded database's are small). */
const exactRows = sql`(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint`;

const sections: { title: string; query: SQL | ((embedded: boolean) => SQL); statistics?: true }[] =
  [
    {
      title: 'table and index sizes',
      // Statistics' row estimate on a server; an exact count on the embedded database. A
      // partitioned table's rows and bytes are its partitions'.
      query: (embedded) => sql`SELECT c.relname AS table,
        ${embedded ? exactRows : sql`coalesce(sum(s.n_live_tup), 0)::bigint`} AS live_rows,
        pg_size_pretty(sum(pg_relation_size(t.relid))) AS table_size,
        pg_size_pretty(sum(pg_indexes_size(t.relid))) AS index_size,
        pg_size_pretty(sum(pg_total_relation_size(t.relid))) AS total_size
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL (SELECT relid FROM pg_partition_tree(c.oid) UNION SELECT c.oid) t
      LEFT JOIN pg_stat_user_tables s ON s.relid = t.relid
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      GROUP BY c.oid, c.relname, n.nspname
      ORDER BY sum(pg_total_relation_size(t.relid)) DESC`,
    },
    {
      title: 'index usage',
      statistics: true,
      query: sql`SELECT s.relname AS table, s.indexrelname AS index, s.idx_scan AS scans,
        pg_size_pretty(pg_relation_size(s.indexrelid)) AS size
      FROM pg_stat_user_indexes s WHERE s.schemaname IN ('public', ${partitionSchema})
      ORDER BY s.idx_scan DESC, pg_relation_size(s.indexrelid) DESC LIMIT 15`,
    },
    {
      title: 'indexes never used (not backing a key)',
      statistics: true,
      query: sql`SELECT s.relname AS table, s.indexrelname AS index,
        pg_size_pretty(pg_relation_size(s.indexrelid)) AS size
      FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
      WHERE s.schemaname IN ('public', ${partitionSchema}) AND s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
      ORDER BY pg_relation_size(s.indexrelid) DESC`,
    },
    {
      title: `sequential scans on large tables (> ${LARGE_TABLE_ROWS} rows)`,
      statistics: true,
      query: sql`SELECT relname AS table, n_live_tup AS live_rows, seq_scan, seq_tup_read AS rows_read_by_seq_scans,
        idx_scan
      FROM pg_stat_user_tables
      WHERE schemaname IN ('public', ${partitionSchema}) AND n_live_tup > ${LARGE_TABLE_ROWS} AND seq_scan > 0
      ORDER BY seq_tup_read DESC`,
    },
    {
      title: 'cache hit ratio',
      statistics: true,
      query: sql`SELECT round(100.0 * sum(heap_blks_hit) / nullif(sum(heap_blks_hit) + sum(heap_blks_read), 0), 2) AS table_hit_percent,
        round(100.0 * sum(idx_blks_hit) / nullif(sum(idx_blks_hit) + sum(idx_blks_read), 0), 2) AS index_hit_percent
      FROM pg_statio_user_tables WHERE schemaname IN ('public', ${partitionSchema})`,
    },
    {
      title: 'dead tuples and vacuum age',
      statistics: true,
      query: sql`SELECT s.relname AS table, s.n_live_tup AS live, s.n_dead_tup AS dead,
        round(100.0 * s.n_dead_tup / nullif(s.n_live_tup + s.n_dead_tup, 0), 1) AS dead_percent,
        greatest(s.last_vacuum, s.last_autovacuum) AS last_vacuum, age(c.relfrozenxid) AS xid_age
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname IN ('public', ${partitionSchema}) ORDER BY s.n_dead_tup DESC`,
    },
    {
      title: 'connections',
      statistics: true,
      query: sql`SELECT coalesce(state, 'background') AS state, count(*)::int AS connections
      FROM pg_stat_activity GROUP BY 1 ORDER BY 2 DESC`,
    },
    {
      title: 'business: last day and last week',
      query: sql`SELECT period,
        (SELECT count(*) FROM affiliate_clicks WHERE click_timestamp > now() - span)::int AS clicks,
        (SELECT count(*) FROM affiliate_clicks WHERE is_converted AND conversion_timestamp > now() - span)::int AS conversions,
        (SELECT coalesce(sum(actual_commission), 0) FROM affiliate_clicks
          WHERE is_converted AND conversion_timestamp > now() - span)::float8 AS revenue,
        (SELECT count(*) FROM session_analytics WHERE is_active AND last_activity_at > now() - span)::int AS active_sessions
      FROM (VALUES ('last day', interval '1 day'), ('last week', interval '7 days')) AS p(period, span)`,
    },
  ];

async function slowestStatements(db: Database): Promise<Section> {
  const title = 'slowest statements (pg_stat_statements)';
  if (db.$driver === 'pglite') return { title, rows: [], note: STATISTICS_UNAVAILABLE };
  const [installed] = await queryRows<{ present: boolean }>(
    db,
    sql`SELECT to_regclass('pg_stat_statements') IS NOT NULL AS present`,
  );
  if (!installed?.present) {
    return {
      title,
      rows: [],
      note: 'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements (Supabase has it enabled)',
    };
  }
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT calls, round(mean_exec_time::numeric, 2) AS mean_ms, round(total_exec_time::numeric, 0) AS total_ms,
        left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query
      FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10`,
  );
  return { title, rows };
}

async function unwrappedPolicies(db: Database): Promise<Section> {
  const findings = (await db.transaction((tx) => runLints(tx, 'public'))).filter(
    (r) => !r.ok && r.name === 'policies call auth functions once per statement',
  );
  return {
    title: 'policies calling auth.* per row (not wrapped in a select)',
    rows: findings.map((f) => ({ table: f.table, finding: f.detail })),
  };
}

/** How far the analytics' rollups are behind: an old day waiting means the refresh is not running. */
async function rollupsBehind(db: Database): Promise<Section> {
  const title = 'analytics rollups (days waiting for `aclue-db rollups refresh`)';
  try {
    const status = await rollupStatus(db);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const stale = status.filter((s) => s.oldestDirtyDay !== null && s.oldestDirtyDay < yesterday);
    return {
      title,
      rows: status.map((s) => ({ ...s })),
      ...(stale.length > 0
        ? {
            note: `days before yesterday are waiting (${stale.map((s) => s.source).join(', ')}): reports stay exact but read raw rows for them; schedule \`aclue-db rollups refresh\``,
          }
        : {}),
    };
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    return { title, rows: [], note: `unavailable here: ${cause.message}` };
  }
}

/** Reads every section; one that cannot be read says why instead of failing the report. */
export async function operationsReport(db: Database): Promise<Section[]> {
  const report: Section[] = [];
  const embedded = db.$driver === 'pglite';
  for (const { title, query, statistics } of sections) {
    if (embedded && statistics) {
      report.push({ title, rows: [], note: STATISTICS_UNAVAILABLE });
      continue;
    }
    try {
      const statement = typeof query === 'function' ? query(embedded) : query;
      report.push({ title, rows: await queryRows<Record<string, unknown>>(db, statement) });
    } catch (error) {
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      report.push({ title, rows: [], note: `unavailable here: ${cause.message}` });
    }
  }
  report.push(await slowestStatements(db), await unwrappedPolicies(db), await rollupsBehind(db));
  if (db.$readers.length > 0) {
    report.push({
      title: 'read replicas (lag behind the primary)',
      rows: (await replicationLag(db)).map((lag) => ({ ...lag })),
    });
  }
  return report;
}
