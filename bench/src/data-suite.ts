import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { explainPlan, migrate, queryRows } from '@aclue/db';
import { analyticsQueries, createRepositories } from '@aclue/repositories';
import { sql } from 'drizzle-orm';
import { formatHotPath, hotPath } from './hot-path';
import { formatMeasurements, type Measurement, measure } from './measure';
import { benchPooler } from './pooler';
import { RawClient } from './raw';
import { scratchDatabase, seededDatabase } from './scratch';

const cli = fileURLToPath(new URL('../../apps/cli/bin/aclue-db.js', import.meta.url));
const DAY = 86_400_000;

/**
 * The suites that need data: a scratch database seeded by `aclue-db seed` (BENCH_USERS users,
 * 20,000 by default: about 1.1 M views, 220 k clicks, 110 k sessions), then repository calls
 * against raw `pg`, batch writes against raw INSERT and raw COPY, RLS costs and analytics.
 */
export async function dataSuite(rounds: number, users: number) {
  const seededUrl = process.env.BENCH_SEEDED_URL;
  const scratch = seededUrl ? await seededDatabase(seededUrl, 4) : await scratchDatabase(4);
  try {
    await migrate(scratch.db);
    const seed = seededUrl ? await alreadySeeded(scratch.url) : seedScratch(scratch.url, users);
    await scratch.db.execute(sql`ANALYZE`);

    const [busiest] = await queryRows<{ user_id: string }>(
      scratch.db,
      sql`SELECT user_id FROM product_views
      WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY count(*) DESC LIMIT 1`,
    );
    const userId = busiest?.user_id ?? '';
    const [click] = await queryRows<{ id: string }>(
      scratch.db,
      sql`SELECT id FROM affiliate_clicks WHERE user_id = ${userId} LIMIT 1`,
    );
    const clickId = click?.id ?? '';
    const [product] = await queryRows<{ id: string }>(
      scratch.db,
      sql`SELECT id FROM products LIMIT 1`,
    );
    const repos = createRepositories(scratch.db);
    const raw = await RawClient.connect(scratch.url);
    // Analytics first: the write benchmarks below add their rows to today, which reports read raw.
    const week = { from: new Date(Date.now() - 7 * DAY), to: new Date() };
    const analytics = repos.asService().analytics;
    const reports: [
      string,
      () => Promise<unknown>,
      ReturnType<(typeof analyticsQueries)[keyof typeof analyticsQueries]>,
    ][] = [
      [
        'revenue attribution',
        () => analytics.revenueAttribution({ ...week, by: 'network' }),
        analyticsQueries.revenueAttribution(week, 'network'),
      ],
      [
        'click-through rate',
        () => analytics.clickThroughRate(week),
        analyticsQueries.clickThroughRate(week),
      ],
      ['funnel', () => analytics.funnel(week), analyticsQueries.funnel(week)],
      [
        'product popularity',
        () => analytics.productPopularity({ ...week, limit: 20 }),
        analyticsQueries.productPopularity(week, 20),
      ],
      [
        'session engagement',
        () => analytics.sessionEngagement(week),
        analyticsQueries.sessionEngagement(week),
      ],
    ];
    // The seed refreshed the rollups: whole days come from them, today and the period's
    // partial first day from raw rows, as in production.
    const analyticsTimes = await measure(
      reports.map(([name, run]) => ({ name, run })),
      rounds,
    );
    // The same reports with no day counted as refreshed (every row read raw, as before the
    // rollups), then the refreshed days put back as they were.
    await scratch.db.execute(
      sql`CREATE TABLE public.bench_refreshed_days AS SELECT * FROM aclue_rollups.refreshed_days`,
    );
    await scratch.db.execute(sql`DELETE FROM aclue_rollups.refreshed_days`);
    const rawAnalyticsTimes = await measure(
      reports.map(([name, run]) => ({ name, run })),
      rounds,
    );
    await scratch.db.execute(
      sql`INSERT INTO aclue_rollups.refreshed_days SELECT * FROM public.bench_refreshed_days`,
    );
    await scratch.db.execute(sql`DROP TABLE public.bench_refreshed_days`);
    const accessMethods: Record<string, string> = {};
    for (const [name, , query] of reports) {
      accessMethods[name] = (await explainPlan(scratch.db, query))
        .filter(
          (n) =>
            n['Relation Name'] === 'product_views' ||
            n['Relation Name'] === 'affiliate_clicks' ||
            n['Index Name'],
        )
        .map(
          (n) =>
            `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ` ${n['Relation Name']}`}`,
        )
        .join(', ');
    }
    const direct = await hotPath(scratch.url, {
      userId,
      clickId,
      rounds: rounds * 5,
      direct: true,
    });
    // The same through PgBouncer in transaction mode (Debian's 1.18, 3 server connections).
    const pooler = await benchPooler(scratch.url);
    const pooled = pooler
      ? await hotPath(pooler.url(scratch.url), {
          userId,
          clickId,
          rounds: rounds * 5,
          direct: false,
        })
      : undefined;
    pooler?.stop();

    const views = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        product_id: product?.id,
        session_id: `bench-${i % 500}`,
        view_source: 'search',
        view_position: (i % 40) + 1,
        interaction_type: 'impression',
      }));
    const asInput = (rows: ReturnType<typeof views>) =>
      rows.map((r) => ({
        productId: r.product_id ?? '',
        sessionId: r.session_id,
        viewSource: 'search' as const,
        viewPosition: r.view_position,
        interactionType: 'impression' as const,
      }));
    const service = repos.asService();
    const writes = await measure(
      [
        {
          name: 'raw pg: multi-row INSERT of 10k views',
          prepare: async () => views(10_000),
          run: (rows) => raw.insertRows('product_views', rows as never),
        },
        {
          name: 'repository: recordProductViews (10k)',
          prepare: async () => asInput(views(10_000)),
          run: (rows) => service.productViews.recordProductViews(rows as never),
        },
        {
          name: 'raw pg: COPY of 10k views',
          prepare: async () => views(10_000),
          run: (rows) => raw.copyRows('product_views', rows as never),
        },
        {
          name: 'repository: bulkLoadProductViews (COPY, 10k)',
          prepare: async () => asInput(views(10_000)),
          run: (rows) => service.productViews.bulkLoadProductViews(rows as never),
        },
      ],
      Math.max(3, Math.floor(rounds / 2)),
    );

    const scoped =
      'SELECT id, view_timestamp FROM product_views WHERE user_id = $1 ORDER BY view_timestamp DESC LIMIT 20';
    const rls = await measure(
      [
        {
          name: 'service_role (no RLS)',
          run: () => raw.as('service_role', null, scoped, [userId]),
        },
        {
          name: 'authenticated (RLS, wrapped auth.uid())',
          run: () => raw.as('authenticated', userId, scoped, [userId]),
        },
        {
          name: 'authenticated, RLS alone filters (wrapped)',
          run: () => raw.as('authenticated', userId, 'SELECT count(*) FROM product_views'),
        },
      ],
      rounds * 5,
    );
    // The same RLS-only query with the policy calling auth.uid() per row, inside a transaction
    // that is rolled back (ALTER POLICY locks the table, so it cannot interleave with the others).
    const unwrapped = await measureUnwrapped(raw, userId, rounds);

    // A database kept for the next run loses the write benchmarks' rows (all in this hour, where
    // they would be read raw by that run's reports until the hour is refreshed), and their
    // partition is vacuumed: the next run's raw reads of this hour would wade through them dead.
    if (seededUrl) {
      const { rows: homes } = await raw.client.query<{ home: string }>(
        `SELECT DISTINCT tableoid::regclass::text AS home FROM product_views WHERE session_id LIKE 'bench-%'`,
      );
      await raw.client.query(`DELETE FROM product_views WHERE session_id LIKE 'bench-%'`);
      for (const { home } of homes) await raw.client.query(`VACUUM (ANALYZE) ${home}`);
    }
    await raw.end();

    const text = [
      `${Number.isNaN(seed.seconds) ? 'seeded earlier (BENCH_SEEDED_URL)' : 'seeded'} ${JSON.stringify(seed.rows)}${Number.isNaN(seed.seconds) ? '' : ` in ${seed.seconds.toFixed(0)} s`}; rollups of ${seed.rollups.days} days refreshed in ${seed.rollups.seconds.toFixed(1)} s`,
      formatHotPath('direct', direct),
      pooled ? formatHotPath('through PgBouncer', pooled) : 'through PgBouncer: not installed',
      formatMeasurements(
        'batch of 10k views vs raw multi-row INSERT (goal ≤ 1.2)',
        writes.slice(0, 2),
        'raw pg: multi-row INSERT of 10k views',
      ),
      formatMeasurements(
        'COPY path vs raw COPY (goal ≤ 1.2)',
        writes.slice(2),
        'raw pg: COPY of 10k views',
      ),
      formatMeasurements('RLS cost (goal ≤ 1.2 and p95 < 10 ms)', rls, 'service_role (no RLS)'),
      formatMeasurements(
        'RLS alone filtering product_views',
        [rls[2] as Measurement, unwrapped],
        'authenticated, RLS alone filters (wrapped)',
      ),
      formatRollupGain(analyticsTimes, rawAnalyticsTimes, week),
      Object.entries(accessMethods)
        .map(([name, m]) => `  ${name}: ${m}`)
        .join('\n'),
    ].join('\n\n');
    return {
      text,
      data: {
        seed,
        reads: { direct, pooled },
        writes,
        rls,
        unwrapped,
        analyticsTimes,
        rawAnalyticsTimes,
        accessMethods,
      },
    };
  } finally {
    await scratch.drop();
  }
}

