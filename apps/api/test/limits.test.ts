import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@aclue/db/testing';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, createServices, loadConfig } from '../src';
import {
  bodyOf,
  count,
  createTestApi,
  json,
  product,
  type TestApi,
  testEnvironment,
  visitorSession,
} from './harness';

// Rate limiting keeps no state in the database: the embedded one is enough under these tests.
const opened: TestApi[] = [];
async function api(overrides: Record<string, string>) {
  const created = await createTestApi('pglite', overrides);
  opened.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((a) => a.dispose()));
});

const statuses = (responses: Response[]) => responses.map((r) => r.status);

describe('rate limits', () => {
  it('limits new visitor ids per address: 10,000 would-be visitors from one address get 429', async () => {
    const service = await api({ VISITOR_IDS_PER_IP_PER_HOUR: '5' });
    const answers: Response[] = [];
    for (let i = 0; i < 12; i++) {
      answers.push(
        await service.request('/v1/sessions', {
          ...json({ landingPage: '/' }),
          ip: '198.51.100.1',
        }),
      );
    }
    expect(statuses(answers).filter((s) => s === 201)).toHaveLength(5);
    const refused = answers.at(-1) as Response;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    // Another address is not held back by the first one's limit.
    const other = await service.request('/v1/sessions', {
      ...json({ landingPage: '/' }),
      ip: '198.51.100.2',
    });
    expect(other.status).toBe(201);
  });

  it('limits every request per address, forged visitor proofs included; health checks are exempt', async () => {
    const service = await api({ RATE_LIMIT_PER_IP_PER_MINUTE: '30' });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        service.request('/v1/views', {
          ...json(
            { views: [{}] },
            { 'x-visitor-proof': `forged.${randomBytes(12).toString('hex')}.x` },
          ),
          ip: '198.51.100.3',
        }),
      ),
    );
    const counts = statuses(answers).reduce<Record<number, number>>((acc, s) => {
      acc[s] = (acc[s] ?? 0) + 1;
      return acc;
    }, {});
    expect(counts).toEqual({ 401: 30, 429: 170 });
    expect((await service.request('/healthz', { ip: '198.51.100.3' })).status).toBe(200);
  });

  it('limits new sessions per visitor across addresses, answering 429 with retry-after', async () => {
    const service = await api({ SESSIONS_PER_VISITOR_PER_HOUR: '3' });
    const visitor = await visitorSession(service);
    const answers: Response[] = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        await service.request('/v1/sessions', {
          ...json({ landingPage: `/p${i}` }, visitor.headers),
          ip: `198.51.100.${10 + i}`,
        }),
      );
    }
    // The first session (visitorSession's) counted too.
    expect(statuses(answers)).toEqual([201, 201, 429, 429]);
    const refused = answers.at(-1) as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await bodyOf(refused)).detail).toMatch(/too many new sessions/);
    // Another visitor is not held back.
    expect((await visitorSession(service)).sessionId).toEqual(expect.any(String));
  });

  it("answers 429 when a session's views go past the database's quota, writing none of them", async () => {
    const service = await api({});
    const productId = await product(service.db, {});
    const visitor = await visitorSession(service);
    const batch = (n: number) =>
      json(
        { views: Array.from({ length: n }, () => ({ productId, sessionId: visitor.sessionId })) },
        visitor.headers,
      );
    for (let i = 0; i < 4; i++) {
      expect((await service.request('/v1/views', batch(500))).status).toBe(201);
    }
    const refused = await service.request('/v1/views', batch(1));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await bodyOf(refused)).detail).toBe(
      'product_views: a session may hold at most 2000 rows',
    );
    expect(await count(service, 'product_views')).toBe(2000);
  });

  it('limits tracking requests per visitor across addresses', async () => {
    const service = await api({ RATE_LIMIT_PER_VISITOR_PER_MINUTE: '4' });
    const visitor = await visitorSession(service);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await service.request(`/v1/sessions/${visitor.sessionId}/touch`, {
        ...json({ page: `/p${i}` }, visitor.headers),
        ip: `192.0.2.${i + 10}`,
      });
      answers.push(response.status);
    }
    // The session start counted as the visitor's first request.
    expect(answers).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('shares its counters through Redis: two instances, one limit', async () => {
    const secret = randomBytes(32).toString('hex');
    const shared = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      RATE_LIMIT_PER_IP_PER_MINUTE: '10',
      ANONYMOUS_ID_SECRET: secret,
    };
    const [one, two] = [await api(shared), await api(shared)];
    expect(one.services.state.mode, 'Redis must answer on 127.0.0.1:6379 (.ci/run starts it)').toBe(
      'redis',
    );
    const answers: number[] = [];
    for (let i = 0; i < 8; i++) {
      answers.push((await one.request('/openapi.json', { ip: '198.51.100.9' })).status);
      answers.push((await two.request('/openapi.json', { ip: '198.51.100.9' })).status);
    }
    expect(answers.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((s) => s === 429)).toHaveLength(6);
  });

  it('falls back to memory, clearly, when Redis is not there', async () => {
    const service = await api({
      REDIS_URL: 'redis://127.0.0.1:9',
      RATE_LIMIT_PER_IP_PER_MINUTE: '3',
    });
    expect(service.services.state.mode).toBe('memory');
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await service.request('/openapi.json')).status);
    expect(answers).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('errors', () => {
  it('answers unknown routes and methods as problem documents', async () => {
    const service = await api({});
    const response = await service.request('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = await bodyOf(response);
    expect(body).toMatchObject({ status: 404, instance: '/v1/nothing-here' });
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('keeps a sane request id from a proxy and replaces anything else', async () => {
    const service = await api({});
    const kept = await service.request('/healthz', { headers: { 'x-request-id': 'lb-1234abcd' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-1234abcd');
    const replaced = await service.request('/healthz', { headers: { 'x-request-id': 'x' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves an OpenAPI 3.1 document of every route', async () => {
    const service = await api({});
    const doc = await bodyOf(await service.request('/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sessions',
        '/v1/sessions/{sessionId}/touch',
        '/v1/sessions/{sessionId}/end',
        '/v1/views',
        '/r/{productId}',
        '/webhooks/conversions/{network}',
        '/v1/me/clicks',
        '/v1/me/preferences',
        '/v1/me/feedback',
        '/v1/me/export',
        '/v1/analytics/revenue',
        '/healthz',
        '/readyz',
      ]),
    );
    // The documented row fields are the ones the table's access rules let a browser write.
    const view = doc.paths['/v1/views'].post.requestBody.content['application/json'].schema;
    const fields = Object.keys(view.properties.views.items.properties);
    expect(fields).toContain('viewPosition');
    expect(fields).not.toContain('userId');
  });

  it("passes Redocly's recommended ruleset: an operationId and security on every operation", async () => {
    const service = await api({});
    const source = await (await service.request('/openapi.json')).text();
    const problems = await lintFromString({
      source,
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    const found = problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}`);
    expect(found.filter((p) => p.startsWith('error'))).toEqual([]);
    expect(found.filter((p) => /operationId|security/.test(p))).toEqual([]);
    const doc = JSON.parse(source);
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((methods) => Object.values(methods))
      .map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([{ url: 'http://localhost', description: 'this service' }]);
  });
});

describe('readiness and CORS', () => {
  it('is not ready while migrations are pending, and says which command fixes it', async () => {
    const database = await createTestDatabase('pglite', { migrated: false });
    try {
      const services = await createServices(
        loadConfig(testEnvironment()),
        database.db,
        pino({ level: 'silent' }),
      );
      const app = createApp(services);
      const response = await app.request('/readyz');
      expect(response.status).toBe(503);
      expect((await bodyOf(response)).detail).toMatch(
        /migrations are not applied: run aclue-db migrate/,
      );
      // Every route that needs the database says the same, as a problem, not a 500.
      for (const [method, path] of [
        ['POST', '/v1/sessions'],
        ['POST', '/v1/views'],
        ['GET', '/r/00000000-0000-4000-8000-000000000001'],
        ['GET', '/v1/me/clicks'],
        ['GET', '/v1/analytics/revenue'],
        ['POST', '/webhooks/conversions/shopnet'],
      ] as const) {
        const answer = await app.request(path, { method, ...(method === 'POST' ? json({}) : {}) });
        expect(answer.status, path).toBe(503);
        expect(answer.headers.get('content-type'), path).toMatch(/application\/problem\+json/);
        expect((await bodyOf(answer)).detail, path).toMatch(/not migrated .*run aclue-db migrate/);
      }
    } finally {
      await database.dispose();
    }
  });

  it('answers CORS preflights for the tracking routes of the configured origins only', async () => {
    const service = await api({ CORS_ORIGINS: 'https://www.aclue.test' });
    const preflight = (path: string, origin: string) =>
      service.request(path, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('/v1/views', 'https://www.aclue.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.aclue.test');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const stranger = await preflight('/v1/views', 'https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const analytics = await preflight('/v1/analytics/revenue', 'https://www.aclue.test');
    expect(analytics.headers.get('access-control-allow-origin')).toBeNull();
    const started = await service.request('/v1/sessions', {
      ...json({ landingPage: '/' }, { origin: 'https://www.aclue.test' }),
    });
    expect(started.status).toBe(201);
    // Another site's page may not write into a visitor's history (the cookie would ride along).
    for (const type of ['text/plain', 'application/json']) {
      const forged = await service.request('/v1/sessions', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': type },
        body: JSON.stringify({ landingPage: '/csrf' }),
      });
      expect(forged.status).toBe(403);
    }
    expect(started.headers.get('set-cookie')).toMatch(/SameSite=None/i);
    expect(started.headers.get('set-cookie')).toMatch(/Secure/i);
  });
});
