import { randomUUID } from 'node:crypto';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  apiKey,
  bodyOf,
  count,
  createTestApi,
  json,
  product,
  type TestApi,
  visitorSession,
} from './harness';

describe.each(testDrivers())('tracking routes on %s', (driver) => {
  let api: TestApi;
  let productId: string;
  beforeAll(async () => {
    api = await createTestApi(driver);
    productId = await product(api.db);
  });
  afterAll(() => api.dispose());

  const view = (sessionId: string, extra: Record<string, unknown> = {}) => ({
    productId,
    sessionId,
    viewSource: 'search',
    interactionType: 'impression',
    viewPosition: 1,
    ...extra,
  });

  it('starts a session for a new visitor: a signed visitor id, kept in an HttpOnly cookie', async () => {
    const response = await api.request('/v1/sessions', json({ landingPage: '/gifts' }));
    expect(response.status).toBe(201);
    const body = await bodyOf(response);
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.visitor.anonymousId).toHaveLength(22);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`aclue_visitor=${body.visitor.proof}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(
      await count(api, 'session_analytics', sql`anonymous_id = ${body.visitor.anonymousId}`),
    ).toBe(1);
  });

  it('starts a session as the signed-in user a verified token names', async () => {
    const userId = randomUUID();
    await api.db.execute(sql`INSERT INTO auth.users (id) VALUES (${userId})`);
    const response = await api.request(
      '/v1/sessions',
      json({ landingPage: '/' }, { authorization: `Bearer ${await accessToken(userId)}` }),
    );
    expect(response.status).toBe(201);
    expect((await bodyOf(response)).visitor).toBeUndefined();
    expect(await count(api, 'session_analytics', sql`user_id = ${userId}`)).toBe(1);
  });

  it("takes supabase-js's anon-key bearer as no one: the visitor proof decides", async () => {
    const visitor = await visitorSession(api);
    const anonKey = await accessToken('', { role: 'anon' });
    const response = await api.request(
      '/v1/views',
      json(
        { views: [view(visitor.sessionId)] },
        { authorization: `Bearer ${anonKey}`, ...visitor.headers },
      ),
    );
    expect(response.status).toBe(201);
  });

  it("takes the project's API keys as no one: a visitor id is issued, nothing refused", async () => {
    for (const key of [await apiKey('anon'), 'sb_publishable_0123456789abcdefABCDEF']) {
      const started = await api.request(
        '/v1/sessions',
        json({ landingPage: '/' }, { authorization: `Bearer ${key}` }),
      );
      expect(started.status).toBe(201);
      expect((await bodyOf(started)).visitor.anonymousId).toHaveLength(22);
    }
  });

  it('records a batch of views as the visitor, from JSON and from a text/plain beacon', async () => {
    const visitor = await visitorSession(api);
    const batch = Array.from({ length: 120 }, (_, i) =>
      view(visitor.sessionId, { viewPosition: i + 1 }),
    );
    const first = await api.request('/v1/views', json({ views: batch }, visitor.headers));
    expect(first.status).toBe(201);
    expect(await bodyOf(first)).toEqual({ recorded: 120 });
    const beacon = await api.request('/v1/views', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ views: [view(visitor.sessionId)], visitor: visitor.visitor.proof }),
    });
    expect(beacon.status).toBe(201);
    expect(await count(api, 'product_views', sql`session_id = ${visitor.sessionId}`)).toBe(121);
  });

  it('writes nothing of a batch with one bad row, and names the row, field and rule', async () => {
    const visitor = await visitorSession(api);
    const batch = [
      view(visitor.sessionId),
      view(visitor.sessionId, { viewPosition: 0 }),
      view(visitor.sessionId),
    ];
    const response = await api.request('/v1/views', json({ views: batch }, visitor.headers));
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await bodyOf(response);
    expect(problem.errors).toEqual([expect.objectContaining({ row: 1, field: 'viewPosition' })]);
    expect(await count(api, 'product_views', sql`session_id = ${visitor.sessionId}`)).toBe(0);
  });

  it('refuses a field the caller may not write rather than dropping it', async () => {
    const visitor = await visitorSession(api);
    const response = await api.request(
      '/v1/views',
      json({ views: [view(visitor.sessionId, { userId: randomUUID() })] }, visitor.headers),
    );
    expect(response.status).toBe(422);
    expect((await bodyOf(response)).errors[0].field).toBe('userId');
  });

  it("answers 404 for another visitor's session, and records nothing in it", async () => {
    const owner = await visitorSession(api);
    const intruder = await visitorSession(api);
    const views = await api.request(
      '/v1/views',
      json({ views: [view(owner.sessionId)] }, intruder.headers),
    );
    expect(views.status).toBe(404);
    const touch = await api.request(
      `/v1/sessions/${owner.sessionId}/touch`,
      json({ page: '/x' }, intruder.headers),
    );
    expect(touch.status).toBe(404);
    expect(await count(api, 'product_views', sql`session_id = ${owner.sessionId}`)).toBe(0);
  });

  it("touches and ends the visitor's own session (end also from a beacon)", async () => {
    const visitor = await visitorSession(api);
    const touch = await api.request(
      `/v1/sessions/${visitor.sessionId}/touch`,
      json({ page: '/gifts/for-mum', productsViewed: 2 }, visitor.headers),
    );
    expect(touch.status).toBe(200);
    expect((await bodyOf(touch)).pagesViewed).toBe(2);
    const end = await api.request(`/v1/sessions/${visitor.sessionId}/end`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ visitor: visitor.visitor.proof }),
    });
    expect(end.status).toBe(200);
    expect(await bodyOf(end)).toMatchObject({ isActive: false, sessionId: visitor.sessionId });
  });

  it('refuses forged, missing and malformed callers and bodies with the status each means', async () => {
    const visitor = await visitorSession(api);
    const forged = `${visitor.visitor.proof.slice(0, -4)}AAAA`;
    const cases: [RequestInit, number][] = [
      [json({ views: [view(visitor.sessionId)] }, { 'x-visitor-proof': forged }), 401],
      [json({ views: [view(visitor.sessionId)] }), 401],
      [json({ views: [view(visitor.sessionId)] }, { authorization: 'Bearer not.a.token' }), 401],
      [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...visitor.headers },
          body: '{"views": [',
        },
        400,
      ],
      [
        {
          method: 'POST',
          headers: { 'content-type': 'application/xml', ...visitor.headers },
          body: '<views/>',
        },
        415,
      ],
      [json({ views: [] }, visitor.headers), 422],
      [
        json(
          { views: Array.from({ length: 501 }, () => view(visitor.sessionId)) },
          visitor.headers,
        ),
        422,
      ],
      [
        json(
          { views: [view(visitor.sessionId, { searchQuery: 'x'.repeat(600_000) })] },
          visitor.headers,
        ),
        413,
      ],
    ];
    for (const [init, status] of cases) {
      const response = await api.request('/v1/views', init);
      expect(response.status, JSON.stringify(init).slice(0, 120)).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const text = await response.text();
      expect(text).not.toMatch(/select|insert|at \S+\.ts|node_modules/i);
      expect(text).not.toContain(visitor.visitor.proof);
    }
    expect(await count(api, 'product_views', sql`session_id = ${visitor.sessionId}`)).toBe(0);
  });

  it('refuses a body that is not UTF-8 rather than storing replacement characters', async () => {
    const response = await api.request('/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([...Buffer.from('{"landingPage":"/'), 0xff, 0xfe, ...Buffer.from('"}')]),
    });
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).detail).toBe('the body is not valid UTF-8');
  });

  it('survives deeply nested JSON: refused with a rule, the process unharmed', async () => {
    const visitor = await visitorSession(api);
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const body = `{"views":[{"productId":"${productId}","sessionId":"${visitor.sessionId}","interactionType":"impression","filterCriteria":${deep}}]}`;
    const response = await api.request('/v1/views', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...visitor.headers },
      body,
    });
    expect(response.status).toBe(422);
    expect((await bodyOf(response)).errors[0].field).toContain('filterCriteria');
    const arrays = `{"views":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const nested = await api.request('/v1/views', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...visitor.headers },
      body: arrays,
    });
    expect([400, 413, 422]).toContain(nested.status);
    expect((await api.request('/healthz')).status).toBe(200);
  });
});
