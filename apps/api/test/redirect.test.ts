import { queryRows } from '@aclue/db';
import { products } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedTarget } from '../src';
import { isPrefetchOrBot } from '../src/routes/redirect';
import {
  bodyOf,
  count,
  createTestApi,
  json,
  product,
  type TestApi,
  visitorSession,
} from './harness';

describe('allowedTarget: the redirect allow-list', () => {
  const list = { shopnet: ['shop.test', '*.shop.test'] };
  it.each([
    ['https://shop.test/p', true],
    ['https://www.shop.test/p?x=1', true],
    ['https://SHOP.test/p', true],
    ['http://shop.test/p', false],
    ['https://shop.test:8443/p', false],
    ['https://user:pass@shop.test/p', false],
    ['https://evilshop.test/p', false],
    ['https://shop.test.evil.example/p', false],
    ['https://evil.example/?u=https://shop.test', false],
    ['https://evil.example#shop.test', false],
    ['javascript:alert(1)//shop.test', false],
    ['//shop.test/p', false],
  ])('%s → %s', (url, allowed) => {
    expect(allowedTarget(list, 'shopnet', url) !== undefined).toBe(allowed);
  });
  it('refuses a network without a list and a missing link', () => {
    expect(allowedTarget(list, 'othernet', 'https://shop.test/p')).toBeUndefined();
    expect(allowedTarget(list, null, 'https://shop.test/p')).toBeUndefined();
    expect(allowedTarget(list, 'shopnet', null)).toBeUndefined();
    expect(allowedTarget(list, '__proto__', 'https://shop.test/p')).toBeUndefined();
  });
});

describe('isPrefetchOrBot: who is redirected without counting', () => {
  const agents: [string, boolean][] = [
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      false,
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      false,
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', false],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0]',
      false,
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29',
      false,
    ],
    [
      'Mozilla/5.0 (Linux; Android 12; CUBOT X50 Build/SP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
      false,
    ],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', true],
    ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', true],
    ['Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', true],
    ['TelegramBot (like TwitterBot)', true],
    ['WhatsApp/2.23.20.0 A', true],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) SkypeUriPreview Preview/0.5', true],
    ['curl/8.5.0', true],
  ];
  it.each(agents)('%s → %s', (agent, expected) => {
    expect(isPrefetchOrBot('GET', (name) => (name === 'user-agent' ? agent : undefined))).toBe(
      expected,
    );
  });
});

