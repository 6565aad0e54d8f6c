import { randomUUID } from 'node:crypto';
import { createParents } from '@aclue/db/samples';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  apiKey,
  bodyOf,
  createTestApi,
  json,
  product,
  SERVICE_KEY,
  type TestApi,
} from './harness';

describe.each(testDrivers())('my data and analytics on %s', (driver) => {
  let api: TestApi;
  let productId: string;
  let userId: string;
  let auth: { authorization: string };
  beforeAll(async () => {
    api = await createTestApi(driver);
    productId = await product(api.db);
    userId = randomUUID();
    await api.db.execute(sql`INSERT INTO auth.users (id) VALUES (${userId})`);
    auth = { authorization: `Bearer ${await accessToken(userId)}` };
  });
  afterAll(() => api.dispose());

  it("pages through my clicks with keyset cursors, and shows no one else's", async () => {
    const session = await bodyOf(
      await api.request('/v1/sessions', json({ landingPage: '/' }, auth)),
    );
    for (let i = 0; i < 5; i++) {
      const other = await product(api.db);
      const response = await api.request(`/r/${other}?s=${session.sessionId}`, { headers: auth });
      expect(response.status).toBe(302);
    }
    const first = await bodyOf(await api.request('/v1/me/clicks?limit=3', { headers: auth }));
    expect(first.items).toHaveLength(3);
    const second = await bodyOf(
      await api.request(`/v1/me/clicks?limit=3&after=${first.next}`, { headers: auth }),
    );
    expect(second.items).toHaveLength(2);
    expect(second.next).toBeUndefined();
    expect(Object.keys(first.items[0])).not.toContain('actualCommission');
    expect(Object.keys(first.items[0])).not.toContain('commissionRate');
    const ids = new Set([...first.items, ...second.items].map((c: { id: string }) => c.id));
    expect(ids.size).toBe(5);
    const stranger = randomUUID();
    await api.db.execute(sql`INSERT INTO auth.users (id) VALUES (${stranger})`);
    const theirs = await api.request('/v1/me/clicks', {
      headers: { authorization: `Bearer ${await accessToken(stranger)}` },
    });
    expect((await bodyOf(theirs)).items).toEqual([]);
    expect((await api.request('/v1/me/clicks?limit=0', { headers: auth })).status).toBe(422);
  });

  it('reads and changes my preferences; refuses what only the preference job computes', async () => {
    const edited = await api.request('/v1/me/preferences', {
      ...json({ likedBrands: ['Acme'] }, auth),
      method: 'PATCH',
    });
    expect(edited.status).toBe(200);
    expect((await bodyOf(edited)).likedBrands).toEqual(['Acme']);
    expect(
      (await bodyOf(await api.request('/v1/me/preferences', { headers: auth }))).likedBrands,
    ).toEqual(['Acme']);
    const computed = await api.request('/v1/me/preferences', {
      ...json({ engagementScore: 1 }, auth),
      method: 'PATCH',
    });
    expect(computed.status).toBe(422);
  });

  it("records feedback on my recommendation, not on someone else's", async () => {
    const mine = await createParents(api.db);
    const token = { authorization: `Bearer ${await accessToken(mine.userId)}` };
    const feedback = (recommendationId: string) => ({
      recommendationId,
      productId: mine.productId,
      feedbackType: 'explicit',
      feedbackAction: 'like',
      feedbackValue: 1,
      modelVersion: 'v1',
    });
    expect(
      (await api.request('/v1/me/feedback', json(feedback(mine.recommendationId), token))).status,
    ).toBe(201);
    const other = await createParents(api.db);
    expect(
      (await api.request('/v1/me/feedback', json(feedback(other.recommendationId), token))).status,
    ).toBe(404);
  });

  it('exports my data as an attachment', async () => {
    const response = await api.request('/v1/me/export', { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const data = await bodyOf(response);
    expect(data.userId).toBe(userId);
    expect(data.affiliateClicks.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses /me without a user: no token 401, bad or foreign tokens 401, anon role 403', async () => {
    const foreign = await accessToken(userId, {
      issuer: 'https://another-project.supabase.co/auth/v1',
    });
    const expired = await accessToken(userId, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const anonKey = await accessToken('', { role: 'anon' });
    const serviceRole = await accessToken('', { role: 'service_role' });
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: `Bearer ${foreign}` }, 401],
      [{ authorization: `Bearer ${expired}` }, 401],
      [{ authorization: `Bearer ${anonKey}` }, 403],
      [{ authorization: `Bearer ${serviceRole}` }, 401],
      [{ authorization: `Bearer ${SERVICE_KEY}` }, 401],
    ];
    for (const [headers, status] of cases) {
      for (const path of ['/v1/me/clicks', '/v1/me/export', '/v1/me/preferences']) {
        const response = await api.request(path, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers).slice(0, 40)}`).toBe(status);
        expect(await response.text()).not.toContain(foreign.split('.')[1]);
      }
    }
  });

  it('serves analytics to the service key only', async () => {
    // The days around now, which hold every row of this suite: a report's cost grows with the
    // days of its period no rollup answers for, and this test is about who may read them.
    const day = 86_400_000;
    const around = (ms: number) => encodeURIComponent(new Date(Date.now() + ms).toISOString());
    const period = `from=${around(-day)}&to=${around(day)}`;
    const routes = ['revenue', 'ctr', 'funnel', 'popularity', 'engagement'];
    for (const name of routes) {
      const path = `/v1/analytics/${name}?${period}`;
      expect((await api.request(path)).status).toBe(401);
      expect(
        (await api.request(path, { headers: { authorization: 'Bearer wrong-key' } })).status,
      ).toBe(403);
      expect((await api.request(path, { headers: auth })).status).toBe(403);
      const ok = await api.request(path, { headers: { authorization: `Bearer ${SERVICE_KEY}` } });
      expect(ok.status, name).toBe(200);
      expect((await bodyOf(ok)).data).toBeDefined();
    }
    const revenue = await bodyOf(
      await api.request(`/v1/analytics/revenue?${period}&by=network`, {
        headers: { authorization: `Bearer ${SERVICE_KEY}` },
      }),
    );
    expect(revenue.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'shopnet', clicks: 5 })]),
    );
    // The project's legacy service_role API key (iss "supabase", no aud) is the service too.
    const keyed = async (key: string) =>
      (
        await api.request(`/v1/analytics/funnel?${period}`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).status;
    expect(await keyed(await apiKey('service_role'))).toBe(200);
    expect(await keyed(await apiKey('anon'))).not.toBe(200);
    expect(await keyed(await apiKey('service_role', 'x'.repeat(64)))).not.toBe(200);
    const bad = await api.request('/v1/analytics/funnel?from=2030-01-01&to=2020-01-01', {
      headers: { authorization: `Bearer ${SERVICE_KEY}` },
    });
    expect(bad.status).toBe(422);
    expect((await bodyOf(bad)).errors[0].field).toBe('from');
    void productId;
  });
});