interface SeedReport {
  rows: Record<string, number>;
  seconds: number;
  rollups: { days: number; seconds: number };
}

function seedScratch(url: string, users: number): SeedReport {
  const seeded = spawnSync(
    process.execPath,
    [cli, 'seed', '--users', String(users), '--days', '90', '--json'],
    {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stdout}`);
  return JSON.parse(seeded.stdout) as SeedReport;
}

/** A database seeded earlier: its rows counted, its rollups brought up to date (timed). */
async function alreadySeeded(url: string): Promise<SeedReport> {
  const started = performance.now();
  const refreshed = spawnSync(process.execPath, [cli, 'rollups', 'refresh', '--json'], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (refreshed.status !== 0) throw new Error(`rollups refresh failed: ${refreshed.stdout}`);
  const refreshSeconds = (performance.now() - started) / 1000;
  const counts = await RawClient.connect(url);
  const rows: Record<string, number> = {};
  for (const table of ['product_views', 'affiliate_clicks', 'session_analytics']) {
    rows[table] = Number(
      (await counts.client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0,
    );
  }
  await counts.end();
  const report = JSON.parse(refreshed.stdout) as { refreshed: { refreshed: string[] }[] };
  const days = report.refreshed.reduce((n, r) => n + r.refreshed.length, 0);
  return { rows, seconds: Number.NaN, rollups: { days, seconds: refreshSeconds } };
}

/** Each report from the rollups against the same report from raw rows (goal p95 < 50 ms). */
function formatRollupGain(
  rollups: Measurement[],
  raw: Measurement[],
  week: { from: Date; to: Date },
): string {
  const width = Math.max(...rollups.map((r) => r.name.length));
  // Where the week starts in its day decides how much of that day is read by the hour.
  const at = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return [
    `analytics over a week (${at(week.from)} to ${at(week.to)}): rollups vs raw rows (goal p95 < 50 ms)`,
    ...rollups.map((r, i) => {
      const base = raw[i] as Measurement;
      return `  ${r.name.padEnd(width)}  rollups p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  raw p50 ${base.p50.toFixed(1).padStart(7)} ms  p95 ${base.p95.toFixed(1).padStart(7)} ms  ×${(r.p50 / base.p50).toFixed(2)} ${r.p95 < 50 ? '✔' : '✘'}`;
    }),
  ].join('\n');
}

async function measureUnwrapped(
  raw: RawClient,
  userId: string,
  rounds: number,
): Promise<Measurement> {
  const c = raw.client;
  await c.query('BEGIN');
  try {
    await c.query(
      'ALTER POLICY product_views_select_own ON product_views USING (user_id = auth.uid())',
    );
    const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
    const [result] = await measure(
      [
        {
          name: 'authenticated, RLS alone filters (unwrapped auth.uid())',
          run: async () => {
            await c.query('SAVEPOINT probe');
            await c.query(
              `SELECT set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true)`,
              [claims, userId],
            );
            await c.query('SET LOCAL ROLE authenticated');
            await c.query('SELECT count(*) FROM product_views');
            await c.query('ROLLBACK TO SAVEPOINT probe');
          },
        },
      ],
      Math.max(3, Math.floor(rounds / 2)),
    );
    if (!result) throw new Error('no measurement');
    return result;
  } finally {
    await c.query('ROLLBACK');
  }
}
