import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { migrate, queryRows } from '@aclue/db';
import { products } from '@aclue/db/schema';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { type ApiProcess, startApiProcess } from '../../apps/api/test/process.ts';
import { scratchDatabase } from './scratch';

/**
 * The tracking service under load (`npm run bench:api`): autocannon against the real process on
 * 127.0.0.1, the server database behind it. The floor is `/healthz` in the same run (HTTP and
 * the framework, no database); every write run ends with rows counted against 2xx answers.
 */
export async function apiSuite(requests = Number(process.env.BENCH_API_REQUESTS ?? 2000)) {
  const scratch = await scratchDatabase(2);
  await migrate(scratch.db);
  const productIds = await scratch.db
    .insert(products)
    .values(
      Array.from({ length: 100 }, (_, i) => ({
        title: `Bench product ${i}`,
        affiliateNetwork: 'shopnet',
        affiliateUrl: `https://www.shop.test/p/${i}`,
        commissionRate: 0.05,
        priceMin: 20,
      })),
    )
    .returning({ id: products.id })
    .then((rows) => rows.map((r) => r.id));
  const env = {
    DATABASE_URL: scratch.url,
    DATABASE_POOL_SIZE: '10',
    ANONYMOUS_ID_SECRET: randomBytes(32).toString('hex'),
    REDIRECT_ALLOW_LIST: JSON.stringify({ shopnet: ['www.shop.test'] }),
    RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_VISITOR_PER_MINUTE: '1000000',
    CLICK_DEDUPE_SECONDS: '1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const rows = async (table: string, where = sql`true`) =>
    Number(
      (
        await queryRows<{ n: number }>(
          scratch.db,
          sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${where}`,
        )
      )[0]?.n,
    );
  const lines: string[] = [];
  const data: Record<string, unknown> = {};
  const report = (name: string, r: autocannon.Result, extra = '') => {
    data[name] = {
      requestsPerSecond: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      statusCodes: Object.fromEntries(
        Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]),
      ),
      errors: r.errors,
    };
    lines.push(
      `  ${name.padEnd(34)} ${String(Math.round(r.requests.average)).padStart(6)} req/s  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(5)} ms  ${extra}`,
    );
  };

  const api: ApiProcess = await startApiProcess({ ...env, LOG_LEVEL: 'info' });
  try {
    const visitor = await newVisitor(api.url, 200);
    report(
      'GET /healthz (floor)',
      await autocannon({ url: `${api.url}/healthz`, connections: 32, amount: requests * 10 }),
    );

    const batch = (sessionId: string) =>
      JSON.stringify({
        views: Array.from({ length: 10 }, (_, i) => ({
          productId: productIds[i],
          sessionId,
          interactionType: 'impression',
          viewSource: 'search',
          viewPosition: i + 1,
        })),
      });
    const viewsRequest = {
      method: 'POST' as const,
      path: '/v1/views',
      headers: { 'content-type': 'application/json', ...visitor.headers },
      body: batch(visitor.sessions[0] as string),
    };
    const views = async () => {
      const before = await rows('product_views');
      // A fixed number of requests, so every answer is counted (a timed run drops those in flight).
      const r = await autocannon({
        url: api.url,
        connections: 32,
        amount: requests,
        requests: [viewsRequest],
      });
      const stored = (await rows('product_views')) - before;
      return { r, stored, accepted: r.statusCodeStats?.['201']?.count ?? 0 };
    };
    const ingest = await views();
    report('POST /v1/views (10 views)', ingest.r, rowCheck(ingest.stored, ingest.accepted * 10));

    let next = 0;
    const beforeClicks = await rows('affiliate_clicks');
    const clicks = await autocannon({
      url: api.url,
      connections: 32,
      amount: requests,
      requests: [
        {
          method: 'GET',
          headers: visitor.headers,
          // Every request a distinct (session, product) — 20,000 pairs — spread over the sessions.
          setupRequest: (request) => {
            const n = next++;
            const session = visitor.sessions[n % visitor.sessions.length];
            const product = productIds[Math.floor(n / visitor.sessions.length) % productIds.length];
            return { ...request, path: `/r/${product}?s=${session}` };
          },
        },
      ],
    });
    const recordedClicks = (await rows('affiliate_clicks')) - beforeClicks;
    report(
      'GET /r/:product (click redirect)',
      clicks,
      rowCheck(recordedClicks, clicks.statusCodeStats?.['302']?.count ?? 0),
    );

    // Faults: every backend of the service terminated once, 1.5 s in.
    const name = new URL(scratch.url).pathname.slice(1);
    let terminated = 0;
    const kill = setTimeout(async () => {
      // In the select list, not the WHERE clause: the planner may order WHERE conditions freely.
      const killed = await queryRows<{ cut: boolean }>(
        scratch.db,
        sql`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`,
      );
      terminated = killed.filter((k) => k.cut).length;
    }, 1500);
    const faulted = await views();
    clearTimeout(kill);
    report(
      'views, backends terminated once',
      faulted.r,
      `${rowCheck(faulted.stored, faulted.accepted * 10)}, ${terminated} backends cut, 503: ${faulted.r.statusCodeStats?.['503']?.count ?? 0}`,
    );

    // Abuse, each refused as it should be and leaving no rows behind.
    const codes = (r: autocannon.Result) =>
      Object.entries(r.statusCodeStats ?? {})
        .map(([code, { count }]) => `${code}×${count}`)
        .join(' ');
    const sessionsBefore = await rows('session_analytics');
    const visitors = await autocannon({
      url: `${api.url}/v1/sessions`,
      connections: 32,
      amount: 10_000,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ landingPage: '/' }),
    });
    const minted = (await rows('session_analytics')) - sessionsBefore;
    report(
      'abuse: 10,000 new visitors, one address',
      visitors,
      `${codes(visitors)}; sessions +${minted}`,
    );
    let redirectedAway = 0;
    const attempts = [
      '/r/https:%2F%2Fevil.example',
      '/r//evil.example',
      `/r/${productIds[0]}?s=x&url=https://evil.example`,
    ];
    const openRedirect = await autocannon({
      url: api.url,
      connections: 16,
      amount: 3_000,
      requests: attempts.map((path) => ({
        method: 'GET' as const,
        path,
        headers: visitor.headers,
        onResponse: (
          _status: number,
          _body: string,
          _context: object,
          headers?: IncomingHttpHeaders,
        ) => {
          if (headers?.location && !headers.location.startsWith('https://www.shop.test/'))
            redirectedAway++;
        },
      })),
    });
    report(
      'abuse: open-redirect attempts',
      openRedirect,
      `${codes(openRedirect)}; sent elsewhere ${redirectedAway}`,
    );
    const convertedBefore = await rows('affiliate_clicks', sql`is_converted`);
    const forged = await autocannon({
      url: `${api.url}/webhooks/conversions/shopnet`,
      connections: 16,
      amount: 3_000,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-aclue-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ clickId: productIds[0], orderId: 'forged' }),
    });
    const converted = (await rows('affiliate_clicks', sql`is_converted`)) - convertedBefore;
    report('abuse: forged webhooks', forged, `${codes(forged)}; conversions +${converted}`);
    const oversized = await autocannon({
      url: `${api.url}/v1/views`,
      connections: 8,
      amount: 200,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...visitor.headers },
      body: JSON.stringify({ views: [{ searchQuery: 'x'.repeat(1_000_000) }] }),
    });
    report('abuse: 1 MB bodies', oversized, codes(oversized));

    // SIGTERM 1.5 s in: every 2xx answer must be stored.
    const stopping = setTimeout(() => api.child.kill('SIGTERM'), 1500);
    const drained = await views();
    clearTimeout(stopping);
    const code = await api.exited;
    report(
      'views, SIGTERM mid-load',
      drained.r,
      `${rowCheck(drained.stored, drained.accepted * 10)}, exit ${code}`,
    );
  } finally {
    api.child.kill('SIGKILL');
    await scratch.drop();
  }
  return {
    text: ['API under load (autocannon, 32 connections, 127.0.0.1)', ...lines].join('\n'),
    data,
  };

  async function newVisitor(url: string, sessions: number) {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ sessionId: string; visitor?: { proof: string } }>);
    const first = await post('/v1/sessions', { landingPage: '/' });
    const headers = { 'x-visitor-proof': first.visitor?.proof ?? '' };
    const ids = [first.sessionId];
    while (ids.length < sessions)
      ids.push((await post('/v1/sessions', { landingPage: '/' }, headers)).sessionId);
    return { headers, sessions: ids };
  }
}

const rowCheck = (stored: number, expected: number) =>
  stored === expected ? `rows ${stored} = accepted ✔` : `rows ${stored} ≠ accepted ${expected} ✘`;
