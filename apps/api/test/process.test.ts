import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { count, product, testEnvironment } from './harness';
import { post, startApiProcess, stopStartedServices } from './process';

afterEach(stopStartedServices);

/** A visitor's session on a running service, and the header that proves the visitor. */
async function session(url: string) {
  const started = (await (await post(`${url}/v1/sessions`, { landingPage: '/' })).json()) as {
    sessionId: string;
    visitor: { proof: string };
  };
  return { sessionId: started.sessionId, headers: { 'x-visitor-proof': started.visitor.proof } };
}

/**
 * Sends `total` batches of `size` views, `concurrency` at a time, calling `during` once after
 * `after` responses; returns each request's status (0: no answer — the connection was refused).
 */
async function load(
  url: string,
  productId: string,
  {
    total,
    size,
    concurrency,
    after,
    during,
  }: {
    total: number;
    size: number;
    concurrency: number;
    after: number;
    during: () => Promise<unknown>;
  },
): Promise<number[]> {
  const visitor = await session(url);
  const statuses: number[] = [];
  let sent = 0;
  let fired = false;
  // A session of its own per worker: one session holds at most 2,000 views (its quota).
  const worker = async () => {
    const { sessionId } = (await (
      await post(`${url}/v1/sessions`, { landingPage: '/load' }, visitor.headers)
    ).json()) as { sessionId: string };
    const views = Array.from({ length: size }, (_, i) => ({
      productId,
      sessionId,
      interactionType: 'impression',
      viewPosition: i + 1,
    }));
    while (sent < total) {
      sent++;
      const status = await post(`${url}/v1/views`, { views }, visitor.headers).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0,
      );
      statuses.push(status);
      if (!fired && statuses.length >= after) {
        fired = true;
        await during();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses.map((s) => s);
}

describe('the service as a process', () => {
  it('refuses a bad configuration in one line, without starting', async () => {
    await expect(
      startApiProcess({ PORT: 'eighty', WEBHOOK_SECRETS: '{"shopnet": "short"}' }),
    ).rejects.toThrow(
      /exited \(78\)[\s\S]*invalid configuration: PORT .*; WEBHOOK_SECRETS\.shopnet/,
    );
  });

  it('runs as built (node dist/main.mjs, no TypeScript loader): ready, tracking, dashboard', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aclue-api-'));
    try {
      const api = await startApiProcess(
        { ...testEnvironment(), ACLUE_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
        { built: true },
      );
      expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
      expect((await post(`${api.url}/v1/sessions`, { landingPage: '/' })).status).toBe(201);
      const dashboard = await fetch(`${api.url}/dashboard`);
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<title>Aclue analytics</title>');
      expect((await fetch(`${api.url}/favicon.ico`)).status).toBe(200);
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts on a new embedded database by default, migrated and ready; logs hold no addresses', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aclue-api-'));
    try {
      const api = await startApiProcess({
        ...testEnvironment(),
        ACLUE_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
      const started = await post(`${api.url}/v1/sessions`, { landingPage: '/' });
      expect(started.status).toBe(201);
      const proof = ((await started.json()) as { visitor: { proof: string } }).visitor.proof;
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
      const requests = api
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"request"'));
      expect(requests.length).toBeGreaterThanOrEqual(3);
      for (const line of requests) {
        expect(line).not.toMatch(/127\.0\.0\.1|::1|::ffff/);
        expect(line).not.toContain(proof);
        expect(JSON.parse(line)).toMatchObject({
          requestId: expect.any(String),
          route: expect.any(String),
        });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the service on PostgreSQL under load and faults', () => {
  let database: TestDatabase;
  let productId: string;
  const env = () => ({
    ...testEnvironment(),
    DATABASE_URL: database.url as string,
    DATABASE_POOL_SIZE: '4',
    RATE_LIMIT_PER_VISITOR_PER_MINUTE: '100000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
    LOG_LEVEL: 'info',
  });
  beforeAll(async () => {
    database = await createTestDatabase('pg');
    productId = await product(database.db);
  });
  afterAll(() => database.dispose());

  it('follows links from an e-mail, a fresh browser and a prefetcher over HTTP', async () => {
    const api = await startApiProcess(env());
    const link = await product(database.db);
    const open = (headers: Record<string, string> = {}, method = 'GET') =>
      fetch(`${api.url}/r/${link}?utm_source=email`, { method, headers, redirect: 'manual' });
    // A mail scanner and a browser's prefetch get there first: neither counts.
    const scanned = await open({ 'user-agent': 'Mozilla/5.0 (compatible; Proofpoint)' });
    const prefetched = await open({ 'sec-purpose': 'prefetch' });
    const head = await open({}, 'HEAD');
    for (const response of [scanned, prefetched, head]) {
      expect(response.status).toBe(302);
      expect(response.headers.get('x-aclue-click')).toBe('uncounted');
    }
    // The person: no cookie, no session. A visitor, a session and the click are made for them.
    const clicked = await open({ 'user-agent': 'Mozilla/5.0 (iPhone; Mobile)' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toMatch(/^https:\/\/www\.shop\.test\//);
    const cookie = (clicked.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^aclue_visitor=/);
    // Their browser follows another link to the same product: the same visitor, still one click.
    expect((await open({ cookie })).headers.get('x-aclue-click')).toBe('repeated');
    const where = sql`product_id = ${link}`;
    expect(await count(database, 'affiliate_clicks', where)).toBe(1);
    expect(
      await count(
        database,
        'session_analytics',
        sql`session_id IN (SELECT session_id FROM affiliate_clicks WHERE ${where})`,
      ),
    ).toBe(1);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });

  it('SIGTERM mid-load: every 2xx answer is in the database, and the process exits 0', async () => {
    const api = await startApiProcess(env());
    const before = await count(database, 'product_views');
    const statuses = await load(api.url, productId, {
      total: 400,
      size: 10,
      concurrency: 16,
      after: 60,
      during: async () => {
        api.child.kill('SIGTERM');
      },
    });
    expect(await api.exited).toBe(0);
    const accepted = statuses.filter((s) => s === 201).length;
    expect(accepted).toBeGreaterThanOrEqual(60);
    expect(statuses.every((s) => s === 201 || s === 0 || s === 503)).toBe(true);
    expect((await count(database, 'product_views')) - before).toBe(accepted * 10);
  });

  it('every backend terminated mid-load: 503 problems, no partial batch, the pool recovers', async () => {
    const api = await startApiProcess(env());
    const before = await count(database, 'product_views');
    const name = new URL(database.url as string).pathname.slice(1);
    const statuses = await load(api.url, productId, {
      total: 300,
      size: 25,
      concurrency: 12,
      after: 50,
      during: () =>
        database.db.execute(
          sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`,
        ),
    });
    expect(
      statuses.every((s) => s === 201 || s === 503),
      JSON.stringify(statuses),
    ).toBe(true);
    const accepted = statuses.filter((s) => s === 201).length;
    expect((await count(database, 'product_views')) - before).toBe(accepted * 25);
    // Recovered: the last requests went through.
    expect(statuses.slice(-20).every((s) => s === 201)).toBe(true);
    const after = await post(`${api.url}/v1/sessions`, { landingPage: '/' });
    expect(after.status).toBe(201);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });
});