describe.each(testDrivers())('click redirect on %s', (driver) => {
  let api: TestApi;
  let productId: string;
  beforeAll(async () => {
    api = await createTestApi(driver, { CLICK_DEDUPE_SECONDS: '2' });
    productId = await product(api.db);
  });
  afterAll(() => api.dispose());

  const clicks = (sessionId: string) =>
    count(api, 'affiliate_clicks', sql`session_id = ${sessionId}`);

  it('records the click as the visitor, then answers 302 to the affiliate URL', async () => {
    const visitor = await visitorSession(api);
    const response = await api.request(
      `/r/${productId}?s=${visitor.sessionId}&src=/gifts&utm_campaign=xmas`,
      {
        headers: { ...visitor.headers, 'user-agent': 'Mozilla/5.0 (iPhone; Mobile)' },
      },
    );
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('https://www.shop.test/p/1');
    expect(location.searchParams.get('tag')).toBe('aclue-21');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const [click] = await api.db
      .execute(sql`SELECT * FROM affiliate_clicks WHERE session_id = ${visitor.sessionId}`)
      .then((r) => (r as unknown as { rows: Record<string, unknown>[] }).rows);
    expect(click).toMatchObject({
      anonymous_id: visitor.visitor.anonymousId,
      affiliate_network: 'shopnet',
      source_page: '/gifts',
      device_type: 'mobile',
      utm_campaign: 'xmas',
      ip_address: '203.0.113.7',
    });
    expect(Number(click?.expected_commission)).toBe(2);
    // The network gets our click id in its sub-id parameter, to report the conversion by.
    expect(location.searchParams.get('subid')).toBe(click?.id);
    const session = await api.db.execute(
      sql`SELECT affiliate_clicks FROM session_analytics WHERE session_id = ${visitor.sessionId}`,
    );
    expect(
      (session as unknown as { rows: { affiliate_clicks: number }[] }).rows[0]?.affiliate_clicks,
    ).toBe(1);
  });

  it('counts a repeated click within the window once (also when both arrive together)', async () => {
    const visitor = await visitorSession(api);
    const url = `/r/${productId}?s=${visitor.sessionId}`;
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api.request(url, { headers: visitor.headers })),
    );
    expect(responses.map((r) => r.status)).toEqual([302, 302, 302, 302, 302]);
    const marks = responses.map((r) => r.headers.get('x-aclue-click')).sort();
    expect(marks).toEqual(['recorded', 'repeated', 'repeated', 'repeated', 'repeated']);
    // Whichever answer the browser follows, it carries the id of the one recorded click.
    const ids = new Set(
      responses.map((r) => new URL(r.headers.get('location') ?? '').searchParams.get('subid')),
    );
    const [recorded] = await queryRows<{ id: string }>(
      api.db,
      sql`SELECT id FROM affiliate_clicks WHERE session_id = ${visitor.sessionId}`,
    );
    expect([...ids]).toEqual([recorded?.id]);
    expect(await clicks(visitor.sessionId)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await api.request(url, { headers: visitor.headers })).status).toBe(302);
    expect(await clicks(visitor.sessionId)).toBe(2);
  });

  it('counts a visitor once per product within the window, however many sessions it starts', async () => {
    const visitor = await visitorSession(api);
    const sessions = [visitor.sessionId];
    for (let i = 0; i < 4; i++) {
      const again = await api.request('/v1/sessions', json({ landingPage: '/' }, visitor.headers));
      expect(again.status).toBe(201);
      sessions.push(((await again.json()) as { sessionId: string }).sessionId);
    }
    const marks = [];
    for (const session of sessions) {
      const response = await api.request(`/r/${productId}?s=${session}`, {
        headers: visitor.headers,
      });
      expect(response.status).toBe(302);
      marks.push(response.headers.get('x-aclue-click'));
    }
    expect(marks).toEqual(['recorded', 'repeated', 'repeated', 'repeated', 'repeated']);
    const [row] = await queryRows<{ n: number }>(
      api.db,
      sql`SELECT count(*)::int AS n FROM affiliate_clicks WHERE anonymous_id = ${visitor.visitor.anonymousId}`,
    );
    expect(row?.n).toBe(1);
  });

  it('never redirects where the allow-list does not allow, and records nothing then', async () => {
    const visitor = await visitorSession(api);
    const elsewhere = await product(api.db, { url: 'https://evil.example/phish' });
    const plainHttp = await product(api.db, { url: 'http://shop.test/p' });
    const unlisted = await product(api.db, { network: 'othernet', url: 'https://shop.test/p' });
    for (const id of [elsewhere, plainHttp, unlisted]) {
      const response = await api.request(`/r/${id}?s=${visitor.sessionId}`, {
        headers: visitor.headers,
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('location')).toBeNull();
    }
    const attempts = [
      `/r/https://evil.example?s=${visitor.sessionId}`,
      `/r//evil.example?s=${visitor.sessionId}`,
      `/r/%2F%2Fevil.example?s=${visitor.sessionId}`,
      `/r/${productId}/../../evil.example?s=${visitor.sessionId}`,
      `/r/${productId}?s=${visitor.sessionId}&url=https://evil.example&to=https://evil.example`,
      `/r/${productId}%0d%0aLocation:%20https://evil.example?s=${visitor.sessionId}`,
    ];
    for (const attempt of attempts) {
      const response = await api.request(attempt, { headers: visitor.headers });
      const location = response.headers.get('location');
      expect(location === null || location.startsWith('https://www.shop.test/'), attempt).toBe(
        true,
      );
    }
    expect(await count(api, 'affiliate_clicks', sql`affiliate_url LIKE '%evil%'`)).toBe(0);
  });

  it("never counts a click into another visitor's session: it gets a session of the caller's", async () => {
    const owner = await visitorSession(api);
    const intruder = await visitorSession(api);
    // A burst, so that repeats arrive while the first is in flight: none may slip through.
    const stolen = await Promise.all(
      Array.from({ length: 6 }, () =>
        api.request(`/r/${productId}?s=${owner.sessionId}`, { headers: intruder.headers }),
      ),
    );
    expect(stolen.map((r) => r.status)).toEqual([302, 302, 302, 302, 302, 302]);
    expect(await clicks(owner.sessionId)).toBe(0);
    const intruders = sql`anonymous_id = ${intruder.visitor.anonymousId}`;
    expect(await count(api, 'affiliate_clicks', intruders)).toBe(1);
    expect(
      await count(
        api,
        'affiliate_clicks',
        sql`${intruders} AND session_id NOT IN (${owner.sessionId}, ${intruder.sessionId})`,
      ),
    ).toBe(1);
    const unknown = await api.request(
      `/r/00000000-0000-4000-8000-000000000000?s=${owner.sessionId}`,
      { headers: owner.headers },
    );
    expect(unknown.status).toBe(404);
    // A refused click gives its de-duplication mark back: the owner's first real click counts.
    const real = await api.request(`/r/${productId}?s=${owner.sessionId}`, {
      headers: owner.headers,
    });
    expect(real.status).toBe(302);
    expect(real.headers.get('x-aclue-click')).toBe('recorded');
    expect(await clicks(owner.sessionId)).toBe(1);
  });

  it('works from an e-mail link in a fresh browser: a visitor, a session, one click', async () => {
    const other = await product(api.db);
    const visitors = sql`anonymous_id IS NOT NULL AND product_id = ${other}`;
    const opened = await api.request(`/r/${other}?utm_source=newsletter&utm_medium=email`, {
      ip: '198.51.100.20',
    });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toMatch(/^https:\/\/www\.shop\.test\/p\/1/);
    expect(opened.headers.get('x-aclue-click')).toBe('recorded');
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^aclue_visitor=./);
    const [click] = await queryRows<{ session_id: string; utm_source: string }>(
      api.db,
      sql`SELECT session_id, utm_source FROM affiliate_clicks WHERE ${visitors}`,
    );
    expect(click?.utm_source).toBe('newsletter');
    expect(
      await count(api, 'session_analytics', sql`session_id = ${click?.session_id ?? ''}`),
    ).toBe(1);
    // The same browser again (its cookie): the same visitor, counted once per product.
    const again = await api.request(`/r/${other}`, {
      ip: '198.51.100.20',
      headers: { cookie },
    });
    expect(again.status).toBe(302);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await count(api, 'affiliate_clicks', visitors)).toBe(1);
    expect(
      await count(
        api,
        'session_analytics',
        sql`anonymous_id IN (SELECT anonymous_id FROM affiliate_clicks WHERE ${visitors})`,
      ),
    ).toBe(1);
  });

  it.each([
    ['a HEAD request', { method: 'HEAD' }],
    ["Chromium's prefetch", { headers: { 'sec-purpose': 'prefetch' } }],
    ['a prefetch by Purpose', { headers: { purpose: 'prefetch' } }],
    [
      "Slack's link preview",
      { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' } },
    ],
    ["WhatsApp's preview", { headers: { 'user-agent': 'WhatsApp/2.23.20.0' } }],
    [
      'a search crawler',
      {
        headers: {
          'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        },
      },
    ],
  ])('redirects %s without counting, issuing or starting anything', async (_case, init) => {
    const other = await product(api.db);
    const before = await count(api, 'session_analytics');
    const response = await api.request(`/r/${other}`, { ip: '198.51.100.30', ...init });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^https:\/\/www\.shop\.test\//);
    expect(response.headers.get('x-aclue-click')).toBe('uncounted');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await count(api, 'affiliate_clicks', sql`product_id = ${other}`)).toBe(0);
    expect(await count(api, 'session_analytics')).toBe(before);
  });

  it('does not redirect to a product the catalogue no longer offers', async () => {
    const visitor = await visitorSession(api);
    const retired = await product(api.db);
    await api.db.update(products).set({ isActive: false }).where(eq(products.id, retired));
    const response = await api.request(`/r/${retired}?s=${visitor.sessionId}`, {
      headers: visitor.headers,
    });
    expect(response.status).toBe(404);
    expect((await bodyOf(response)).type).toContain('not-found');
  });
});

describe('click de-duplication shared through Redis', () => {
  it('counts a burst once, every answer carrying the one click id, with the marks in Redis', async () => {
    const secret = 'r'.repeat(64);
    const one = await createTestApi('pglite', {
      REDIS_URL: 'redis://127.0.0.1:6379',
      ANONYMOUS_ID_SECRET: secret,
    });
    try {
      expect(one.services.state.mode, 'Redis must answer on 127.0.0.1:6379').toBe('redis');
      const productId = await product(one.db);
      const visitor = await visitorSession(one);
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          one.request(`/r/${productId}?s=${visitor.sessionId}`, { headers: visitor.headers }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual([302, 302, 302, 302, 302, 302]);
      const ids = new Set(
        responses.map((r) => new URL(r.headers.get('location') ?? '').searchParams.get('subid')),
      );
      const [recorded] = await queryRows<{ id: string }>(
        one.db,
        sql`SELECT id FROM affiliate_clicks WHERE session_id = ${visitor.sessionId}`,
      );
      expect(await count(one, 'affiliate_clicks', sql`session_id = ${visitor.sessionId}`)).toBe(1);
      expect([...ids]).toEqual([recorded?.id]);
    } finally {
      await one.dispose();
    }
  });
});
